extension SIPTransactionLayer {
    /// Server and client transactions are kept apart (§17.1.3 and §17.2.3 match different messages).
    struct TableKey: Hashable, Sendable {
        enum Side: Hashable, Sendable { case server, client }
        var side: Side
        var key: SIPTransactionKey
    }

    struct Entry: Sendable {
        var machine: SIPTransactionMachine
        let peer: Peer
        /// The running timers and the sequence number of their heap entry; an entry whose number
        /// is not here is stale.
        var timers: [SIPTimer: UInt64] = [:]
    }

    struct TimerReference: Sendable {
        var transaction: TableKey
        var timer: SIPTimer
    }

    /// Feeds one event to one transaction and turns its actions into layer actions.
    mutating func dispatch(_ event: SIPTransactionMachine.Event, to tableKey: TableKey, now: SIPInstant) -> [Action] {
        guard var entry = transactions[tableKey] else { return [] }
        let actions = entry.machine.handle(event, now: now)
        transactions[tableKey] = entry
        return apply(actions, for: tableKey)
    }

    /// Carries out a machine's actions: timers go to the heap, the rest become layer actions.
    mutating func apply(_ actions: [SIPTransactionAction], for tableKey: TableKey) -> [Action] {
        guard let peer = transactions[tableKey]?.peer else { return [] }
        let key = tableKey.key
        var result: [Action] = []
        for action in actions {
            switch action {
            case .send(let message):
                result.append(.send(message, to: peer))
            case .schedule(let timer, let deadline):
                guard transactions[tableKey] != nil else { continue }
                nextSequence &+= 1
                if transactions[tableKey]?.timers.updateValue(nextSequence, forKey: timer) == nil {
                    liveTimerCount += 1
                }
                deadlines.insert(
                    SIPDeadlineHeap<TimerReference>.Entry(
                        deadline: deadline, sequence: nextSequence,
                        element: TimerReference(transaction: tableKey, timer: timer)))
            case .cancel(let timer):
                if transactions[tableKey]?.timers.removeValue(forKey: timer) != nil {
                    liveTimerCount -= 1
                }
            case .passToTU(.request(let request)):
                result.append(deliver(request, tableKey: tableKey, peer: peer))
            case .passToTU(.response(let response)):
                result.append(.response(response, key))
            case .timeout:
                result.append(.timeout(key, key.method))
            case .transportError:
                result.append(.transportError(key))
            case .terminated:
                if let removed = transactions.removeValue(forKey: tableKey) {
                    liveTimerCount -= removed.timers.count
                }
                result.append(.terminated(key))
            }
        }
        return result
    }

    /// A request a server transaction passes up: the new request itself, or an ACK (Accepted).
    private func deliver(_ request: SIPRequest, tableKey: TableKey, peer: Peer) -> Action {
        switch request.method {
        case .ack:
            return .ackForTU(request, from: peer)
        case .cancel:
            // RFC 3261 §9.2: the CANCEL matches the INVITE server transaction with the same branch
            // and sent-by while that transaction exists. If it has already sent its final response,
            // the CANCEL still gets 200 but changes nothing: that is the TU's call to make.
            let invite = TableKey(side: .server, key: tableKey.key.invite)
            let matching = transactions[invite] != nil ? invite.key : nil
            return .cancel(request, tableKey.key, matchingInvite: matching, from: peer)
        case .invite, .bye, .options, .register, .info, .update, .prack, .message, .subscribe, .notify,
            .refer, .publish, .other:
            return .request(request, tableKey.key, from: peer)
        }
    }

    /// Drops stale entries from the top of the heap (so `nextDeadline` is exact) and compacts the
    /// heap when cancelled timers outnumber live ones, so cancellations cannot grow it unboundedly.
    mutating func tidyDeadlines() {
        while let top = deadlines.first,
            transactions[top.element.transaction]?.timers[top.element.timer] != top.sequence
        {
            _ = deadlines.popFirst()
        }
        if deadlines.count > 2 * liveTimerCount + 64 {
            deadlines.compact { transactions[$0.element.transaction]?.timers[$0.element.timer] == $0.sequence }
        }
    }
}
