import SIP

/// The user agent's live calls by id, with each call's next deadline kept in a min-heap.
///
/// The signalling loop asks for the next deadline after every message and every timer. Scanning
/// every call for it (and copying each `Call` to read it) made each SIP event cost O(live calls):
/// 74 % of the daemon's CPU at 400 calls a second (docs/performance.md). Here a change to a call
/// re-files its deadline (O(log n)), the next deadline is the heap's top, and timers visit only the
/// calls that are due.
struct CallTable {
    private var storage: [GatewayCallID: Call] = [:]
    private var deadlines = SIPDeadlineHeap<GatewayCallID>()
    /// The deadline each call is filed under; heap entries that disagree are stale and skipped.
    private var filed: [GatewayCallID: SIPInstant] = [:]
    private var sequence: UInt64 = 0
    /// Live calls per trunk, for `max-calls` without counting every call on each INVITE.
    private(set) var countByTrunk: [String: Int] = [:]

    var count: Int { storage.count }
    var values: Dictionary<GatewayCallID, Call>.Values { storage.values }
    var keys: Dictionary<GatewayCallID, Call>.Keys { storage.keys }

    /// The earliest deadline of any call.
    var nextDeadline: SIPInstant? { deadlines.first?.deadline }

    subscript(id: GatewayCallID) -> Call? {
        get { storage[id] }
        // In place, so `calls[id]?.facts.timeline.note(...)` does not copy the call (a modify
        // accessor rather than get-and-set); the deadline and the trunk count follow the change.
        _modify {
            // Moved out and back rather than read before and after: reading a `Call` out of the
            // dictionary copies every field of it, twice per change (a tenth of the user agent's
            // time per call in SIPBenchmarks' user-agent row).
            var call = storage.removeValue(forKey: id)
            let trunkBefore = call?.facts.trunk
            yield &call
            let trunkAfter = call?.facts.trunk
            let deadline = call?.deadline
            // Not in a defer: a defer copies the call back, and none of the call's mutations throw,
            // so no caller abandons the access half-way.
            storage[id] = consume call  // moved back (nil: stays out), not copied
            changed(id, trunkBefore: trunkBefore, trunkAfter: trunkAfter, deadline: deadline)
        }
    }

    @discardableResult
    mutating func removeValue(forKey id: GatewayCallID) -> Call? {
        let removed = storage.removeValue(forKey: id)
        changed(id, trunkBefore: removed?.facts.trunk, trunkAfter: nil, deadline: nil)
        return removed
    }

    /// The calls whose deadline has come, earliest first, each once. They stay filed: whatever the
    /// caller does with them, `refile(_:)` puts each back under its new deadline.
    mutating func due(at now: SIPInstant) -> [GatewayCallID] {
        var due: [GatewayCallID] = []
        while let top = deadlines.first, top.deadline <= now {
            _ = deadlines.popFirst()
            guard filed[top.element] == top.deadline else { continue }
            filed[top.element] = nil
            due.append(top.element)
        }
        return due
    }

    /// Files a call again under its current deadline (after its timers were handled).
    mutating func refile(_ id: GatewayCallID) {
        let trunk = storage[id]?.facts.trunk
        changed(id, trunkBefore: trunk, trunkAfter: trunk, deadline: storage[id]?.deadline)
    }

    private mutating func changed(_ id: GatewayCallID, trunkBefore: String?, trunkAfter: String?, deadline: SIPInstant?) {
        if trunkBefore != trunkAfter {
            if let trunkBefore { countByTrunk[trunkBefore, default: 1] -= 1 }
            if let trunkAfter { countByTrunk[trunkAfter, default: 0] += 1 }
            if let trunkBefore, countByTrunk[trunkBefore] == 0 { countByTrunk[trunkBefore] = nil }
        }
        guard filed[id] != deadline else { return }
        filed[id] = deadline
        if let deadline {
            sequence += 1
            deadlines.insert(.init(deadline: deadline, sequence: sequence, element: id))
        }
        // Stale entries surface at the top only to be skipped; keep the top live so that
        // `nextDeadline` is exact, and drop them in bulk before they pile up.
        while let top = deadlines.first, filed[top.element] != top.deadline { _ = deadlines.popFirst() }
        if deadlines.count > 64 + 2 * filed.count {
            deadlines.compact { filed[$0.element] == $0.deadline }
        }
    }
}
