import Foundation

/// Filters for the `history` command: finished and live calls from the call records, newest first.
public struct HistoryQuery: Codable, Sendable, Hashable {
    /// Rows returned when the client does not say.
    public static let defaultLimit = 50
    /// The most rows one reply may carry; keeps a reply well under ``ControlWire/maxLineLength``
    /// times a few (the client framer has no limit on reply lines, but the daemon's memory does).
    public static let maxLimit = 1000
    /// The range a request may ask for; anything else is a `badRequest`.
    public static let limitRange = 1...maxLimit

    public var limit: Int
    /// Only calls from this caller (exact match).
    public var caller: String?
    /// Only calls to this number (exact match).
    public var called: String?
    /// Only calls with this outcome.
    public var outcome: CallOutcome?
    /// Only calls that joined (or were refused from) this meeting.
    public var meeting: String?
    /// Only calls started at or after this instant.
    public var since: Date?
    /// Only calls started before this instant.
    public var until: Date?
    /// Rows to skip first (newest first), for reading the records page by page (`dialgatectl export`).
    public var offset: Int

    /// Builds a query; `limit` is clamped to ``limitRange`` (decoding from the wire is strict instead).
    public init(
        limit: Int = HistoryQuery.defaultLimit, caller: String? = nil, called: String? = nil,
        outcome: CallOutcome? = nil, since: Date? = nil, until: Date? = nil, offset: Int = 0, meeting: String? = nil
    ) {
        self.meeting = meeting
        self.limit = min(max(limit, Self.limitRange.lowerBound), Self.limitRange.upperBound)
        self.offset = max(0, offset)
        self.caller = caller
        self.called = called
        self.outcome = outcome
        self.since = since
        self.until = until
    }

    private enum CodingKeys: String, CodingKey {
        case limit, caller, called, outcome, since, until, offset, meeting
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let limit = try container.decodeIfPresent(Int.self, forKey: .limit) ?? Self.defaultLimit
        guard Self.limitRange.contains(limit) else {
            throw ControlError.badRequest(
                "limit must be between \(Self.limitRange.lowerBound) and \(Self.limitRange.upperBound), not \(limit)"
            )
        }
        self.limit = limit
        self.caller = try container.decodeIfPresent(String.self, forKey: .caller)
        self.called = try container.decodeIfPresent(String.self, forKey: .called)
        self.outcome = try container.decodeIfPresent(CallOutcome.self, forKey: .outcome)
        self.since = try container.decodeIfPresent(Date.self, forKey: .since)
        self.until = try container.decodeIfPresent(Date.self, forKey: .until)
        self.meeting = try container.decodeIfPresent(String.self, forKey: .meeting)
        let offset = try container.decodeIfPresent(Int.self, forKey: .offset) ?? 0
        guard offset >= 0 else { throw ControlError.badRequest("offset must not be negative, not \(offset)") }
        self.offset = offset
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encodeIfPresent(caller, forKey: .caller)
        try container.encodeIfPresent(called, forKey: .called)
        try container.encodeIfPresent(outcome, forKey: .outcome)
        try container.encodeIfPresent(since, forKey: .since)
        try container.encodeIfPresent(until, forKey: .until)
        try container.encodeIfPresent(meeting, forKey: .meeting)
        if offset > 0 { try container.encode(offset, forKey: .offset) }
    }
}
