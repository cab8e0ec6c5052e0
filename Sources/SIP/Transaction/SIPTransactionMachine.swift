/// Any one of the four transaction machines, as the layer stores it.
enum SIPTransactionMachine: Sendable {
    case inviteServer(InviteServerTransaction)
    case nonInviteServer(NonInviteServerTransaction)
    case inviteClient(InviteClientTransaction)
    case nonInviteClient(NonInviteClientTransaction)

    /// The inputs the layer feeds machines, whichever kind they are.
    enum Event: Sendable {
        case requestRetransmitted
        case ack(SIPRequest)
        case respond(SIPResponse)
        case response(SIPResponse)
        case timerFired(SIPTimer)
        case transportError
    }

    /// Routes the event to the machine's own event type. Events that a kind of machine cannot
    /// receive (an ACK for a non-INVITE server, a response for a server) produce no actions;
    /// the layer's matching never sends them, so they can only come from a caller's key mix-up.
    mutating func handle(_ event: Event, now: SIPInstant) -> [SIPTransactionAction] {
        switch self {
        case .inviteServer(var transaction):
            let actions: [SIPTransactionAction]
            switch event {
            case .requestRetransmitted: actions = transaction.handle(.requestRetransmitted, now: now)
            case .ack(let ack): actions = transaction.handle(.ack(ack), now: now)
            case .respond(let response): actions = transaction.handle(.respond(response), now: now)
            case .response: actions = []
            case .timerFired(let timer): actions = transaction.handle(.timerFired(timer), now: now)
            case .transportError: actions = transaction.handle(.transportError, now: now)
            }
            self = .inviteServer(transaction)
            return actions
        case .nonInviteServer(var transaction):
            let actions: [SIPTransactionAction]
            switch event {
            case .requestRetransmitted: actions = transaction.handle(.requestRetransmitted, now: now)
            case .ack, .response: actions = []
            case .respond(let response): actions = transaction.handle(.respond(response), now: now)
            case .timerFired(let timer): actions = transaction.handle(.timerFired(timer), now: now)
            case .transportError: actions = transaction.handle(.transportError, now: now)
            }
            self = .nonInviteServer(transaction)
            return actions
        case .inviteClient(var transaction):
            let actions: [SIPTransactionAction]
            switch event {
            case .requestRetransmitted, .ack, .respond: actions = []
            case .response(let response): actions = transaction.handle(.response(response), now: now)
            case .timerFired(let timer): actions = transaction.handle(.timerFired(timer), now: now)
            case .transportError: actions = transaction.handle(.transportError, now: now)
            }
            self = .inviteClient(transaction)
            return actions
        case .nonInviteClient(var transaction):
            let actions: [SIPTransactionAction]
            switch event {
            case .requestRetransmitted, .ack, .respond: actions = []
            case .response(let response): actions = transaction.handle(.response(response), now: now)
            case .timerFired(let timer): actions = transaction.handle(.timerFired(timer), now: now)
            case .transportError: actions = transaction.handle(.transportError, now: now)
            }
            self = .nonInviteClient(transaction)
            return actions
        }
    }
}
