/// The INVITE client transaction of RFC 3261 §17.1.1 as amended by RFC 6026 §7.2.
///
/// ```
///        send INVITE; Timer A (UDP), Timer B
///                  |
///   Timer A /  +---v----+  Timer B / timeout
///   resend --> | Calling|-------------------------------+
///              +--------+                               |
///        1xx / to TU |    \ 2xx / to TU                 |
///                    v     \                            |
///            +------------+ \      +----------+         |
///  1xx / TU  | Proceeding |--+---->| Accepted | 2xx / to TU
///            +------------+ 2xx    +----------+         |
///   300-699 / ACK, to TU |              | Timer M       |
///            +-----------v+             |               |
///  300-699 / | Completed  |             |               |
///  ACK again +------------+             |               |
///               | Timer D               v               v
///               +------------------> Terminated <-------+
/// ```
public struct InviteClientTransaction: Sendable {
    public enum Event: Hashable, Sendable {
        /// The transport delivered a response matching this transaction.
        case response(SIPResponse)
        case timerFired(SIPTimer)
        case transportError
    }

    public enum Phase: Hashable, Sendable {
        case calling, proceeding, completed, accepted, terminated
    }

    private enum State: Sendable {
        /// `retransmitInterval` is Timer A's next value.
        case calling(retransmitInterval: Duration)
        case proceeding
        /// `ack` is re-sent for every retransmission of the final response.
        case completed(ack: SIPRequest)
        case accepted
        case terminated
    }

    /// The INVITE this transaction sends.
    public let request: SIPRequest
    public let reliability: SIPTransportReliability
    public let settings: SIPTimerSettings
    private var state: State

    private init(request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings) {
        self.request = request
        self.reliability = reliability
        self.settings = settings
        self.state = .calling(retransmitInterval: settings.t1)
    }

    /// Creates the transaction and sends the INVITE (RFC 3261 §17.1.1.2: Calling; Timer A = T1 on
    /// unreliable transports, Timer B = 64*T1).
    public static func start(
        request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings = SIPTimerSettings(),
        now: SIPInstant
    ) -> (transaction: InviteClientTransaction, actions: [SIPTransactionAction]) {
        let transaction = InviteClientTransaction(request: request, reliability: reliability, settings: settings)
        var actions: [SIPTransactionAction] = [.send(.request(request))]
        if reliability == .unreliable { actions.append(.schedule(.a, at: now + settings.t1)) }
        actions.append(.schedule(.b, at: now + settings.timerB))
        return (transaction, actions)
    }

    public var phase: Phase {
        switch state {
        case .calling: .calling
        case .proceeding: .proceeding
        case .completed: .completed
        case .accepted: .accepted
        case .terminated: .terminated
        }
    }

    public mutating func handle(_ event: Event, now: SIPInstant) -> [SIPTransactionAction] {
        switch (state, event) {
        // MARK: Calling
        case (.calling, .response(let response)):
            // Leaving Calling stops the retransmissions and the timeout (§17.1.1.2).
            return [.cancel(.a), .cancel(.b)] + responseBeforeFinal(response, now: now)
        case (.calling(let interval), .timerFired(let timer)):
            switch timer {
            case .a:
                // RFC 3261 §17.1.1.2: retransmit and double the interval (no T2 cap for INVITE).
                let next = interval * 2
                state = .calling(retransmitInterval: next)
                return [.send(.request(request)), .schedule(.a, at: now + next)]
            case .b:
                state = .terminated
                return [.cancel(.a), .timeout, .terminated]
            case .d, .e, .f, .g, .h, .i, .j, .k, .l, .m:
                return []
            }
        case (.calling, .transportError):
            // RFC 3261 §17.1.4: inform the TU; the transaction is over.
            state = .terminated
            return [.cancel(.a), .cancel(.b), .transportError, .terminated]

        // MARK: Proceeding
        case (.proceeding, .response(let response)):
            return responseBeforeFinal(response, now: now)
        case (.proceeding, .timerFired(let timer)):
            switch timer {
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .l, .m: return []  // no timers in Proceeding
            }
        case (.proceeding, .transportError):
            state = .terminated
            return [.transportError, .terminated]

        // MARK: Completed
        case (.completed(let ack), .response(let response)):
            // RFC 3261 §17.1.1.2: retransmitted final responses are ACKed again, not passed up.
            // RFC 6026 §7.2 adds nothing for a 2xx here; it cannot belong to this transaction.
            return response.isFinal && !response.isSuccess ? [.send(.request(ack))] : []
        case (.completed, .timerFired(let timer)):
            switch timer {
            case .d:
                state = .terminated
                return [.terminated]
            case .a, .b, .e, .f, .g, .h, .i, .j, .k, .l, .m:
                return []
            }
        case (.completed, .transportError):
            // RFC 3261 §17.1.1.2: a transport failure sending the ACK terminates the transaction.
            state = .terminated
            return [.cancel(.d), .transportError, .terminated]

        // MARK: Accepted (RFC 6026 §7.2)
        case (.accepted, .response(let response)):
            // RFC 6026 §7.2: further 2xx (retransmissions, other forks) go to the TU; others dropped.
            return response.isSuccess ? [.passToTU(.response(response))] : []
        case (.accepted, .timerFired(let timer)):
            switch timer {
            case .m:
                state = .terminated
                return [.terminated]
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .l:
                return []
            }
        case (.accepted, .transportError):
            return []  // the transaction sends nothing in Accepted; the ACK for 2xx is the TU's

        // MARK: Terminated
        case (.terminated, .response), (.terminated, .timerFired), (.terminated, .transportError):
            return []
        }
    }

    /// A response in Calling or Proceeding (RFC 3261 §17.1.1.2, RFC 6026 §7.2).
    private mutating func responseBeforeFinal(_ response: SIPResponse, now: SIPInstant) -> [SIPTransactionAction] {
        if response.isProvisional {
            state = .proceeding
            return [.passToTU(.response(response))]
        }
        if response.isSuccess {
            // RFC 6026 §7.2: 2xx → Accepted, Timer M = 64*T1; the TU sends the ACK (§13.2.2.4).
            state = .accepted
            return [.passToTU(.response(response)), .schedule(.m, at: now + settings.timerM)]
        }
        // RFC 3261 §17.1.1.2: 300-699 → ACK, pass up, Completed with Timer D (0 on reliable).
        let ack = SIPTransactionMessages.ack(for: request, response: response)
        let actions: [SIPTransactionAction] = [.send(.request(ack)), .passToTU(.response(response))]
        let waitD = settings.timerD(reliability)
        if waitD == .zero {
            state = .terminated
            return actions + [.terminated]
        }
        state = .completed(ack: ack)
        return actions + [.schedule(.d, at: now + waitD)]
    }
}
