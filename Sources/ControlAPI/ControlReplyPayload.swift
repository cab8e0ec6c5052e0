/// The successful result of a command. On the wire (and in `dialgatectl --json`) each is an object
/// with one key naming it: `{"calls":[...]}`, `{"call":{...}}`, `{"status":{...}}`, `{"history":[...]}`,
/// `{"watching":[...]}`, `{"event":{...}}`, `{"meetings":[...]}`, `{"meeting":{...}}`, `{"reload":{...}}`, `{"policy":{...}}`, `{"trunks":[...]}`.
public enum ControlReplyPayload: Sendable, Hashable {
    case status(GatewayStatus)
    case calls([CallSnapshot])
    /// The reply to `call ID` and to `hangup ID` (the call as it is after the hangup was started).
    case call(CallSnapshot)
    case history([CallSnapshot])
    /// The first reply to `watchCalls`: the live calls at the moment the subscription started.
    case watching([CallSnapshot])
    /// A later line of a `watchCalls` subscription.
    case event(ControlEvent)
    /// The reply to `meetings`: every meeting, without passcodes.
    case meetings([MeetingSnapshot])
    /// The reply to `meeting ID` and `meetingCreate`: one meeting with its passcode.
    case meeting(MeetingSnapshot)
    /// The reply to `reload`, whether the new plan was accepted or refused.
    case reload(DialplanReloadResult)
    /// The reply to `policyExplain`.
    case policy(PolicyExplanation)
    /// The reply to `trunks`.
    case trunks([TrunkSnapshot])
}

extension ControlReplyPayload: Codable {
    private enum CodingKeys: String, CodingKey {
        case status, calls, call, history, watching, event, meetings, meeting, reload, policy, trunks
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a reply has exactly one known key")
            )
        }
        switch key {
        case .status: self = .status(try container.decode(GatewayStatus.self, forKey: .status))
        case .calls: self = .calls(try container.decode([CallSnapshot].self, forKey: .calls))
        case .call: self = .call(try container.decode(CallSnapshot.self, forKey: .call))
        case .history: self = .history(try container.decode([CallSnapshot].self, forKey: .history))
        case .watching: self = .watching(try container.decode([CallSnapshot].self, forKey: .watching))
        case .event: self = .event(try container.decode(ControlEvent.self, forKey: .event))
        case .meetings: self = .meetings(try container.decode([MeetingSnapshot].self, forKey: .meetings))
        case .meeting: self = .meeting(try container.decode(MeetingSnapshot.self, forKey: .meeting))
        case .reload: self = .reload(try container.decode(DialplanReloadResult.self, forKey: .reload))
        case .policy: self = .policy(try container.decode(PolicyExplanation.self, forKey: .policy))
        case .trunks: self = .trunks(try container.decode([TrunkSnapshot].self, forKey: .trunks))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .status(let status): try container.encode(status, forKey: .status)
        case .calls(let calls): try container.encode(calls, forKey: .calls)
        case .call(let call): try container.encode(call, forKey: .call)
        case .history(let calls): try container.encode(calls, forKey: .history)
        case .watching(let calls): try container.encode(calls, forKey: .watching)
        case .event(let event): try container.encode(event, forKey: .event)
        case .meetings(let meetings): try container.encode(meetings, forKey: .meetings)
        case .meeting(let meeting): try container.encode(meeting, forKey: .meeting)
        case .reload(let result): try container.encode(result, forKey: .reload)
        case .policy(let explanation): try container.encode(explanation, forKey: .policy)
        case .trunks(let trunks): try container.encode(trunks, forKey: .trunks)
        }
    }
}
