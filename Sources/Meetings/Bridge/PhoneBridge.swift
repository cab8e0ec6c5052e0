import Frames
import Media

/// The phone side of ONE `standard` meeting (issue 5, "Phone callers in standard meetings"): it opens
/// app participants' SFrame frames with the gateway's own key ring, decodes each app sender's Opus once,
/// straight to 8 kHz (DESIGN.md §3 "Audio": no resampler), mixes for every phone leg everyone but that
/// leg (`PhoneMix`), and turns each leg's 8 kHz audio into an Opus frame protected under the leg's own
/// KID, for the meeting to forward to the app participants like any other frame (DESIGN.md §4).
///
/// No sockets and no clock (STYLE.md habit 3): the owner feeds frames and phone audio as they arrive and
/// calls `tick(mixes:frames:)` every 20 ms. Between ticks each app sender's decoded audio waits in a
/// small queue (`queueDepth` frames, the oldest dropped and counted when full), which absorbs the
/// jitter of one WebSocket burst without letting a sender fall behind by more than 60 ms.
///
/// Failures never throw out of the media path: a frame that does not open, does not decode, or cannot
/// be protected is counted in `statistics` and dropped. Only setup throws (`install`, `addPhoneLeg`).
///
/// Opus settings for phone legs' audio (`makeEncoder`): VOIP application (speech-tuned SILK), 8 kHz
/// mono input, 20 ms frames, 24 kb/s (well above what narrowband SILK needs, so the frame survives the
/// apps' 48 kHz decode with margin), in-band FEC on with 5 % expected loss (libopus spends FEC bits only
/// when told to expect loss; RFC 6716 §2.1.7), DTX off (the bridge only sends while the leg sends).
///
/// Allocation: per frame and per tick nothing is allocated once the buffers have grown; buffers (SFrame
/// plaintext, decode scratch, Opus packet, SFrame output, queues, mix slots) are made once per bridge,
/// sender or leg and reused (MediaBenchmarks counts it: docs/performance.md).
///
/// Owned by one event loop or actor, like the key ring, codecs and mix it holds; not `Sendable`. The
/// callbacks of `tick(mixes:frames:)` must not call back into the bridge.
public final class PhoneBridge {
    /// What the bridge counted since it was made.
    public struct Statistics: Equatable, Sendable {
        /// App frames opened and decoded into the phone mix.
        public var framesDecoded = 0
        /// App frames that did not open (bad tag, unknown KID, replay, malformed header).
        public var framesFailedToOpen = 0
        /// App frames that opened but did not decode (empty, or not Opus), or whose decoder could not be made.
        public var framesUndecodable = 0
        /// Frames that opened under a phone leg's KID (the gateway's own audio looped back), ignored.
        public var framesNotFromApps = 0
        /// Decoded 20 ms frames dropped because their sender's queue was full.
        public var framesDroppedFromQueues = 0
        /// Phone legs' 20 ms frames encoded and protected for the app participants.
        public var framesEncoded = 0
        /// Phone legs' frames not sent: no key for the leg in the current epoch, or encoding failed.
        public var framesNotSent = 0
        /// 20 ms frames an app sender did not deliver in time, filled by Opus packet-loss concealment.
        public var framesConcealed = 0
        /// Frames dropped because a sender's queue never ran below two for `backlogWindow` ticks:
        /// a standing backlog is delay and nothing else (each trim takes 20 ms off that sender's).
        public var framesTrimmed = 0

        public init() {}
    }

    /// What one tick produced, as arrays (tests and non-hot paths; `tick(mixes:frames:)` does not allocate).
    public struct TickOutput: Equatable, Sendable {
        /// Each phone leg's 160-sample mix.
        public var mixes: [SenderIndex: [Int16]] = [:]
        /// Each phone leg that spoke this tick: its SFrame frame for the app participants.
        public var frames: [SenderIndex: [UInt8]] = [:]
    }

    /// Phone legs' rate: decoders decode to it, encoders take it (DESIGN.md §3 "Audio").
    public static let sampleRate: Int32 = 8_000
    /// 20 ms at 8 kHz.
    public static let samplesPerFrame = PhoneMix.samplesPerFrame
    /// Decoded frames waiting per app sender at most (60 ms).
    public static let queueDepth = 3
    /// Ticks (1 s) over which a sender's queue must always have held more than one frame before
    /// the oldest is dropped: long enough that the WebSocket's ordinary bursts are left alone.
    public static let backlogWindow = 50
    /// After an app sender's last frame, at most this many ticks (40 ms) are concealed; then the
    /// sender is silent in the mix (it stopped talking, muted, or left).
    public static let concealedFrames = 2
    /// Opus bitrate of phone legs' audio toward the apps.
    public static let opusBitrate: Int32 = 24_000
    /// Loss the encoder plans its in-band FEC for.
    public static let expectedPacketLossPercent: Int32 = 5
    /// The longest Opus packet decodes to 120 ms (RFC 6716 §3.2.5): 960 samples at 8 kHz.
    static let maximumDecodedSamples = 960

    /// The gateway's identity: the key holder this bridge's ring stands for.
    public let gatewayIdentity: IdentityFingerprint
    /// Counters since the bridge was made.
    public private(set) var statistics = Statistics()

    private let ring: EpochKeyRing
    private var mix: PhoneMix
    private var appSenders: [SenderIndex: AppSender] = [:]
    private var legs: [SenderIndex: PhoneLeg] = [:]
    private var decoded = [Int16](repeating: 0, count: PhoneBridge.maximumDecodedSamples)
    /// An app frame's Opus packet, opened (`EpochKeyRing.unprotect(_:into:)`), reused across frames.
    private var opened: [UInt8] = []
    private var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
    private var protected: [UInt8] = []

    /// A bridge whose ring holds keys as `gatewayIdentity` (with senders for phone legs), mixing at most
    /// `maxSpeakers` sources per tick.
    public init(gatewayIdentity: IdentityFingerprint, maxSpeakers: Int = 3, tuning: PhoneMix.Tuning = PhoneMix.Tuning()) {
        self.gatewayIdentity = gatewayIdentity
        ring = EpochKeyRing(localIdentity: gatewayIdentity, sendsForPhones: true)
        mix = PhoneMix(maxSpeakers: maxSpeakers, tuning: tuning)
        protected.reserveCapacity(SFrameHeader.maximumLength + OpusEncoder.maxPacketSize + 16)
        opened.reserveCapacity(OpusEncoder.maxPacketSize)
    }

    // MARK: Keys

    /// Installs a new epoch in the bridge's ring (`EpochKeyRing.install`: all or nothing), then drops the
    /// decoders and queues of app senders that are in neither of the epochs the ring keeps (they left).
    public func install(epoch: VerifiedEpochManifest, secret: EpochSecret) throws(FramesError) {
        try ring.install(epoch, secret: secret)
        var kept = Set<SenderIndex>()
        for manifest in [ring.current?.manifest, ring.previous?.manifest].compactMap({ $0 }) {
            for sender in manifest.senders {
                if case .participant = sender.source, let index = UInt32(exactly: sender.senderIndex) {
                    kept.insert(SenderIndex(rawValue: index))
                }
            }
        }
        for index in appSenders.keys where !kept.contains(index) { removeAppSender(senderIndex: index) }
    }

    /// The newest installed epoch.
    public var currentEpoch: VerifiedEpochManifest? { ring.current }

    // MARK: App participants

    /// Takes one binary media message from an app participant: opens it, decodes it at 8 kHz with that
    /// sender's decoder (made on its first frame) and queues the audio for the next ticks. Never throws:
    /// what cannot be used is counted.
    public func receiveAppFrame(_ frame: [UInt8]) {
        let received: EpochKeyRing.OpenedFrame
        opened.removeAll(keepingCapacity: true)
        do {
            received = try ring.unprotect(frame, into: &opened)
        } catch {
            statistics.framesFailedToOpen += 1
            return
        }
        guard case .participant = received.sender.source, let raw = UInt32(exactly: received.sender.senderIndex),
            legs[SenderIndex(rawValue: raw)] == nil
        else {
            statistics.framesNotFromApps += 1
            return
        }
        let index = SenderIndex(rawValue: raw)
        guard !opened.isEmpty, let sender = appSender(index) else {
            statistics.framesUndecodable += 1
            return
        }
        let samples: Int
        do throws(MediaError) {
            samples = try opened.withUnsafeBufferPointer { (packet) throws(MediaError) -> Int in
                try decoded.withUnsafeMutableBufferPointer { (pcm) throws(MediaError) -> Int in
                    try sender.decoder.decode(packet, into: pcm)
                }
            }
        } catch {
            statistics.framesUndecodable += 1
            return
        }
        decoded.withUnsafeBufferPointer { pcm in
            // Packets longer than 20 ms (40, 60 ms) queue as several frames; a short tail is padded.
            var start = 0
            while start < samples {
                let end = min(start + Self.samplesPerFrame, samples)
                if sender.enqueue(UnsafeBufferPointer(rebasing: pcm[start..<end])) { statistics.framesDroppedFromQueues += 1 }
                start = end
            }
        }
        statistics.framesDecoded += 1
    }

    /// Forgets an app sender (it left): its decoder, queue and place in the mix.
    public func removeAppSender(senderIndex: SenderIndex) {
        guard appSenders.removeValue(forKey: senderIndex) != nil else { return }
        mix.removeSource(senderIndex)
    }

    /// App senders with a decoder.
    public var appSenderCount: Int { appSenders.count }

    // MARK: Phone legs

    /// Adds a phone leg under its sender index (the KID it sends under, `MeetingHub`'s `.admit`): it gets
    /// a mix from the next tick on, and an Opus encoder for its audio. Throws when libopus refuses.
    public func addPhoneLeg(senderIndex: SenderIndex) throws(MediaError) {
        guard legs[senderIndex] == nil else { return }
        let encoder = try Self.makeEncoder()
        // An index that was an app sender's is a leg's from now on.
        appSenders.removeValue(forKey: senderIndex)
        mix.removeSource(senderIndex)
        legs[senderIndex] = PhoneLeg(encoder: encoder)
        mix.addPhoneLeg(senderIndex)
    }

    /// Removes a phone leg (hung up, removed).
    public func removePhoneLeg(senderIndex: SenderIndex) {
        guard legs.removeValue(forKey: senderIndex) != nil else { return }
        mix.removeSource(senderIndex)
    }

    /// The phone legs, ascending.
    public var phoneLegs: [SenderIndex] { legs.keys.sorted() }

    /// Takes a phone leg's 20 ms of 8 kHz audio (160 samples; more are ignored, fewer padded with
    /// silence) for the next tick; a second call before the tick replaces the first. Unknown legs are ignored.
    public func receivePhoneAudio(senderIndex: SenderIndex, pcm: UnsafeBufferPointer<Int16>) {
        legs[senderIndex]?.store(pcm)
    }

    // MARK: The 20 ms step

    /// Runs one 20 ms step: one queued frame of every app sender and this tick's audio of every phone leg
    /// go into the mix; `mixes` gets each phone leg's 160-sample mix (everyone selected but itself), and
    /// `frames` each leg that sent audio since the last tick, as an SFrame frame to forward to the app
    /// participants. The buffers are valid only during the call; neither callback may call the bridge.
    public func tick(
        mixes: (SenderIndex, UnsafeBufferPointer<Int16>) -> Void, frames: (SenderIndex, UnsafeBufferPointer<UInt8>) -> Void
    ) {
        for (index, sender) in appSenders {
            if sender.trimStandingBacklog() { statistics.framesTrimmed += 1 }
            if sender.count > 0 {
                sender.dequeue { mix.submit(index, pcm: $0) }
            } else if sender.concealable > 0 {
                // A frame late or lost: libopus extrapolates from what it decoded last (RFC 6716
                // §4.4), for at most `concealedFrames`, instead of a click of silence in the mix.
                sender.concealable -= 1
                let concealed = decoded.withUnsafeMutableBufferPointer { pcm in
                    try? sender.decoder.decode(
                        UnsafeBufferPointer(start: nil, count: 0), into: UnsafeMutableBufferPointer(rebasing: pcm[0..<Self.samplesPerFrame])
                    )
                }
                if concealed == Self.samplesPerFrame {
                    statistics.framesConcealed += 1
                    decoded.withUnsafeBufferPointer { mix.submit(index, pcm: UnsafeBufferPointer(rebasing: $0[0..<Self.samplesPerFrame])) }
                }
            }
        }
        for (index, leg) in legs where leg.hasAudio {
            _ = leg.withAudio { mix.submit(index, pcm: $0) }
        }
        mix.mixTick()
        mix.forEachOutput(mixes)
        for (index, leg) in legs where leg.hasAudio {
            if encodeAndProtect(leg, senderIndex: index) {
                statistics.framesEncoded += 1
                protected.withUnsafeBufferPointer { frames(index, $0) }
            } else {
                statistics.framesNotSent += 1
            }
            leg.hasAudio = false
        }
    }

    /// `tick(mixes:frames:)` collected into arrays (tests and non-hot paths).
    public func tick() -> TickOutput {
        var output = TickOutput()
        tick(mixes: { output.mixes[$0] = Array($1) }, frames: { output.frames[$0] = Array($1) })
        return output
    }

    /// Whether `source` (an app sender or a phone leg) is talking, for roster `speaking` events.
    public func isSpeaking(_ source: SenderIndex) -> Bool { mix.isSpeaking(source) }

    /// The sources (app senders and phone legs) talking now, for roster `speaking` events (allocates:
    /// for a caller that asks every few ticks, not per frame).
    public var speakingSources: Set<SenderIndex> {
        Set(appSenders.keys.filter(mix.isSpeaking) + legs.keys.filter(mix.isSpeaking))
    }

    /// Which sources the last tick mixed (tests and status).
    public var selectedSources: [SenderIndex] { mix.selectedSources }

    // MARK: Internals

    /// The encoder for one phone leg's audio; the settings are the type's documentation.
    static func makeEncoder() throws(MediaError) -> OpusEncoder {
        let encoder = try OpusEncoder(sampleRate: sampleRate)  // OPUS_APPLICATION_VOIP by default
        try encoder.setBitrate(opusBitrate)
        try encoder.setInbandFEC(true)
        try encoder.setExpectedPacketLoss(percent: expectedPacketLossPercent)
        try encoder.setDTX(false)
        return encoder
    }

    private func appSender(_ index: SenderIndex) -> AppSender? {
        if let sender = appSenders[index] { return sender }
        guard let decoder = try? OpusDecoder(sampleRate: Self.sampleRate) else { return nil }
        let sender = AppSender(decoder: decoder)
        appSenders[index] = sender
        return sender
    }

    /// Encodes the leg's audio into `packet` and protects it into `protected`; false when either fails.
    private func encodeAndProtect(_ leg: PhoneLeg, senderIndex: SenderIndex) -> Bool {
        guard let sender = ring.sender(senderIndex: UInt64(senderIndex.rawValue)) else { return false }
        let length: Int
        do throws(MediaError) {
            length = try leg.withAudio { (pcm) throws(MediaError) -> Int in
                try packet.withUnsafeMutableBufferPointer { (output) throws(MediaError) -> Int in try leg.encoder.encode(pcm, into: output)
                }
            }
        } catch {
            return false
        }
        protected.removeAll(keepingCapacity: true)
        let result = packet.withUnsafeBytes { packet in
            Result { () throws(FramesError) in
                try sender.protect(
                    UnsafeRawBufferPointer(rebasing: packet[0..<length]), metadata: UnsafeRawBufferPointer(start: nil, count: 0),
                    into: &protected)
            }
        }
        if case .failure = result { return false }
        return true
    }
}

extension PhoneBridge {
    /// One app sender: its decoder and a ring of `queueDepth` decoded 20 ms frames.
    final class AppSender {
        let decoder: OpusDecoder
        /// Ticks that may still be concealed after the sender's last frame.
        var concealable = 0
        private var queue = [Int16](repeating: 0, count: PhoneBridge.queueDepth * PhoneBridge.samplesPerFrame)
        private var head = 0
        private(set) var count = 0

        init(decoder: OpusDecoder) { self.decoder = decoder }

        /// Queues one frame (padded to 160 samples); returns true when the oldest was dropped for it.
        func enqueue(_ pcm: UnsafeBufferPointer<Int16>) -> Bool {
            let depth = PhoneBridge.queueDepth
            let size = PhoneBridge.samplesPerFrame
            var dropped = false
            if count == depth {
                head = (head + 1) % depth
                count -= 1
                dropped = true
            }
            let start = ((head + count) % depth) * size
            let copied = min(pcm.count, size)
            queue.withUnsafeMutableBufferPointer { queue in
                for index in 0..<copied { queue[start + index] = pcm[index] }
                for index in copied..<size { queue[start + index] = 0 }
            }
            count += 1
            concealable = PhoneBridge.concealedFrames
            return dropped
        }

        /// Ticks of the current backlog window, and the fewest frames waiting at any of them.
        private var windowTicks = 0
        private var fewestWaiting = Int.max

        /// Called at every tick before `dequeue`. Frames arrive over a WebSocket at any phase to the
        /// tick; once a burst leaves two waiting where one would do, nothing would take the extra
        /// away, and the sender stays 20 ms later for the rest of the meeting. When a whole window
        /// found more than one frame waiting at every tick, the oldest is dropped (as an adaptive
        /// jitter buffer shrinks). True when it dropped one.
        func trimStandingBacklog() -> Bool {
            fewestWaiting = min(fewestWaiting, count)
            windowTicks += 1
            guard windowTicks >= PhoneBridge.backlogWindow else { return false }
            defer {
                windowTicks = 0
                fewestWaiting = .max
            }
            guard fewestWaiting >= 2 else { return false }
            head = (head + 1) % PhoneBridge.queueDepth
            count -= 1
            return true
        }

        /// Hands the oldest frame to `body` and removes it; does nothing when the queue is empty.
        func dequeue(_ body: (UnsafeBufferPointer<Int16>) -> Void) {
            guard count > 0 else { return }
            let size = PhoneBridge.samplesPerFrame
            let start = head * size
            queue.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<start + size])) }
            head = (head + 1) % PhoneBridge.queueDepth
            count -= 1
        }
    }

    /// One phone leg: its encoder and the audio it sent since the last tick.
    final class PhoneLeg {
        let encoder: OpusEncoder
        private var audio = [Int16](repeating: 0, count: PhoneBridge.samplesPerFrame)
        var hasAudio = false

        init(encoder: OpusEncoder) { self.encoder = encoder }

        func store(_ pcm: UnsafeBufferPointer<Int16>) {
            let copied = min(pcm.count, audio.count)
            audio.withUnsafeMutableBufferPointer { audio in
                for index in 0..<copied { audio[index] = pcm[index] }
                for index in copied..<audio.count { audio[index] = 0 }
            }
            hasAudio = true
        }

        func withAudio<R, E: Error>(_ body: (UnsafeBufferPointer<Int16>) throws(E) -> R) throws(E) -> R {
            try audio.withUnsafeBufferPointer { (pcm) throws(E) -> R in try body(pcm) }
        }
    }
}
