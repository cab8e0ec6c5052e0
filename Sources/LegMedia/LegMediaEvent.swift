/// What a leg's media tells the call.
public enum LegMediaEvent: Sendable, Equatable {
    /// A DTMF digit, reported once per press (RFC 4733 event or in-band tone).
    case digit(Character, via: DigitSource)
    /// Symmetric RTP locked onto the phone's real media address.
    case sourceLocked(LegMediaConfiguration.Address)
    /// No media for the configured time while media was expected.
    case noMedia(Duration)
    /// The leg's figures (every second).
    case quality(LegMediaStatistics)
    /// The playback with this id played to its end (or a barge-in stopped it).
    case playbackFinished(id: Int)
    /// The leg could not be set up (its RTP port could not be bound, say): the call must end.
    case failed(String)

    public enum DigitSource: String, Sendable, Equatable {
        case rfc4733
        case inBand = "in-band"
    }
}

/// Counters and quality figures of one leg (for records, metrics and `dialgatectl`).
public struct LegMediaStatistics: Sendable, Equatable {
    public var packetsReceived = 0
    public var packetsSent = 0
    public var octetsSent = 0
    /// Dropped by symmetric RTP's source latch: from an address that is not the caller's.
    public var droppedFromOtherSources = 0
    /// SRTP authentication or replay failures (counted, never fatal).
    public var srtpFailures = 0
    /// Packets that did not parse as RTP/RTCP, or had a payload type the leg did not negotiate.
    public var malformedPackets = 0
    public var unexpectedPayloadTypes = 0
    public var comfortNoisePackets = 0
    public var digits = 0
    /// From RTCP and the reception statistics (RFC 3550 §6.4).
    public var cumulativeLost = 0
    /// Lost packets of the phone's stream over all expected so far (0–1).
    public var lossRatio: Double = 0
    public var jitter: Duration = .zero
    public var roundTripTime: Duration?
    public var lateFrames = 0
    public var concealedFrames = 0

    public init() {}
}
