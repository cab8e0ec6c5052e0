/// A 64-bit NTP timestamp (RFC 3550 §4): seconds since 1 January 1900 and a binary fraction.
///
/// The core never reads a clock: the adapter converts its wall clock to this type and passes it in.
public struct NTPTimestamp: Sendable, Hashable, CustomStringConvertible {
    public var seconds: UInt32
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// From the 64-bit wire value.
    public init(rawValue: UInt64) {
        self.init(seconds: UInt32(truncatingIfNeeded: rawValue >> 32), fraction: UInt32(truncatingIfNeeded: rawValue))
    }

    public var rawValue: UInt64 { UInt64(seconds) << 32 | UInt64(fraction) }

    /// RFC 3550 §6.4.1: "the middle 32 bits out of 64 in the NTP timestamp", used for LSR and
    /// for round-trip time, in units of 1/65536 s.
    public var compact: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 16) }

    /// A time since the NTP epoch (1900-01-01). Wraps after 2^32 s, as NTP era 0 does.
    public init(sinceEpoch time: Duration) {
        let (wholeSeconds, attoseconds) = time.components
        // fraction = attoseconds * 2^32 / 10^18, computed without overflow via nanoseconds.
        let nanoseconds = UInt64(clamping: attoseconds / 1_000_000_000)
        self.init(
            seconds: UInt32(truncatingIfNeeded: wholeSeconds),
            fraction: UInt32(truncatingIfNeeded: (nanoseconds << 32) / 1_000_000_000))
    }

    /// This timestamp advanced by `duration` (non-negative durations; wraps like NTP).
    public func advanced(by duration: Duration) -> NTPTimestamp {
        let delta = NTPTimestamp(sinceEpoch: duration)
        return NTPTimestamp(rawValue: rawValue &+ delta.rawValue)
    }

    /// Converts a compact (1/65536 s) interval to a duration.
    public static func duration(compact units: UInt32) -> Duration {
        let seconds = Int64(units >> 16)
        let fraction = Int64(units & 0xFFFF)
        return .seconds(seconds) + .nanoseconds(fraction * 1_000_000_000 / 65_536)
    }

    /// Converts a duration to compact (1/65536 s) units, saturating at `UInt32.max` (as DLSR does).
    public static func compactUnits(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        guard seconds < 65_536 else { return .max }
        let fraction = UInt64(attoseconds / 1_000_000_000) * 65_536 / 1_000_000_000
        return UInt32(seconds) << 16 | UInt32(fraction)
    }

    public var description: String { "\(seconds).\(fraction)" }
}
