/// The INVITE server transaction of RFC 3261 §17.2.1 as amended by RFC 6026 §7.1.
///
/// ```
///            INVITE / pass to TU, send 100
///                  |
///   INVITE/ resend +--v--------+  1xx from TU / send
///   last 1xx ----> | Proceeding|<----
///                  +-----------+
///     300-699 from TU |     | 2xx from TU / send
///                     v     v
///      +-----------+      +----------+  INVITE / absorb; 2xx from TU / send;
///      | Completed |      | Accepted |  ACK / pass to TU
///      +-----------+      +----------+
///   ACK |   | Timer H          | Timer L
///       v   v (timeout)        v
///  +-----------+  Timer I  +------------+
///  | Confirmed |---------->| Terminated |
///  +-----------+           +------------+
/// ```
///
/// The 100 (Trying) is sent at once, when the transaction starts, rather than after 200 ms
/// (§17.2.1 allows either). The gateway's TU often needs longer than 200 ms (dialplan, meeting
/// lookup), an immediate 100 stops the caller's Timer A retransmissions straight away, and it
/// saves a timer per call; the cost is one small datagram for calls answered very quickly.
public struct InviteServerTransaction: Sendable {
    /// Inputs to the machine.
    public enum Event: Hashable, Sendable {
        /// The transport delivered a retransmission of the INVITE.
        case requestRetransmitted
        /// The transport delivered an ACK matching this transaction.
        case ack(SIPRequest)
        /// The TU sends a response through the transaction.
        case respond(SIPResponse)
        /// A timer this transaction scheduled fired.
        case timerFired(SIPTimer)
        /// The transport could not send a message of this transaction.
        case transportError
    }

    /// The RFC state, without its data (for inspection and tests).
    public enum Phase: Hashable, Sendable {
        case proceeding, completed, confirmed, accepted, terminated
    }

    private enum State: Sendable {
        case proceeding(lastProvisional: SIPResponse)
        /// `retransmitInterval` is Timer G's next value.
        case completed(finalResponse: SIPResponse, retransmitInterval: Duration)
        case confirmed
        case accepted
        case terminated
    }

    /// The INVITE that created the transaction.
    public let request: SIPRequest
    public let reliability: SIPTransportReliability
    public let settings: SIPTimerSettings
    private var state: State

    private init(request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings) {
        self.request = request
        self.reliability = reliability
        self.settings = settings
        self.state = .proceeding(lastProvisional: SIPTransactionMessages.trying(for: request))
    }

    /// Creates the transaction for a new INVITE: it sends 100 (Trying) and passes the INVITE up.
    public static func start(
        request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings = SIPTimerSettings(),
        now: SIPInstant
    ) -> (transaction: InviteServerTransaction, actions: [SIPTransactionAction]) {
        let transaction = InviteServerTransaction(request: request, reliability: reliability, settings: settings)
        let trying = SIPTransactionMessages.trying(for: request)
        // RFC 3261 §17.2.1: "the server transaction MUST generate a 100 (Trying) response".
        return (transaction, [.send(.response(trying)), .passToTU(.request(request))])
    }

    public var phase: Phase {
        switch state {
        case .proceeding: .proceeding
        case .completed: .completed
        case .confirmed: .confirmed
        case .accepted: .accepted
        case .terminated: .terminated
        }
    }

    public mutating func handle(_ event: Event, now: SIPInstant) -> [SIPTransactionAction] {
        switch (state, event) {
        // MARK: Proceeding
        case (.proceeding(let lastProvisional), .requestRetransmitted):
            // RFC 3261 §17.2.1: a retransmitted INVITE gets the most recent provisional response.
            return [.send(.response(lastProvisional))]
        case (.proceeding, .ack):
            // An ACK before any final response matches nothing meaningful; drop it.
            return []
        case (.proceeding, .respond(let response)):
            return respondWhileProceeding(response, now: now)
        case (.proceeding, .timerFired(let timer)):
            switch timer {
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .l, .m: return []  // no timers run in Proceeding
            }
        case (.proceeding, .transportError):
            state = .terminated
            return [.transportError, .terminated]

        // MARK: Completed
        case (.completed(let finalResponse, _), .requestRetransmitted):
            // RFC 3261 §17.2.1: retransmitted INVITEs in Completed get the final response again.
            return [.send(.response(finalResponse))]
        case (.completed, .ack):
            // RFC 3261 §17.2.1: ACK → Confirmed; Timer G stops; Timer I = T4 (UDP) or 0.
            let waitI = settings.timerI(reliability)
            if waitI == .zero {
                state = .terminated
                return [.cancel(.g), .cancel(.h), .terminated]
            }
            state = .confirmed
            return [.cancel(.g), .cancel(.h), .schedule(.i, at: now + waitI)]
        case (.completed, .respond):
            // The final response is fixed; anything further from the TU is dropped.
            return []
        case (.completed(let finalResponse, let interval), .timerFired(let timer)):
            switch timer {
            case .g:
                // RFC 3261 §17.2.1: retransmit, doubling the interval up to T2.
                let next = min(interval * 2, settings.t2)
                state = .completed(finalResponse: finalResponse, retransmitInterval: next)
                return [.send(.response(finalResponse)), .schedule(.g, at: now + next)]
            case .h:
                // RFC 3261 §17.2.1: the ACK never came; tell the TU and terminate.
                state = .terminated
                return [.cancel(.g), .timeout, .terminated]
            case .a, .b, .d, .e, .f, .i, .j, .k, .l, .m:
                return []
            }
        case (.completed, .transportError):
            state = .terminated
            return [.cancel(.g), .cancel(.h), .transportError, .terminated]

        // MARK: Confirmed
        case (.confirmed, .requestRetransmitted), (.confirmed, .ack), (.confirmed, .respond):
            // RFC 3261 §17.2.1: Confirmed exists to absorb retransmitted ACKs (and INVITEs).
            return []
        case (.confirmed, .timerFired(let timer)):
            switch timer {
            case .i:
                state = .terminated
                return [.terminated]
            case .a, .b, .d, .e, .f, .g, .h, .j, .k, .l, .m:
                return []
            }
        case (.confirmed, .transportError):
            return []  // nothing is sent in Confirmed

        // MARK: Accepted (RFC 6026 §7.1)
        case (.accepted, .requestRetransmitted):
            // RFC 6026 §7.1: absorbed without a response; the TU retransmits the 2xx itself.
            return []
        case (.accepted, .ack(let ack)):
            // RFC 6026 §7.1: the ACK for a 2xx belongs to the dialog; pass it up.
            return [.passToTU(.request(ack))]
        case (.accepted, .respond(let response)):
            // RFC 6026 §7.1: 2xx retransmissions from the TU go out through the transaction.
            return response.isSuccess ? [.send(.response(response))] : []
        case (.accepted, .timerFired(let timer)):
            switch timer {
            case .l:
                state = .terminated
                return [.terminated]
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .m:
                return []
            }
        case (.accepted, .transportError):
            state = .terminated
            return [.cancel(.l), .transportError, .terminated]

        // MARK: Terminated
        case (.terminated, .requestRetransmitted), (.terminated, .ack), (.terminated, .respond),
            (.terminated, .timerFired), (.terminated, .transportError):
            return []
        }
    }

    private mutating func respondWhileProceeding(_ response: SIPResponse, now: SIPInstant) -> [SIPTransactionAction] {
        if response.isProvisional {
            state = .proceeding(lastProvisional: response)
            return [.send(.response(response))]
        }
        if response.isSuccess {
            // RFC 6026 §7.1: 2xx → Accepted, Timer L = 64*T1.
            state = .accepted
            return [.send(.response(response)), .schedule(.l, at: now + settings.timerL)]
        }
        // RFC 3261 §17.2.1: 300-699 → Completed; Timer G (UDP only) at T1, Timer H at 64*T1.
        state = .completed(finalResponse: response, retransmitInterval: settings.t1)
        var actions: [SIPTransactionAction] = [.send(.response(response))]
        if reliability == .unreliable { actions.append(.schedule(.g, at: now + settings.t1)) }
        actions.append(.schedule(.h, at: now + settings.timerH))
        return actions
    }
}
