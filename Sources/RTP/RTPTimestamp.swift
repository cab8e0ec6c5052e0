/// A 32-bit RTP timestamp with wrap-around arithmetic (RFC 3550 §5.1: it wraps and starts at a
/// random value, so only differences mean anything).
///
/// Not `Comparable`, for the same reason as `RTPSequenceNumber`.
public struct RTPTimestamp: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Signed clock ticks from `self` to `other`, in -2^31...2^31-1; positive when `other` is later.
    public func distance(to other: RTPTimestamp) -> Int {
        Int(Int32(bitPattern: other.rawValue &- rawValue))
    }

    /// The timestamp `ticks` later, wrapping at 2^32.
    public func advanced(by ticks: Int) -> RTPTimestamp {
        RTPTimestamp(rawValue &+ UInt32(truncatingIfNeeded: ticks))
    }

    public func isBefore(_ other: RTPTimestamp) -> Bool { distance(to: other) > 0 }
    public func isAfter(_ other: RTPTimestamp) -> Bool { other.isBefore(self) }

    /// The signed difference `to - from` as a duration at `clockRate` Hz (8000 for G.711).
    /// Returns nil for a clock rate outside 1...2^32 (it may come from a peer's SDP; larger rates
    /// would overflow the nanosecond arithmetic).
    public static func duration(from: RTPTimestamp, to: RTPTimestamp, clockRate: Int) -> Duration? {
        guard clockRate > 0, clockRate <= 1 << 32 else { return nil }
        let ticks = Int64(from.distance(to: to))
        // Whole seconds first, then the remainder in nanoseconds: no overflow for any 32-bit difference.
        let seconds = ticks / Int64(clockRate)
        let remainder = ticks % Int64(clockRate)
        return .seconds(seconds) + .nanoseconds(remainder * 1_000_000_000 / Int64(clockRate))
    }

    /// Converts a duration since an arbitrary origin to clock ticks, modulo 2^32: the "arrival time in
    /// RTP timestamp units" of RFC 3550 A.8. Only differences of the result are meaningful.
    public init(_ time: Duration, clockRate: Int) {
        let (seconds, attoseconds) = time.components
        let rate = Int64(clockRate)
        // Ring arithmetic modulo 2^64 then truncation is exact modulo 2^32.
        let whole = seconds &* rate
        let fraction = (attoseconds / 1_000_000_000) &* rate / 1_000_000_000
        self.init(UInt32(truncatingIfNeeded: whole &+ fraction))
    }

    public var description: String { String(rawValue) }
}
