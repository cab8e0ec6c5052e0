/// A point in time as the SIP core sees it: nanoseconds since an origin the adapter chooses.
///
/// The core never reads a clock (DESIGN.md §2); adapters convert from their clock (for example
/// `ContinuousClock.Instant` or NIO's `NIODeadline`) and tests advance plain values.
/// Arithmetic saturates instead of trapping, so no deadline computation can crash.
public struct SIPInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The origin; tests usually start here.
    public static let zero = SIPInstant(nanoseconds: 0)

    public static func < (lhs: SIPInstant, rhs: SIPInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` after `instant` (saturating at the ends of `Int64`).
    public static func + (instant: SIPInstant, duration: Duration) -> SIPInstant {
        let (sum, overflow) = instant.nanoseconds.addingReportingOverflow(duration.sipNanoseconds)
        if overflow { return SIPInstant(nanoseconds: duration < .zero ? .min : .max) }
        return SIPInstant(nanoseconds: sum)
    }

    /// The time from `rhs` to `lhs` (saturating).
    public static func - (lhs: SIPInstant, rhs: SIPInstant) -> Duration {
        let (difference, overflow) = lhs.nanoseconds.subtractingReportingOverflow(rhs.nanoseconds)
        if overflow { return .nanoseconds(lhs < rhs ? Int64.min : Int64.max) }
        return .nanoseconds(difference)
    }

    public var description: String { "\(nanoseconds)ns" }
}

extension Duration {
    /// Whole nanoseconds, saturating at the ends of `Int64`.
    var sipNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
