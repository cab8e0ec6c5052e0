/// What a single transaction state machine asks its owner (the transaction layer) to do.
public enum SIPTransactionAction: Hashable, Sendable {
    /// Hand the message to the transport, to the transaction's peer.
    case send(SIPMessage)
    /// Start (or restart) the timer; it fires as `.timerFired(timer)` at `at`.
    case schedule(SIPTimer, at: SIPInstant)
    /// Stop the timer if it is running.
    case cancel(SIPTimer)
    /// Deliver the message to the transaction user.
    case passToTU(SIPMessage)
    /// The transaction timed out (Timer B, F or H): tell the TU (RFC 3261 §17.1.1.2, §17.2.1).
    case timeout
    /// The transport failed to send: tell the TU (RFC 3261 §17.1.4, §17.2.4).
    case transportError
    /// The transaction reached Terminated; it can be destroyed along with its timers.
    case terminated
}
