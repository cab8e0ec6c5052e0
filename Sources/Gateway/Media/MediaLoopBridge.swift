import Frames
import LegMedia
import Logging
import Meetings
import NIOCore
import ParticipantTransport

/// One meeting's `PhoneBridge`, stepped by the 20 ms clock of a media loop (DESIGN.md §2: one clock
/// per loop, no timer per meeting). All of the bridge's work (opening and decoding the apps' frames,
/// the mix, encoding and protecting the phones' audio) runs on that loop, so meetings spread their
/// codec work over the loops instead of queueing it on the meetings' actor. In each tick the loop
/// plays out its legs, then steps its bridges, then sends for its legs: a phone's 20 ms of audio
/// reaches the apps in the tick it was played out of the jitter buffer, and the mix made for a
/// phone goes to it in the tick it was made.
///
/// The actor (`MeetingRooms`) owns the meeting and sends the bridge `Instruction`s, which the loop
/// carries out in the order they were sent; the bridge answers only with who is speaking.
final class MediaLoopBridge: @unchecked Sendable {
    /// What the meeting tells its bridge.
    enum Instruction: Sendable {
        /// A new epoch for the bridge's key ring (the gateway's own in `standard` meetings, the host's
        /// downgrade epoch otherwise).
        case install(VerifiedEpochManifest, EpochSecret)
        /// A phone leg joined the roster under `senderIndex`; its audio comes and goes through `port`.
        case addPhoneLeg(SenderIndex, ConferencePort, muted: Bool)
        case removePhoneLeg(SenderIndex)
        /// A muted phone's audio is taken from its port and dropped (it still hears the meeting).
        case setMuted(SenderIndex, Bool)
        /// An app participant left: its decoder and queue go.
        case removeAppSender(SenderIndex)
        /// One app participant's binary media message, for the phones' mix.
        case appFrame([UInt8])
        /// Where the phones' frames go: the outboxes of the meeting's app participants.
        case receivers([WebSocketOutbox])
    }

    private struct Phone {
        let port: ConferencePort
        var muted: Bool
    }

    let mediaLoop: MediaLoop
    private let bridge: PhoneBridge
    private let logger: Logger
    private let meetingID: String
    private var phones: [SenderIndex: Phone] = [:]
    private var receivers: [WebSocketOutbox] = []
    /// Scratch for one phone's 20 ms frame (the bridge copies it).
    private var phoneFrame = [Int16](repeating: 0, count: ConferencePort.frameSize)
    private var ticks = 0
    private var speaking: Set<SenderIndex> = []
    private let speakingChanged: @Sendable (Set<SenderIndex>) -> Void

    /// A bridge for `meetingID` on `mediaLoop`, holding keys as the gateway. `speakingChanged` is
    /// called on the loop, at most every 100 ms, with the sources talking when that changed.
    init(
        meetingID: String, gatewayIdentity: IdentityFingerprint, on mediaLoop: MediaLoop, logger: Logger,
        speakingChanged: @escaping @Sendable (Set<SenderIndex>) -> Void
    ) {
        self.meetingID = meetingID
        self.mediaLoop = mediaLoop
        self.bridge = PhoneBridge(gatewayIdentity: gatewayIdentity)
        self.logger = logger
        self.speakingChanged = speakingChanged
    }

    /// Joins the loop's clock.
    func start() {
        mediaLoop.loop.execute { self.mediaLoop.attach(self) }
    }

    /// Leaves the loop's clock: the bridge is stepped no more (instructions already sent still run;
    /// the meeting drops its reference right after, so none follow).
    func stop() {
        mediaLoop.loop.execute { self.mediaLoop.detach(self) }
    }

    func send(_ instruction: Instruction) {
        mediaLoop.loop.execute { self.carryOut(instruction) }
    }

    private func carryOut(_ instruction: Instruction) {
        mediaLoop.loop.preconditionInEventLoop()
        switch instruction {
        case .install(let manifest, let secret):
            do {
                try bridge.install(epoch: manifest, secret: secret)
            } catch {
                logger.error(
                    "the phone bridge cannot take an epoch",
                    metadata: ["meeting": "\(meetingID)", "epoch": "\(manifest.manifest.epoch)", "error": "\(error)"])
            }
        case .addPhoneLeg(let senderIndex, let port, let muted):
            do {
                try bridge.addPhoneLeg(senderIndex: senderIndex)
                phones[senderIndex] = Phone(port: port, muted: muted)
            } catch {
                logger.error("cannot add a phone leg to the bridge", metadata: ["meeting": "\(meetingID)", "error": "\(error)"])
            }
        case .removePhoneLeg(let senderIndex):
            phones[senderIndex] = nil
            bridge.removePhoneLeg(senderIndex: senderIndex)
        case .setMuted(let senderIndex, let muted):
            phones[senderIndex]?.muted = muted
        case .removeAppSender(let senderIndex):
            bridge.removeAppSender(senderIndex: senderIndex)
        case .appFrame(let bytes):
            bridge.receiveAppFrame(bytes)
        case .receivers(let outboxes):
            receivers = outboxes
        }
    }

    /// One 20 ms step, from the loop's clock between its legs' playout and their sends: each phone's
    /// audio in, each phone's mix out, and each speaking phone's frame to every app participant.
    func tick() {
        for (senderIndex, phone) in phones {
            let heard = phoneFrame.withUnsafeMutableBufferPointer { phone.port.takeFromLeg(into: $0) }
            guard heard, !phone.muted else { continue }
            phoneFrame.withUnsafeBufferPointer { bridge.receivePhoneAudio(senderIndex: senderIndex, pcm: $0) }
        }
        bridge.tick(
            mixes: { senderIndex, pcm in phones[senderIndex]?.port.depositForLeg(pcm) },
            frames: { _, bytes in
                guard !receivers.isEmpty else { return }
                let frame = ByteBuffer(bytes: bytes)
                for receiver in receivers { receiver.send(frame: frame) }
            })
        ticks += 1
        if ticks % 5 == 0 {
            let now = bridge.speakingSources
            if now != speaking {
                speaking = now
                speakingChanged(now)
            }
        }
    }
}
