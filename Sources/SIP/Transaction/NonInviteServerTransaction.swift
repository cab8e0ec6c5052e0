/// The non-INVITE server transaction of RFC 3261 §17.2.2 (also used for CANCEL, §9.2).
///
/// ```
///   request / pass to TU
///         |
///   +-----v----+  1xx from TU / send   +------------+  1xx from TU / send
///   |  Trying  |---------------------->| Proceeding |  request / resend last 1xx
///   +----------+                       +------------+
///         | 200-699 from TU / send           | 200-699 from TU / send
///         +---------------+  +---------------+
///                         v  v
///                    +-----------+  request / resend final
///                    | Completed |
///                    +-----------+
///                          | Timer J (64*T1 on UDP, 0 on TCP)
///                    +------------+
///                    | Terminated |
///                    +------------+
/// ```
public struct NonInviteServerTransaction: Sendable {
    public enum Event: Hashable, Sendable {
        /// The transport delivered a retransmission of the request.
        case requestRetransmitted
        /// The TU sends a response through the transaction.
        case respond(SIPResponse)
        case timerFired(SIPTimer)
        case transportError
    }

    public enum Phase: Hashable, Sendable {
        case trying, proceeding, completed, terminated
    }

    private enum State: Sendable {
        case trying
        case proceeding(lastProvisional: SIPResponse)
        case completed(finalResponse: SIPResponse)
        case terminated
    }

    public let request: SIPRequest
    public let reliability: SIPTransportReliability
    public let settings: SIPTimerSettings
    private var state: State

    private init(request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings) {
        self.request = request
        self.reliability = reliability
        self.settings = settings
        self.state = .trying
    }

    /// Creates the transaction for a new request and passes the request up (§17.2.2: Trying).
    public static func start(
        request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings = SIPTimerSettings(),
        now: SIPInstant
    ) -> (transaction: NonInviteServerTransaction, actions: [SIPTransactionAction]) {
        let transaction = NonInviteServerTransaction(request: request, reliability: reliability, settings: settings)
        return (transaction, [.passToTU(.request(request))])
    }

    public var phase: Phase {
        switch state {
        case .trying: .trying
        case .proceeding: .proceeding
        case .completed: .completed
        case .terminated: .terminated
        }
    }

    public mutating func handle(_ event: Event, now: SIPInstant) -> [SIPTransactionAction] {
        switch (state, event) {
        // MARK: Trying
        case (.trying, .requestRetransmitted):
            // RFC 3261 §17.2.2: retransmissions in Trying are discarded.
            return []
        case (.trying, .respond(let response)), (.proceeding, .respond(let response)):
            if response.isProvisional {
                state = .proceeding(lastProvisional: response)
                return [.send(.response(response))]
            }
            return complete(with: response, now: now)
        case (.trying, .timerFired(let timer)):
            switch timer {
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .l, .m: return []  // no timers in Trying
            }
        case (.trying, .transportError):
            return []  // nothing has been sent yet

        // MARK: Proceeding
        case (.proceeding(let lastProvisional), .requestRetransmitted):
            // RFC 3261 §17.2.2: a retransmission gets the most recent provisional response.
            return [.send(.response(lastProvisional))]
        case (.proceeding, .timerFired(let timer)):
            switch timer {
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .k, .l, .m: return []  // no timers in Proceeding
            }
        case (.proceeding, .transportError):
            state = .terminated
            return [.transportError, .terminated]

        // MARK: Completed
        case (.completed(let finalResponse), .requestRetransmitted):
            // RFC 3261 §17.2.2: a retransmission gets the final response again.
            return [.send(.response(finalResponse))]
        case (.completed, .respond):
            // RFC 3261 §17.2.2: further responses from the TU are discarded.
            return []
        case (.completed, .timerFired(let timer)):
            switch timer {
            case .j:
                state = .terminated
                return [.terminated]
            case .a, .b, .d, .e, .f, .g, .h, .i, .k, .l, .m:
                return []
            }
        case (.completed, .transportError):
            state = .terminated
            return [.cancel(.j), .transportError, .terminated]

        // MARK: Terminated
        case (.terminated, .requestRetransmitted), (.terminated, .respond), (.terminated, .timerFired),
            (.terminated, .transportError):
            return []
        }
    }

    private mutating func complete(with response: SIPResponse, now: SIPInstant) -> [SIPTransactionAction] {
        // RFC 3261 §17.2.2: Completed; Timer J = 64*T1 on UDP, 0 (terminate now) on reliable transports.
        let waitJ = settings.timerJ(reliability)
        if waitJ == .zero {
            state = .terminated
            return [.send(.response(response)), .terminated]
        }
        state = .completed(finalResponse: response)
        return [.send(.response(response)), .schedule(.j, at: now + waitJ)]
    }
}
