/// A change to one call, streamed to `watchCalls` subscribers.
public struct ControlEvent: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case callStarted
        case callUpdated
        case callEnded
    }

    public var kind: Kind
    /// The call as it is after the change.
    public var call: CallSnapshot

    public init(kind: Kind, call: CallSnapshot) {
        self.kind = kind
        self.call = call
    }
}
