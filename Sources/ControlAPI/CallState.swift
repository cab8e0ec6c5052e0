/// Where a call is in its life, as the control API reports it.
///
/// An open set of string values rather than a Swift `enum`: a newer gateway may report a state an
/// older `dialgatectl` does not know, and that must not make the whole reply unreadable.
public struct CallState: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// An INVITE arrived and has not been answered yet.
    public static let ringing: CallState = "ringing"
    /// The gateway answered (200 OK); the dialplan is running (prompts, digits).
    public static let answered: CallState = "answered"
    /// The caller is bridged into a meeting.
    public static let inMeeting: CallState = "in-meeting"
    /// Answered and on its way into a meeting, held there: waiting for the host, or for the host's
    /// answer to a phone joining an end-to-end encrypted meeting.
    public static let lobby: CallState = "lobby"
    /// The caller has put the gateway on hold (re-INVITE with `sendonly` or `inactive`).
    public static let onHold: CallState = "on-hold"
    /// A BYE or CANCEL is under way.
    public static let ending: CallState = "ending"
    /// The call is over; `outcome` says how.
    public static let ended: CallState = "ended"

}

/// How a call ended. An open set of strings for the same reason as ``CallState``.
public struct CallOutcome: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Answered and ended normally by a BYE from either side.
    public static let completed: CallOutcome = "completed"
    /// The caller gave up before the answer (CANCEL).
    public static let cancelled: CallOutcome = "cancelled"
    /// The gateway refused the call with a final error response (e.g. 404 Not Found).
    public static let rejected: CallOutcome = "rejected"
    /// Something broke (media, transport, internal error).
    public static let failed: CallOutcome = "failed"
    /// The gateway stopped while the call was live (set on restart, DESIGN.md §5).
    public static let interrupted: CallOutcome = "interrupted"
    /// Policy refused a phone leg into an end-to-end encrypted meeting (DESIGN.md §1).
    public static let refusedE2EE: CallOutcome = "refused-e2ee"
    /// Policy requires SRTP and the call had none.
    public static let refusedNoSRTP: CallOutcome = "refused-no-srtp"

}

/// Who ended a call.
public struct CallParty: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The phone side sent BYE or CANCEL.
    public static let caller: CallParty = "caller"
    /// The gateway ended it (dialplan, policy, timeout, error, drain).
    public static let gateway: CallParty = "gateway"
    /// An operator ran `dialgatectl hangup`.
    public static let `operator`: CallParty = "operator"

}

/// A string value from an open set (states, outcomes, parties): known values are constants, and an
/// unknown one from a newer peer still decodes. Encodes as the bare string.
public protocol OpenStringValue: RawRepresentable<String>, Hashable, Codable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    init(rawValue: String)
}

extension OpenStringValue {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
