/// The non-INVITE client transaction of RFC 3261 §17.1.2.
///
/// ```
///       send request; Timer E (UDP), Timer F
///                  |
///  Timer E /   +---v----+  Timer F / timeout      +------------+
///  resend ---> | Trying |------------------------>|            |
///              +--------+                         |            |
///        1xx / to TU |   \ 200-699 / to TU        |            |
///                    v    \                       |            |
///  Timer E / +------------+ \    +-----------+    | Terminated |
///  resend -->| Proceeding |--+-->| Completed |--->|            |
///  1xx / TU  +------------+      +-----------+    |            |
///         Timer F / timeout       Timer K         +------------+
/// ```
public struct NonInviteClientTransaction: Sendable {
    public enum Event: Hashable, Sendable {
        case response(SIPResponse)
        case timerFired(SIPTimer)
        case transportError
    }

    public enum Phase: Hashable, Sendable {
        case trying, proceeding, completed, terminated
    }

    private enum State: Sendable {
        /// `retransmitInterval` is Timer E's next value.
        case trying(retransmitInterval: Duration)
        case proceeding
        case completed
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
        self.state = .trying(retransmitInterval: settings.t1)
    }

    /// Creates the transaction and sends the request (RFC 3261 §17.1.2.2: Trying; Timer E = T1 on
    /// unreliable transports, Timer F = 64*T1).
    public static func start(
        request: SIPRequest, reliability: SIPTransportReliability, settings: SIPTimerSettings = SIPTimerSettings(),
        now: SIPInstant
    ) -> (transaction: NonInviteClientTransaction, actions: [SIPTransactionAction]) {
        let transaction = NonInviteClientTransaction(request: request, reliability: reliability, settings: settings)
        var actions: [SIPTransactionAction] = [.send(.request(request))]
        if reliability == .unreliable { actions.append(.schedule(.e, at: now + settings.t1)) }
        actions.append(.schedule(.f, at: now + settings.timerF))
        return (transaction, actions)
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
        // MARK: Trying and Proceeding
        case (.trying, .response(let response)), (.proceeding, .response(let response)):
            if response.isProvisional {
                state = .proceeding
                return [.passToTU(.response(response))]
            }
            return complete(with: response, now: now)
        case (.trying(let interval), .timerFired(let timer)):
            switch timer {
            case .e:
                // RFC 3261 §17.1.2.2: retransmit; the interval doubles up to T2.
                let next = min(interval * 2, settings.t2)
                state = .trying(retransmitInterval: next)
                return [.send(.request(request)), .schedule(.e, at: now + next)]
            case .f:
                state = .terminated
                return [.cancel(.e), .timeout, .terminated]
            case .a, .b, .d, .g, .h, .i, .j, .k, .l, .m:
                return []
            }
        case (.proceeding, .timerFired(let timer)):
            switch timer {
            case .e:
                // RFC 3261 §17.1.2.2: in Proceeding, retransmit every T2.
                return [.send(.request(request)), .schedule(.e, at: now + settings.t2)]
            case .f:
                state = .terminated
                return [.cancel(.e), .timeout, .terminated]
            case .a, .b, .d, .g, .h, .i, .j, .k, .l, .m:
                return []
            }
        case (.trying, .transportError), (.proceeding, .transportError):
            // RFC 3261 §17.1.4: inform the TU; the transaction is over.
            state = .terminated
            return [.cancel(.e), .cancel(.f), .transportError, .terminated]

        // MARK: Completed
        case (.completed, .response):
            // RFC 3261 §17.1.2.2: Completed buffers (absorbs) response retransmissions.
            return []
        case (.completed, .timerFired(let timer)):
            switch timer {
            case .k:
                state = .terminated
                return [.terminated]
            case .a, .b, .d, .e, .f, .g, .h, .i, .j, .l, .m:
                return []
            }
        case (.completed, .transportError):
            return []  // nothing is sent in Completed

        // MARK: Terminated
        case (.terminated, .response), (.terminated, .timerFired), (.terminated, .transportError):
            return []
        }
    }

    private mutating func complete(with response: SIPResponse, now: SIPInstant) -> [SIPTransactionAction] {
        // RFC 3261 §17.1.2.2: final → pass up, stop E and F, Completed with Timer K (0 on reliable).
        let actions: [SIPTransactionAction] = [.cancel(.e), .cancel(.f), .passToTU(.response(response))]
        let waitK = settings.timerK(reliability)
        if waitK == .zero {
            state = .terminated
            return actions + [.terminated]
        }
        state = .completed
        return actions + [.schedule(.k, at: now + waitK)]
    }
}
