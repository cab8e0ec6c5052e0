import Media
import RTP

/// The media half of one phone leg: RTP in and out, SRTP, symmetric RTP, the jitter buffer, the
/// codec, DTMF, RTCP and what the leg plays (echo, prompts, tones).
///
/// Pure and single-threaded: the adapter hands it each datagram as it arrives (`receive`) and
/// steps it once per packet time from its media clock (`tick`); it returns the datagrams to send
/// and the events for the call. Time is passed in; nothing here reads a clock or touches a socket.
/// It belongs to one event loop for the leg's life (its codec and SRTP state are not thread-safe).
public final class PhoneLegMedia {
    public internal(set) var configuration: LegMediaConfiguration
    public internal(set) var statistics = LegMediaStatistics()

    /// A datagram to send, lent to the adapter for the duration of its `send` callback: the bytes
    /// live in the leg's reused send buffer, so sending allocates nothing (the adapter copies them
    /// into its own socket buffer).
    public struct OutboundDatagram {
        public let bytes: UnsafeRawBufferPointer
        public let to: LegMediaConfiguration.Address
        /// RTCP without rtcp-mux leaves from the RTCP socket (RTP port + 1, RFC 3550 §11).
        public let fromRTCPPort: Bool
    }

    /// An owned copy of an `OutboundDatagram` (for tests and tools).
    public struct Datagram: Sendable, Equatable {
        public var bytes: [UInt8]
        public var to: LegMediaConfiguration.Address
        public var fromRTCPPort: Bool

        public init(_ datagram: OutboundDatagram) {
            bytes = Array(datagram.bytes)
            to = datagram.to
            fromRTCPPort = datagram.fromRTCPPort
        }
    }

    var codec: LegCodec
    var inboundSRTP: SRTPSession?
    var outboundSRTP: SRTPSession?
    var jitterBuffer: JitterBuffer<ArraySlice<UInt8>>
    var latch = RTPSourceLatch<LegMediaConfiguration.Address>()
    var reception: RTPReceptionStatistics
    var events = TelephoneEventReceiver()
    var digitSender: TelephoneEventSender
    var toneDetector = DTMFToneDetector()
    var player = PromptPlayer()
    /// Where we send: the SDP address, until the latch learns the real source (symmetric RTP).
    var sendTo: LegMediaConfiguration.Address
    var lastMediaAt: Duration
    var reportedNoMedia = false
    /// The end of the current playback has been reported.
    var playbackReported = false
    /// Whether this tick's `playOut` had audio from the phone, for its `send` (the echo).
    var heard = false

    // Outbound RTP state (RFC 3550 §5.1: random initial sequence number and timestamp).
    let ssrc: UInt32
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var lastSenderReport: (ntp: NTPTimestamp, at: Duration)?
    var nextRTCPAt: Duration
    var nextQualityAt: Duration
    let clock: LegClock

    // Buffers reused every frame so the per-packet path does not allocate for audio.
    var inboundPCM: [Int16]
    var outboundPCM: [Int16]
    var payload: [UInt8] = []
    /// RTP header + payload + SRTP trailer, reused for every datagram.
    var sendBuffer: [UInt8] = []

    /// RFC 3550 §6.2: 5 s is the minimum RTCP interval for a two-party session.
    static let rtcpInterval: Duration = .seconds(5)
    /// How often the leg reports its figures to the call (records and `dialgatectl call`).
    static let qualityInterval: Duration = .seconds(1)

    public init(configuration: LegMediaConfiguration, clock: LegClock, random: inout some RandomNumberGenerator) throws(MediaError) {
        self.configuration = configuration
        self.clock = clock
        let samplesPerFrame =
            Int(configuration.ptime.components.seconds * 8000) + Int(configuration.ptime.components.attoseconds / 125_000_000_000_000)
        codec = try LegCodec(configuration.codec, samplesPerFrame: samplesPerFrame)
        inboundPCM = Array(repeating: 0, count: samplesPerFrame)
        outboundPCM = Array(repeating: 0, count: samplesPerFrame)
        payload.reserveCapacity(OpusEncoder.maxPacketSize)
        sendBuffer.reserveCapacity(RTPHeader.fixedSize + OpusEncoder.maxPacketSize + SRTPCryptoSuite.maximumOverhead)
        var jitterConfiguration = JitterBufferConfiguration()
        jitterConfiguration.clockRate = configuration.codec.clockRate
        jitterConfiguration.samplesPerFrame = samplesPerFrame * configuration.codec.clockRate / 8000
        // Playout snaps to the loop's 20 ms ticks, so a frame waits its target plus 0-20 ms of tick
        // phase: with the buffer's 20 ms floor a clean stream sat 20-40 ms deep (the latency
        // harness: about 30 ms of the phone-to-meeting delay). 10 ms lets it sit 10-30 ms deep; a
        // stream with jitter still gets jitter + safety margin, and a late frame stretches it.
        jitterConfiguration.minimumDelay = .milliseconds(10)
        do {
            jitterBuffer = try JitterBuffer(configuration: jitterConfiguration)
        } catch {
            throw .badFrameSize(expected: 160, got: samplesPerFrame)
        }
        reception = RTPReceptionStatistics(clockRate: configuration.codec.clockRate)
        do {
            // One event packet per packet time, in RTP clock units (RFC 4733 §2.5.1.2).
            digitSender = try TelephoneEventSender(packetDuration: UInt32(samplesPerFrame * configuration.codec.clockRate / 8000))
        } catch {
            throw .badFrameSize(expected: 160, got: samplesPerFrame)
        }
        sendTo = configuration.remoteRTP
        lastMediaAt = clock.now
        nextRTCPAt = clock.now + Self.rtcpInterval
        nextQualityAt = clock.now + Self.qualityInterval
        ssrc = UInt32.random(in: 1...UInt32.max, using: &random)
        sequenceNumber = UInt16.random(in: 0...UInt16.max, using: &random)
        timestamp = UInt32.random(in: 0...UInt32.max, using: &random)
        try applySRTP(configuration.srtp)
        loadPlayback(configuration.application)
    }

    /// A re-INVITE changed the media (hold, resume, a new address, new keys).
    public func update(_ configuration: LegMediaConfiguration, now: Duration) throws(MediaError) {
        let addressChanged = configuration.remoteRTP != self.configuration.remoteRTP
        if configuration.srtp != self.configuration.srtp { try applySRTP(configuration.srtp) }
        if configuration.application != self.configuration.application { loadPlayback(configuration.application) }
        self.configuration = configuration
        if addressChanged {
            // A new address in SDP: learn the source again (RFC 3264 §8.3.1).
            sendTo = configuration.remoteRTP
            latch.relearn()
        }
        lastMediaAt = now
        reportedNoMedia = false
    }

    func loadPlayback(_ application: LegMediaConfiguration.Application) {
        player = PromptPlayer()
        playbackReported = false
        if case .playback(_, let items) = application { player.enqueue(contentsOf: items) }
    }

    /// The call's dialplan moved on: play something else (prompts, echo, silence).
    public func setApplication(_ application: LegMediaConfiguration.Application) {
        guard application != configuration.application else { return }
        configuration.application = application
        loadPlayback(application)
    }

    func applySRTP(_ keys: LegMediaConfiguration.SRTPKeys?) throws(MediaError) {
        guard let keys else {
            inboundSRTP = nil
            outboundSRTP = nil
            return
        }
        inboundSRTP = try SRTPSession(suite: keys.suite, direction: .inbound, masterKeyAndSalt: keys.remote)
        outboundSRTP = try SRTPSession(suite: keys.suite, direction: .outbound, masterKeyAndSalt: keys.local)
    }
}

/// The leg's notion of time: the adapter's monotonic `now` and the wall clock at the same
/// moment, so RTCP can carry NTP timestamps (RFC 3550 §6.4.1) without reading a clock.
public struct LegClock: Sendable {
    public var now: Duration
    /// Time since 1900-01-01 (the NTP epoch) at `now`.
    public var ntpTime: Duration

    public init(now: Duration, ntpTime: Duration) {
        self.now = now
        self.ntpTime = ntpTime
    }

    /// 70 years and 17 leap days between the NTP epoch (1900) and the Unix epoch (1970).
    public static let unixToNTP: Duration = .seconds(2_208_988_800)

    func ntp(at instant: Duration) -> NTPTimestamp {
        NTPTimestamp(sinceEpoch: ntpTime + (instant - now))
    }
}
