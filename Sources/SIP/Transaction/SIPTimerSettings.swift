/// The base timer values of RFC 3261 §17.1.1.1 / Table 4 and the timers derived from them.
public struct SIPTimerSettings: Hashable, Sendable {
    /// RTT estimate (RFC 3261 §17.1.1.1: default 500 ms).
    public var t1: Duration
    /// Maximum retransmission interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Duration
    /// Maximum time a message can remain in the network (default 5 s).
    public var t4: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// 64*T1: Timers B, F, H, J (unreliable), L and M (RFC 3261 Table 4, RFC 6026 §8).
    public var transactionTimeout: Duration { t1 * 64 }

    /// Timer B: INVITE client transaction timeout.
    public var timerB: Duration { transactionTimeout }
    /// Timer F: non-INVITE client transaction timeout.
    public var timerF: Duration { transactionTimeout }
    /// Timer H: INVITE server waits this long for an ACK.
    public var timerH: Duration { transactionTimeout }
    /// Timer L: INVITE server stays in Accepted (RFC 6026 §8.6).
    public var timerL: Duration { transactionTimeout }
    /// Timer M: INVITE client stays in Accepted (RFC 6026 §8.4).
    public var timerM: Duration { transactionTimeout }

    /// Timer D: INVITE client in Completed. RFC 3261 Table 4: "> 32 s for UDP, 0 s for TCP/SCTP".
    public func timerD(_ reliability: SIPTransportReliability) -> Duration {
        switch reliability {
        case .reliable: .zero
        case .unreliable: max(.seconds(32), transactionTimeout)
        }
    }

    /// Timer I: INVITE server in Confirmed. T4 for UDP, 0 s for TCP/SCTP.
    public func timerI(_ reliability: SIPTransportReliability) -> Duration {
        switch reliability {
        case .reliable: .zero
        case .unreliable: t4
        }
    }

    /// Timer J: non-INVITE server in Completed. 64*T1 for UDP, 0 s for TCP/SCTP.
    public func timerJ(_ reliability: SIPTransportReliability) -> Duration {
        switch reliability {
        case .reliable: .zero
        case .unreliable: transactionTimeout
        }
    }

    /// Timer K: non-INVITE client in Completed. T4 for UDP, 0 s for TCP/SCTP.
    public func timerK(_ reliability: SIPTransportReliability) -> Duration {
        switch reliability {
        case .reliable: .zero
        case .unreliable: t4
        }
    }
}
