import ControlAPI

/// What the control socket asks of the gateway. The gateway implements it; the server only
/// frames, decodes and answers.
public protocol ControlCommandHandler: Sendable {
    /// Carries out one command. Errors are replies (``ControlError``), never thrown: the
    /// connection stays open after them. The server handles ``ControlCommand/watchCalls`` itself
    /// (with ``callEvents()`` and `.calls`), so a handler never receives it.
    func handle(_ command: ControlCommand) async -> Result<ControlReplyPayload, ControlError>

    /// A new subscription to call changes, one stream per watching client, ended by the server
    /// when the client goes away (`onTermination` tells the gateway to drop the subscriber).
    /// Use a bounded buffering policy (e.g. `.bufferingNewest(1000)`): a watcher that stops
    /// reading must not make the gateway hold unbounded memory.
    func callEvents() -> AsyncStream<ControlEvent>
}
