/// Everything a client can ask the daemon, in protocol version 1.
///
/// On the wire a command is an object with a `name` and its arguments beside it:
/// `{"name":"call","call":"c7f3a2"}`. Later issues add cases (`policyExplain`, ...); a daemon that does not know a name answers ``ControlError/unknownCommand(_:)``
/// and keeps the connection, so adding commands never breaks version 1 clients or servers.
public enum ControlCommand: Sendable, Hashable {
    /// The daemon's version, listeners and call counts: ``ControlReplyPayload/status(_:)``.
    case status
    /// The live calls: ``ControlReplyPayload/calls(_:)``.
    case calls
    /// One call by its gateway id, live or from the records: ``ControlReplyPayload/call(_:)``.
    case call(id: String)
    /// Call records: ``ControlReplyPayload/history(_:)``.
    case history(HistoryQuery)
    /// Ends a live call (BYE, or a final response if unanswered); replies with the call:
    /// ``ControlReplyPayload/call(_:)``.
    case hangup(id: String)
    /// A subscription: the reply is ``ControlReplyPayload/watching(_:)`` with the live calls, then
    /// one ``ControlReplyPayload/event(_:)`` line per change until the client disconnects.
    case watchCalls
    /// The meeting directory, without passcodes: ``ControlReplyPayload/meetings(_:)``.
    case meetings
    /// One meeting by ID, with its passcode: ``ControlReplyPayload/meeting(_:)``, or
    /// ``ControlError/meetingNotFound(_:)``.
    case meeting(id: String)
    /// Creates a meeting; replies with it (passcode included, generated when none was given):
    /// ``ControlReplyPayload/meeting(_:)``. A duplicate ID is ``ControlError/meetingExists(_:)``.
    case meetingCreate(MeetingCreation)
    /// Locks (or unlocks) a meeting: nobody new joins a locked meeting, the host excepted. Stored
    /// in the directory and applied to the live meeting; replies ``ControlReplyPayload/meeting(_:)``.
    case meetingLock(id: String, locked: Bool)
    /// Ends a live meeting: every participant is told and disconnected (the directory entry
    /// stays); replies ``ControlReplyPayload/meeting(_:)``.
    case meetingEnd(id: String)
    /// What policy would decide for a phone caller joining a meeting now, without placing a call:
    /// ``ControlReplyPayload/policy(_:)``.
    case policyExplain(PolicyExplainRequest)
    /// The trunks of the plan in force with their live calls and registrations:
    /// ``ControlReplyPayload/trunks(_:)``.
    case trunks
    /// Reads, checks and swaps in the dialplans (what SIGHUP does):
    /// ``ControlReplyPayload/reload(_:)``, also when the new plan is refused.
    case reload

    /// The command's name on the wire.
    public var name: String {
        switch self {
        case .status: "status"
        case .calls: "calls"
        case .call: "call"
        case .history: "history"
        case .hangup: "hangup"
        case .watchCalls: "watchCalls"
        case .meetings: "meetings"
        case .meeting: "meeting"
        case .meetingCreate: "meetingCreate"
        case .meetingLock: "meetingLock"
        case .meetingEnd: "meetingEnd"
        case .policyExplain: "policyExplain"
        case .trunks: "trunks"
        case .reload: "reload"
        }
    }
}

extension ControlCommand: Codable {
    private enum CodingKeys: String, CodingKey {
        case name
        case call
        case meeting
        case locked
    }

    /// Throws ``ControlError/unknownCommand(_:)`` for a name this version does not know, and
    /// ``ControlError/badRequest(_:)`` (or a `DecodingError`) for bad arguments.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        switch name {
        case "status": self = .status
        case "calls": self = .calls
        case "call": self = .call(id: try container.decode(String.self, forKey: .call))
        case "history": self = .history(try HistoryQuery(from: decoder))
        case "hangup": self = .hangup(id: try container.decode(String.self, forKey: .call))
        case "watchCalls": self = .watchCalls
        case "meetings": self = .meetings
        case "meeting": self = .meeting(id: try container.decode(String.self, forKey: .meeting))
        case "meetingCreate": self = .meetingCreate(try MeetingCreation(from: decoder))
        case "meetingLock":
            self = .meetingLock(
                id: try container.decode(String.self, forKey: .meeting), locked: try container.decode(Bool.self, forKey: .locked))
        case "meetingEnd": self = .meetingEnd(id: try container.decode(String.self, forKey: .meeting))
        case "policyExplain": self = .policyExplain(try PolicyExplainRequest(from: decoder))
        case "trunks": self = .trunks
        case "reload": self = .reload
        default: throw ControlError.unknownCommand(name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch self {
        case .status, .calls, .watchCalls, .meetings, .trunks, .reload:
            break
        case .call(let id), .hangup(let id):
            try container.encode(id, forKey: .call)
        case .history(let query):
            try query.encode(to: encoder)
        case .meeting(let id), .meetingEnd(let id):
            try container.encode(id, forKey: .meeting)
        case .meetingLock(let id, let locked):
            try container.encode(id, forKey: .meeting)
            try container.encode(locked, forKey: .locked)
        case .meetingCreate(let creation):
            try creation.encode(to: encoder)
        case .policyExplain(let request):
            try request.encode(to: encoder)
        }
    }
}
