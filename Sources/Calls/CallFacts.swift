import SIP

/// The gateway's own short call id (`c3f9a0`), shown by `dialgatectl` beside the SIP Call-ID.
public struct GatewayCallID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a call is in its life, as operators see it.
public enum CallPhase: String, Sendable, Equatable {
    case ringing
    case answered
    case inMeeting = "in-meeting"
    case ending
    case ended
}

/// How a call ended.
public enum CallOutcome: String, Sendable, Equatable {
    /// Answered and hung up normally by either side.
    case completed
    /// The caller cancelled before the answer (CANCEL → 487).
    case cancelled
    /// Refused with a final error response (404, 488, 503, ...).
    case rejected
    /// Ended by a protocol failure (no ACK, BYE timeout, transport error).
    case failed
}

/// Who ended the call.
public enum HangupParty: String, Sendable, Equatable {
    case caller
    case gateway
    case `operator`
}

/// Everything the gateway knows about one call, at one moment: what records, logs and
/// `dialgatectl` show. Instants are the core's; the adapter turns them into wall-clock dates.
public struct CallFacts: Sendable, Equatable {
    public var id: GatewayCallID
    public var sipCallID: String
    public var caller: String
    public var callerDisplayName: String?
    public var called: String
    public var trunk: String
    public var route: String?
    public var meetingID: String?
    public var phase: CallPhase
    public var peer: SIPPeer
    public var codec: String?
    public var onHold: Bool
    public var startedAt: SIPInstant
    public var answeredAt: SIPInstant?
    public var endedAt: SIPInstant?
    public var outcome: CallOutcome?
    /// Why it ended, in words an operator understands ("BYE from caller", "404 Not Found").
    public var endReason: String?
    public var hungUpBy: HangupParty?
}

/// A change in a call's life, for records, control-API watchers and logs.
public struct CallEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case started, updated, ended }
    public var kind: Kind
    public var call: CallFacts
}
