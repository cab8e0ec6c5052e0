import Dialplan
import SIP

/// One phone leg: its dialog, its session state machine, and what records show about it.
struct Call {
    var facts: CallFacts
    var session: CallSession
    var dialog: Dialog
    /// The INVITE server transaction that created the call.
    let inviteKey: SIPTransactionKey
    let invite: SIPRequest
    /// Where responses and in-dialog requests go.
    let peer: SIPPeer
    /// Our RTP port for the call's media.
    let rtpPort: Int
    /// The call's run through the dialplan it started with (a reload never changes it).
    var run: DialplanRun
    /// What the leg plays now.
    var program: MediaProgram = .silence
    /// The leg's media runs (after 183 early media or the answer).
    var mediaStarted = false
    /// Who the entry guard counts this caller as (the address, or a trusted trunk's caller).
    let guardSource: String
    /// The Reason our BYE carries (RFC 3326), when the dialplan chose one.
    var byeReason: ReasonHeader?
    /// End the call when this playback finishes (a last prompt, then BYE).
    var hangupAfterPlayback: (id: Int, reason: ReasonHeader)?
    /// The outcome the record gets when the call ends (a policy refusal), instead of the usual one.
    var endOutcome: CallOutcome?
    /// The leg is a participant of a meeting (its dialplan reached `join`).
    var inMeeting = false
    /// The leg's conference program, to return to after an announcement.
    var conference: MediaProgram?
    /// `*` was pressed in the meeting: the next key is a control (`*6`, `*#`).
    var awaitingControlKey = false

    /// The meeting side holds the caller out of its roster for now (waiting for the host, or for
    /// the host's answer to an `e2ee` meeting's lobby).
    var inLobby = false

    /// What the records and `dialgatectl` show: the session's phase, refined once answered: `lobby`
    /// while the meeting holds the caller, `on-hold` while the caller holds us, `in-meeting` once joined.
    var phase: CallPhase {
        guard session.phase == .answered else { return session.phase }
        if inMeeting && inLobby { return .lobby }
        if media.onHold { return .onHold }
        return inMeeting ? .inMeeting : .answered
    }
    /// The trunk's longest call: the call ends at this instant.
    let endsAt: SIPInstant?
    /// How much of the run's journal has gone to the log.
    var journalLogged = 0
    /// The last DTMF digit, for reporting each press once across RFC 4733, SIP INFO and tones.
    var lastDigit: (digit: Character, source: DigitSource, at: SIPInstant)?
    /// The media negotiated so far (our SDP, the codec, hold state).
    var media: NegotiatedSession
    /// The last 2xx we sent to an INVITE or re-INVITE, retransmitted until its ACK.
    var lastAnswer: SIPResponse?
    /// RFC 4028: the dialog's session timer, when one was negotiated.
    var sessionTimer: SessionTimer?
    /// RFC 3262: the peer's 100rel (`supported` or `required`), our last RSeq, the reliable
    /// provisional response awaiting its PRACK, and an answer held until that PRACK.
    var reliability: ProvisionalReliability
    /// The peer's Allow (from its INVITE): whether a session refresh may use UPDATE (RFC 3311).
    let peerAllowsUpdate: Bool
}

/// RFC 3261 §12: what identifies and routes a dialog, from the UAS's side.
struct Dialog {
    let callID: String
    let localTag: String
    let remoteTag: String
    /// Our URI with our tag (the To of the INVITE), used as From in our requests.
    let localAddress: SIPNameAddress
    /// The caller's From, used as To in our requests.
    let remoteAddress: SIPNameAddress
    /// Contact of the caller's latest target-refresh request (§12.2.2).
    var remoteTarget: SIPURI
    /// Record-Route of the INVITE, in order (§12.1.1).
    let routeSet: [String]
    var remoteSequence: UInt32
    var localSequence: UInt32

    var key: DialogKey { DialogKey(callID: callID, localTag: localTag, remoteTag: remoteTag) }
}

/// Call-ID plus both tags (RFC 3261 §12).
struct DialogKey: Hashable {
    var callID: String
    var localTag: String
    var remoteTag: String

    /// The dialog an in-dialog request from the remote side belongs to: our tag is in its To.
    init?(inbound request: SIPRequest) {
        guard let callID = try? request.headers.callID(), let localTag = (try? request.headers.to())?.tag,
            let remoteTag = (try? request.headers.from())?.tag
        else { return nil }
        self.init(callID: callID, localTag: localTag, remoteTag: remoteTag)
    }

    init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }
}

extension Call {
    /// The next instant the call needs a timer: its session's, its dialplan's, or its trunk's limit.
    // Inlined: the call table asks for it on a call in its own storage, and an outlined getter
    // had the whole `Call` copied to pass it.
    @inline(__always) var deadline: SIPInstant? {
        // Without building an array: this runs on every change to a call.
        func earlier(_ a: SIPInstant?, _ b: SIPInstant?) -> SIPInstant? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a, b)
        }
        return earlier(earlier(earlier(session.deadline, run.deadline), earlier(endsAt, reliability.deadline)), sessionTimerDeadline)
    }

    /// The session timer runs from the answer (RFC 4028 §10), and stops once the call is ending.
    @inline(__always) var sessionTimerDeadline: SIPInstant? {
        guard !session.isEarly, session.phase == .answered else { return nil }
        return sessionTimer?.deadline
    }
}

// In-place steps on a call, for `calls[id]?.step(...)`: through the table's modify accessor the
// call is changed where it lives. The alternative, `var call = calls[id]` ... `calls[id] = call`,
// copies every field of the call and, while the table still holds the old value, every array the
// step appends to (the timeline): several per SIP message (docs/performance.md, call rate).
extension Call {
    /// Feeds the session state machine and keeps the shown phase in step.
    mutating func handle(_ event: CallSession.Event, now: SIPInstant) -> [CallSession.Effect] {
        let effects = session.handle(event, now: now)
        facts.phase = phase
        return effects
    }

    /// Puts the dialplan steps not yet on the timeline there.
    mutating func noteDialplanSteps(_ steps: [UserAgentAction]) {
        for case .dialplanStep(_, let entry) in steps {
            facts.timeline.note(.dialplan, entry.text, at: entry.at, location: entry.location)
        }
        journalLogged = run.journal.count
    }
}
