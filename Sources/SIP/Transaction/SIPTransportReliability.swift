/// Whether the transport a transaction uses delivers reliably.
///
/// RFC 3261 §17: retransmission timers (A, E, G) run only over unreliable transports, and the
/// "wait for stragglers" timers (D, I, J, K) are zero over reliable ones.
public enum SIPTransportReliability: Hashable, Sendable {
    /// TCP, TLS, SCTP.
    case reliable
    /// UDP.
    case unreliable
}
