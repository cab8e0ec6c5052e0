/// The transaction timers of RFC 3261 §17 (Table 4) and RFC 6026 §8 (Timers L and M),
/// named after the RFC so that code and spec read alike.
public enum SIPTimer: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// INVITE client: request retransmission (unreliable transports only), §17.1.1.2.
    case a
    /// INVITE client: transaction timeout, 64*T1, §17.1.1.2.
    case b
    /// INVITE client: wait for response retransmissions in Completed, §17.1.1.2.
    case d
    /// Non-INVITE client: request retransmission (unreliable only), §17.1.2.2.
    case e
    /// Non-INVITE client: transaction timeout, 64*T1, §17.1.2.2.
    case f
    /// INVITE server: final response retransmission (unreliable only), §17.2.1.
    case g
    /// INVITE server: wait for ACK, 64*T1, §17.2.1.
    case h
    /// INVITE server: absorb ACK retransmissions in Confirmed, §17.2.1.
    case i
    /// Non-INVITE server: absorb request retransmissions in Completed, §17.2.2.
    case j
    /// Non-INVITE client: absorb response retransmissions in Completed, §17.1.2.2.
    case k
    /// INVITE server: stay in Accepted to absorb INVITE retransmissions, RFC 6026 §7.1.
    case l
    /// INVITE client: stay in Accepted to pass 2xx retransmissions up, RFC 6026 §7.2.
    case m

    public var description: String {
        switch self {
        case .a: "Timer A"
        case .b: "Timer B"
        case .d: "Timer D"
        case .e: "Timer E"
        case .f: "Timer F"
        case .g: "Timer G"
        case .h: "Timer H"
        case .i: "Timer I"
        case .j: "Timer J"
        case .k: "Timer K"
        case .l: "Timer L"
        case .m: "Timer M"
        }
    }
}
