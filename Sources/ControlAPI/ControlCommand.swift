/// Everything a client can ask the daemon, in protocol version 1.
///
/// On the wire a command is an object with a `name` and its arguments beside it:
/// `{"name":"call","call":"c7f3a2"}`. Later issues add cases (`reload`, `meetingCreate`,
/// `policyExplain`, ...); a daemon that does not know a name answers ``ControlError/unknownCommand(_:)``
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

    /// The command's name on the wire.
    public var name: String {
        switch self {
        case .status: "status"
        case .calls: "calls"
        case .call: "call"
        case .history: "history"
        case .hangup: "hangup"
        case .watchCalls: "watchCalls"
        }
    }
}

extension ControlCommand: Codable {
    private enum CodingKeys: String, CodingKey {
        case name
        case call
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
        default: throw ControlError.unknownCommand(name)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        switch self {
        case .status, .calls, .watchCalls:
            break
        case .call(let id), .hangup(let id):
            try container.encode(id, forKey: .call)
        case .history(let query):
            try query.encode(to: encoder)
        }
    }
}
