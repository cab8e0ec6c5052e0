import Frames
import Media
import Meetings

/// One 20 ms step of a `standard` meeting's phone bridge with one app sender and one phone leg
/// (`PhoneBridge`): the app's SFrame frame opened with the gateway's key ring and Opus-decoded at
/// 8 kHz, the phone's PCM in, the mix for the phone out, and the phone's audio Opus-encoded and
/// SFrame-protected under its own KID for the apps.
final class BridgeLoop: FrameLoop {
    static let appSender: SenderIndex = 1
    static let phoneLeg: SenderIndex = 2

    let bridge: PhoneBridge
    /// The same epoch as the bridge's, for the app's frames and the bare baseline.
    let appRing: EpochKeyRing
    let gatewayRing: EpochKeyRing
    private let appEncoder = must("Opus encoder 48 kHz") { try OpusEncoder(sampleRate: 48000) }
    private var appFrames: [[UInt8]] = []
    private var phonePCM: [[Int16]] = []
    private let speech = Phone.signal(frames: 250)
    private var offset = 0
    private(set) var mixes = 0
    private(set) var framesOut = 0

    init() {
        let gateway = must("gateway identity") { try ParticipantIdentity.generate() }
        let app = must("app identity") { try ParticipantIdentity.generate() }
        bridge = PhoneBridge(gatewayIdentity: gateway.fingerprint)
        appRing = EpochKeyRing(localIdentity: app.fingerprint)
        gatewayRing = EpochKeyRing(localIdentity: gateway.fingerprint, sendsForPhones: true)
        let secret = must("epoch secret") { try EpochSecret.random() }
        let manifest = must("manifest") {
            try EpochManifest(
                meetingID: "123456789", epoch: 1, mode: .standard, keyManager: gateway.fingerprint,
                keyHolders: [gateway.fingerprint, app.fingerprint],
                senders: [
                    EpochManifest.Sender(senderIndex: UInt64(Self.appSender.rawValue), source: .participant(app.fingerprint)),
                    EpochManifest.Sender(senderIndex: UInt64(Self.phoneLeg.rawValue), source: .phone),
                ], reason: .start, secret: secret)
        }
        let verified = must("signed manifest") {
            try VerifiedEpochManifest(ownManifest: SignedEpochManifest(signing: manifest, as: gateway), keyManager: gateway)
        }
        must("bridge epoch") { try bridge.install(epoch: verified, secret: secret) }
        must("app epoch") { try appRing.install(verified, secret: secret) }
        must("gateway epoch") { try gatewayRing.install(verified, secret: secret) }
        must("phone leg") { try bridge.addPhoneLeg(senderIndex: Self.phoneLeg) }
    }

    /// Untimed: the app's frames (48 kHz speech as Opus in SFrame) and the phone's PCM.
    func prepare(_ count: Int) {
        appFrames = (0..<count).map { _ in
            let eightKHz = speech[offset..<offset + 160]
            offset = (offset + 160) % (speech.count - 160)
            let wide = eightKHz.flatMap { Array(repeating: $0, count: 6) }
            let packet = must("app Opus") { try appEncoder.encode(wide) }
            return must("app SFrame") { try appRing.ownSender!.protect(packet) }
        }
        phonePCM = (0..<count).map { index in
            Array(speech[(index * 160) % (speech.count - 160)..<(index * 160) % (speech.count - 160) + 160])
        }
    }

    func frame(_ index: Int) {
        bridge.receiveAppFrame(appFrames[index])
        phonePCM[index].withUnsafeBufferPointer { bridge.receivePhoneAudio(senderIndex: Self.phoneLeg, pcm: $0) }
        bridge.tick(
            mixes: { _, pcm in
                consume(pcm.count)
                mixes += 1
            },
            frames: { _, bytes in
                consume(bytes.count)
                framesOut += 1
            })
    }

    var check: String {
        let statistics = bridge.statistics
        return "\(format(Double(mixes))) mixes, \(format(Double(framesOut))) phone frames out, "
            + "\(statistics.framesDecoded) app frames decoded, \(statistics.framesFailedToOpen) failed to open"
    }
}

/// The same work as bare library calls through the same wrappers: SFrame unprotect, Opus decode at
/// 8 kHz, Opus encode at 8 kHz, SFrame protect; no queues, no speaker selection, no mix.
final class BareBridgeLoop: FrameLoop {
    private let source: BridgeLoop
    private let decoder = must("Opus decoder 8 kHz") { try OpusDecoder(sampleRate: 8000) }
    private let encoder = must("Opus encoder 8 kHz") { try OpusEncoder(sampleRate: 8000) }
    private var pcm = [Int16](repeating: 0, count: 960)
    private var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
    private var opened: [UInt8] = []
    private var protected: [UInt8] = []

    init(source: BridgeLoop) {
        self.source = source
        must("Opus bitrate") { try encoder.setBitrate(24_000) }
        must("Opus FEC") { try encoder.setInbandFEC(true) }
    }

    func prepare(_ count: Int) { source.prepare(count) }

    func frame(_ index: Int) {
        // Into buffers made once, as the bridge does (no allocation of the baseline's own).
        opened.removeAll(keepingCapacity: true)
        _ = must("unprotect") { try source.gatewayRing.unprotect(source.appFrameForBare(index), into: &opened) }
        let samples = must("decode") {
            try opened.withUnsafeBufferPointer { packetIn in
                try pcm.withUnsafeMutableBufferPointer { try decoder.decode(packetIn, into: $0) }
            }
        }
        let length = must("encode") {
            try pcm.withUnsafeBufferPointer { decoded in
                try packet.withUnsafeMutableBufferPointer {
                    try encoder.encode(UnsafeBufferPointer(rebasing: decoded[0..<samples]), into: $0)
                }
            }
        }
        protected.removeAll(keepingCapacity: true)
        let sender = source.gatewayRing.sender(senderIndex: UInt64(BridgeLoop.phoneLeg.rawValue))!
        _ = must("protect") {
            try packet.withUnsafeBytes { packet in
                try sender.protect(
                    UnsafeRawBufferPointer(rebasing: packet[0..<length]), metadata: UnsafeRawBufferPointer(start: nil, count: 0),
                    into: &protected)
            }
        }
        consume(protected.count)
    }
}

extension BridgeLoop {
    func appFrameForBare(_ index: Int) -> [UInt8] { appFrames[index] }
}
