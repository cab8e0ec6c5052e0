import SIP

/// Reliable provisional responses of one INVITE (RFC 3262): the early-media 183 that carriers need
/// to hear before answer (toll-free numbers), sent with `Require: 100rel` and an `RSeq`,
/// retransmitted until the caller's PRACK acknowledges it.
///
/// Pure: events in with the instant, what to do out.
struct ProvisionalReliability: Sendable, Equatable {
    /// What the caller's INVITE said of 100rel.
    enum PeerSupport: Sendable, Equatable {
        case none
        /// `Supported: 100rel`: we send the 183 with SDP reliably (its answer must not be lost).
        case supported
        /// `Require: 100rel`: every provisional above 100 goes reliably (§3).
        case required
    }

    struct Pending: Sendable, Equatable {
        var response: SIPResponse
        var rseq: UInt32
        var nextAt: SIPInstant
        var interval: Duration
        let giveUpAt: SIPInstant
        var carriesSDP: Bool
    }

    let peer: PeerSupport
    /// The RSeq of the next reliable provisional response (random start, §3: 1 to 2³¹−1).
    private(set) var nextRSeq: UInt32
    private(set) var pending: Pending?
    /// The dialplan answered while a 183 with SDP awaited its PRACK: §3 forbids the 2xx until then.
    var answerHeld = false

    init(peer: PeerSupport, firstRSeq: UInt32) {
        self.peer = peer
        self.nextRSeq = max(1, firstRSeq & 0x7FFF_FFFF)
    }

    init(_ headers: SIPHeaders, firstRSeq: UInt32) {
        let required = (try? headers.optionTags("Require"))?.contains("100rel") == true
        let supported = (try? headers.optionTags("Supported"))?.contains("100rel") == true
        self.init(peer: required ? .required : supported ? .supported : .none, firstRSeq: firstRSeq)
    }

    /// Whether this provisional response goes reliably.
    func isReliable(status: Int, withSDP: Bool) -> Bool {
        guard status > 100, status < 200 else { return false }
        switch peer {
        case .none: return false
        case .supported: return withSDP
        case .required: return true
        }
    }

    /// Whether a reliable provisional response is unacknowledged (§3: only one at a time).
    var isAwaitingPRACK: Bool { pending != nil }

    /// Marks `response` reliable (`Require: 100rel`, `RSeq`) and starts its retransmissions (T1,
    /// doubling, for 64·T1: §3).
    mutating func send(_ response: inout SIPResponse, now: SIPInstant, timers: SIPTimerSettings) {
        let rseq = nextRSeq
        nextRSeq = nextRSeq == 0x7FFF_FFFF ? 1 : nextRSeq + 1
        response.headers.add("Require", "100rel")
        response.headers.add("RSeq", String(rseq))
        pending = Pending(
            response: response, rseq: rseq, nextAt: now + timers.t1, interval: timers.t1, giveUpAt: now + timers.t1 * 64,
            carriesSDP: !response.body.isEmpty)
    }

    var deadline: SIPInstant? { pending.map { min($0.nextAt, $0.giveUpAt) } }

    enum TimerOutcome: Sendable, Equatable {
        case nothing
        case retransmit(SIPResponse)
        /// No PRACK in 64·T1: the INVITE is to be refused with a 5xx (§3).
        case gaveUp
    }

    mutating func timerFired(now: SIPInstant, timers: SIPTimerSettings) -> TimerOutcome {
        guard var current = pending else { return .nothing }
        if now >= current.giveUpAt {
            pending = nil
            return .gaveUp
        }
        guard now >= current.nextAt else { return .nothing }
        current.interval = min(current.interval * 2, timers.t2)
        current.nextAt = now + current.interval
        pending = current
        return .retransmit(current.response)
    }

    enum PRACKOutcome: Sendable, Equatable {
        /// It acknowledged the pending response; `answerNow`: a held answer may go.
        case acknowledged(answerNow: Bool)
        /// No unacknowledged response has this RAck (§3: 481).
        case unmatched
    }

    /// A PRACK with `RAck: rseq cseq method` (§7.2) for the INVITE with CSeq `inviteSequence`.
    mutating func prack(rack: String, inviteSequence: UInt32) -> PRACKOutcome {
        let parts = rack.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 3, let rseq = UInt32(parts[0]), let cseq = UInt32(parts[1]), parts[2].uppercased() == "INVITE",
            cseq == inviteSequence, let current = pending, current.rseq == rseq
        else { return .unmatched }
        pending = nil
        let answerNow = answerHeld
        answerHeld = false
        return .acknowledged(answerNow: answerNow)
    }
}
