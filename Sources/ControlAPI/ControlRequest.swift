/// One request line: `{"version":1,"id":7,"command":{"name":"calls"}}`.
public struct ControlRequest: Codable, Sendable, Hashable {
    /// The protocol version the client speaks (``ControlWire/version``).
    public var version: Int
    /// Chosen by the client; the reply (and every event of a subscription) carries it back.
    public var id: Int
    public var command: ControlCommand

    public init(version: Int = ControlWire.version, id: Int, command: ControlCommand) {
        self.version = version
        self.id = id
        self.command = command
    }
}

/// A request line the server could not accept, with the reply to send for it.
public struct ControlRequestRejection: Error, Sendable, Hashable {
    /// The request id, when the line was readable enough to have one.
    public var id: Int?
    public var error: ControlError

    public init(id: Int?, error: ControlError) {
        self.id = id
        self.error = error
    }

    /// The error reply for this line.
    public var reply: ControlReply { ControlReply(id: id, result: .failure(error)) }
}
