/// A reception report block (RFC 3550 §6.4.1), 24 bytes, in SR and RR packets.
public struct RTCPReportBlock: Sendable, Hashable {
    public static let size = 24
    /// RFC 3550 §6.4.1: cumulative number of packets lost is a signed 24-bit field.
    public static let cumulativeLostRange: ClosedRange<Int32> = -0x80_0000...0x7F_FFFF

    /// The source this block reports on (SSRC_n).
    public var ssrc: UInt32
    /// Fraction lost since the previous report, as a fixed-point number with the binary point at the left.
    public var fractionLost: UInt8
    /// Cumulative packets lost; may be negative when duplicates arrive (§6.4.1). 24-bit signed.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// Last SR timestamp: the compact NTP time of the last SR from this source, 0 if none.
    public var lastSenderReport: UInt32
    /// Delay since last SR, in 1/65536 s; 0 if no SR has been received.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32,
        lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    init(reading bytes: UnsafeRawBufferPointer, at offset: Int) {
        ssrc = bytes.readUInt32(at: offset)
        let word = bytes.readUInt32(at: offset + 4)
        fractionLost = UInt8(truncatingIfNeeded: word >> 24)
        // Sign-extend the 24-bit field.
        cumulativeLost = Int32(bitPattern: word << 8) >> 8
        extendedHighestSequence = bytes.readUInt32(at: offset + 8)
        jitter = bytes.readUInt32(at: offset + 12)
        lastSenderReport = bytes.readUInt32(at: offset + 16)
        delaySinceLastSenderReport = bytes.readUInt32(at: offset + 20)
    }

    func write<S: ByteSink>(to sink: inout S) {
        sink.write(ssrc)
        let lost = min(max(cumulativeLost, Self.cumulativeLostRange.lowerBound), Self.cumulativeLostRange.upperBound)
        sink.write(UInt32(fractionLost) << 24 | (UInt32(bitPattern: lost) & 0x00FF_FFFF))
        sink.write(extendedHighestSequence)
        sink.write(jitter)
        sink.write(lastSenderReport)
        sink.write(delaySinceLastSenderReport)
    }

    /// RFC 3550 §6.4.1: round-trip time seen by the sender of the SR that this block answers:
    /// `A - LSR - DLSR`, where A is the block's arrival time. Returns nil when the block carries no
    /// LSR (0: the peer has not received an SR from us) or when the result is negative (clock skew,
    /// or a block that answers an SR we did not send).
    public func roundTripTime(arrivedAt arrival: NTPTimestamp) -> Duration? {
        guard lastSenderReport != 0 else { return nil }
        let elapsed = arrival.compact &- lastSenderReport
        // A negative difference wraps to a huge value; anything beyond half the range is negative.
        guard elapsed < 1 << 31, elapsed >= delaySinceLastSenderReport else { return nil }
        return NTPTimestamp.duration(compact: elapsed - delaySinceLastSenderReport)
    }

    /// As `roundTripTime(arrivedAt:)`, but only when the block's LSR echoes the SR we sent at `sent`
    /// (so a stale or forged block does not produce a figure).
    public func roundTripTime(arrivedAt arrival: NTPTimestamp, forSenderReportSentAt sent: NTPTimestamp) -> Duration? {
        guard lastSenderReport == sent.compact else { return nil }
        return roundTripTime(arrivedAt: arrival)
    }
}
