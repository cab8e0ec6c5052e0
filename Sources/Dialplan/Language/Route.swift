/// `route NAME { match ...; steps }`.
public struct Route: Hashable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// All must hold. No `match` at all: the route runs only through `goto`.
    public var conditions: [MatchCondition] = []
    public var steps: [Step] = []
    /// `on-failure { ... }`: where a failed step outside `tries` goes.
    public var onFailure: [Step]?

    /// Whether calls can select this route (it has `match` lines), rather than only `goto`.
    public var isMatchable: Bool { !conditions.isEmpty }
}

/// One `match` line.
public struct MatchCondition: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Any call (`match any`).
        case any
        /// The called number: the Request-URI user (the DID).
        case called([NumberPattern])
        /// The caller's number (From, or P-Asserted-Identity from a trusted trunk).
        case caller([NumberPattern])
        /// The caller's display name.
        case callerName([NumberPattern])
        case trunk([Reference])
        /// A SIP header's value (name compared without regard to case).
        case header(name: String, [NumberPattern])
        /// Days of the week and a time of day, in a time zone (nil: the gateway's).
        case time(TimeWindow)
    }

    public var kind: Kind
    /// `match not ...`.
    public var negated: Bool
    public var location: SourceLocation
}

/// `match time mon-fri 09:00-17:00 [zone "Europe/Berlin"]`.
public struct TimeWindow: Hashable, Sendable {
    /// 1 = Monday ... 7 = Sunday (ISO 8601).
    public var weekdays: Set<Int>
    /// Minutes after midnight; `end` before `start` wraps past midnight. Nil: all day.
    public var start: Int?
    public var end: Int?
    public var timeZone: String?

    public init(weekdays: Set<Int>, start: Int? = nil, end: Int? = nil, timeZone: String? = nil) {
        self.weekdays = weekdays
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Whether a moment given as ISO weekday and minutes after midnight (local to `timeZone`) falls
    /// in the window. The days name the day of the moment itself, so `mon-fri 18:00-08:00` means
    /// "on weekdays, outside 08:00 to 18:00" (Monday 03:00 is in, Saturday 03:00 is not).
    public func contains(weekday: Int, minute: Int) -> Bool {
        guard weekdays.contains(weekday) else { return false }
        guard let start, let end else { return true }
        if start <= end { return minute >= start && minute < end }
        return minute >= start || minute < end
    }
}
