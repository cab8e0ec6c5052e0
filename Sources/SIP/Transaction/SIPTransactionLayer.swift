/// Owns every SIP transaction of an endpoint and their timers (RFC 3261 §17).
///
/// Pure: the adapter feeds it messages from the transport, requests and responses from the TU,
/// and the current time; it returns what to send, what to deliver to the TU, and when it next
/// needs `fireTimers(now:)`. Transactions are matched by `SIPTransactionKey` (§17.1.3, §17.2.3);
/// server and client transactions live in separate namespaces, so a peer that reuses our branch
/// cannot reach our client transactions with a request.
public struct SIPTransactionLayer<Peer: Hashable & Sendable>: Sendable {
    /// What the layer asks the adapter and the TU to do.
    public enum Action: Hashable, Sendable {
        /// Hand the message to the transport for `to`.
        case send(SIPMessage, to: Peer)
        /// A new request (not ACK, not CANCEL) for the TU; answer it with `respond(_:key:now:)`.
        case request(SIPRequest, SIPTransactionKey, from: Peer)
        /// A new CANCEL for the TU (RFC 3261 §9.2). `key` is the CANCEL's own transaction (answer it
        /// 200). `matchingInvite` is the INVITE server transaction it matches, while that one exists
        /// (the TU answers the INVITE 487 if it has not answered it yet, RFC 3261 §9.2); nil means
        /// no transaction matches and the TU answers the CANCEL 481.
        case cancel(SIPRequest, SIPTransactionKey, matchingInvite: SIPTransactionKey?, from: Peer)
        /// An ACK for the TU: it matched an INVITE server transaction in Accepted (RFC 6026 §7.1) or
        /// no transaction at all (the ACK for a 2xx, RFC 3261 §13.3.1.4). It belongs to a dialog.
        case ackForTU(SIPRequest, from: Peer)
        /// A response for the TU from one of its client transactions.
        case response(SIPResponse, SIPTransactionKey)
        /// The transaction timed out: Timer B or F (no final response), or H (no ACK).
        case timeout(SIPTransactionKey, SIPMethod)
        /// The transport could not deliver a message of the transaction (RFC 3261 §17.1.4, §17.2.4).
        case transportError(SIPTransactionKey)
        /// The transaction ended and is gone from the layer.
        case terminated(SIPTransactionKey)
        /// The table is full (`maximumTransactions`), so no transaction was created. For a received
        /// request the TU answers 503 statelessly (RFC 3261 §21.5.4); a TU request was not sent.
        case overloaded(SIPRequest, SIPTransactionKey, peer: Peer)
        /// The TU tried to start a client transaction whose key is already in use; nothing was sent.
        case duplicateTransaction(SIPTransactionKey)
        /// A response that matches no client transaction (RFC 3261 §17.1.3, §18.1.2: a UAC drops it).
        case stray(SIPResponse)
    }

    public let settings: SIPTimerSettings
    /// The most transactions (server and client together) the layer keeps at once.
    public let maximumTransactions: Int

    var transactions: [TableKey: Entry] = [:]
    var deadlines = SIPDeadlineHeap<TimerReference>()
    var nextSequence: UInt64 = 0
    /// Number of timers currently scheduled (live heap entries), to know when to compact.
    var liveTimerCount = 0

    public init(
        settings: SIPTimerSettings = SIPTimerSettings(),
        maximumTransactions: Int = SIPTransactionLimits.defaultMaximumTransactions
    ) {
        self.settings = settings
        self.maximumTransactions = max(0, maximumTransactions)
    }

    /// Live transactions, server and client.
    public var count: Int { transactions.count }

    /// New requests are refused at `maximumTransactions`; requests within a dialog (a To tag: BYE,
    /// re-INVITE, UPDATE, our own BYE) get a quarter more, so a flood of new calls cannot keep the
    /// calls already up from being refreshed or ended.
    func limit(for request: SIPRequest) -> Int {
        guard (try? request.headers.to())?.tag != nil else { return maximumTransactions }
        return maximumTransactions + maximumTransactions / 4
    }

    /// When `fireTimers(now:)` next has work: the earliest running timer, or nil if none runs.
    /// O(1): stale (cancelled) entries are removed from the top after every call.
    public var nextDeadline: SIPInstant? { deadlines.first?.deadline }

    // MARK: Transport → layer

    /// A request from the transport. `key` is built from its top Via; its method is taken from the
    /// request (ACK folded into INVITE).
    public mutating func receive(
        request: SIPRequest, key: SIPTransactionKey, from peer: Peer, reliability: SIPTransportReliability,
        now: SIPInstant
    ) -> [Action] {
        let key = key.with(method: request.method)
        let tableKey = TableKey(side: .server, key: key)
        defer { tidyDeadlines() }
        if request.method == .ack {
            // RFC 3261 §17.2.3: an ACK matches the INVITE server transaction with its branch.
            // In Completed it is absorbed; in Accepted it is passed up (RFC 6026 §7.1); without a
            // transaction it is the ACK for a 2xx and goes to the TU (§13.3.1.4).
            guard transactions[tableKey] != nil else { return [.ackForTU(request, from: peer)] }
            return dispatch(.ack(request), to: tableKey, now: now)
        }
        if transactions[tableKey] != nil {
            // RFC 3261 §17.2.3: a retransmission; the transaction absorbs or answers it.
            return dispatch(.requestRetransmitted, to: tableKey, now: now)
        }
        guard transactions.count < limit(for: request) else {
            return [.overloaded(request, key, peer: peer)]
        }
        let machine: SIPTransactionMachine
        let actions: [SIPTransactionAction]
        if request.method == .invite {
            let started = InviteServerTransaction.start(
                request: request, reliability: reliability, settings: settings, now: now)
            machine = .inviteServer(started.transaction)
            actions = started.actions
        } else {
            let started = NonInviteServerTransaction.start(
                request: request, reliability: reliability, settings: settings, now: now)
            machine = .nonInviteServer(started.transaction)
            actions = started.actions
        }
        transactions[tableKey] = Entry(machine: machine, peer: peer)
        return apply(actions, for: tableKey)
    }

    /// A response from the transport; `key` is built from its top Via branch and sent-by and the
    /// CSeq method (RFC 3261 §17.1.3).
    public mutating func receive(response: SIPResponse, key: SIPTransactionKey, now: SIPInstant) -> [Action] {
        let tableKey = TableKey(side: .client, key: key)
        defer { tidyDeadlines() }
        guard transactions[tableKey] != nil else { return [.stray(response)] }
        return dispatch(.response(response), to: tableKey, now: now)
    }

    /// The transport failed to send a message of the transaction with this key.
    public mutating func transportError(key: SIPTransactionKey, now: SIPInstant) -> [Action] {
        defer { tidyDeadlines() }
        var actions: [Action] = []
        for side in [TableKey.Side.client, .server] {
            let tableKey = TableKey(side: side, key: key)
            if transactions[tableKey] != nil {
                actions += dispatch(.transportError, to: tableKey, now: now)
            }
        }
        return actions
    }

    // MARK: TU → layer

    /// The TU answers the server transaction `key`. A key with no transaction (it ended, e.g. Timer
    /// H fired or it never existed) produces no actions.
    public mutating func respond(_ response: SIPResponse, key: SIPTransactionKey, now: SIPInstant) -> [Action] {
        let tableKey = TableKey(side: .server, key: key)
        defer { tidyDeadlines() }
        guard transactions[tableKey] != nil else { return [] }
        return dispatch(.respond(response), to: tableKey, now: now)
    }

    /// The TU sends a request in a new client transaction; the TU chose the branch in `key`.
    /// An ACK is sent as is, without a transaction: the ACK for a 2xx is the TU's own
    /// (RFC 3261 §13.2.2.4, §17.1.1.3), and the transaction ACKs non-2xx responses itself.
    public mutating func send(
        request: SIPRequest, key: SIPTransactionKey, to peer: Peer, reliability: SIPTransportReliability,
        now: SIPInstant
    ) -> [Action] {
        if request.method == .ack { return [.send(.request(request), to: peer)] }
        let key = key.with(method: request.method)
        let tableKey = TableKey(side: .client, key: key)
        defer { tidyDeadlines() }
        guard transactions[tableKey] == nil else { return [.duplicateTransaction(key)] }
        guard transactions.count < limit(for: request) else {
            return [.overloaded(request, key, peer: peer)]
        }
        let machine: SIPTransactionMachine
        let actions: [SIPTransactionAction]
        if request.method == .invite {
            let started = InviteClientTransaction.start(
                request: request, reliability: reliability, settings: settings, now: now)
            machine = .inviteClient(started.transaction)
            actions = started.actions
        } else {
            let started = NonInviteClientTransaction.start(
                request: request, reliability: reliability, settings: settings, now: now)
            machine = .nonInviteClient(started.transaction)
            actions = started.actions
        }
        transactions[tableKey] = Entry(machine: machine, peer: peer)
        return apply(actions, for: tableKey)
    }

    // MARK: Time

    /// Fires every timer due at or before `now`. A timer rescheduled while firing (Timer A, E, G)
    /// counts its interval from `now`, the moment of the retransmission, and waits for the next
    /// call even if already due, so a call always ends. Call again at `nextDeadline`.
    public mutating func fireTimers(now: SIPInstant) -> [Action] {
        var due: [SIPDeadlineHeap<TimerReference>.Entry] = []
        while let top = deadlines.first, top.deadline <= now, let popped = deadlines.popFirst() {
            due.append(popped)
        }
        var actions: [Action] = []
        for entry in due {
            let reference = entry.element
            // Skip timers cancelled or replaced since (including by an earlier timer in this batch).
            guard transactions[reference.transaction]?.timers[reference.timer] == entry.sequence else { continue }
            transactions[reference.transaction]?.timers[reference.timer] = nil
            liveTimerCount -= 1
            actions += dispatch(.timerFired(reference.timer), to: reference.transaction, now: now)
        }
        tidyDeadlines()
        return actions
    }
}
