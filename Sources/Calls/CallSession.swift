import Dialplan
import SIP

/// The life of one inbound call as a UAS, from INVITE to the end of its dialog.
///
/// Only the call-level decisions live here (when to answer, retransmit the 2xx, give up on a
/// missing ACK, end the call); building and sending SIP messages is the `UserAgent`'s job.
/// Each event returns the effects to carry out (STYLE.md: state machines return actions).
public struct CallSession: Sendable {
    /// RFC 3261 §13.3.1.4: the 2xx to an INVITE is retransmitted by the UAS core (not the
    /// transaction) at T1, doubling to T2, until the ACK arrives or 64·T1 has passed.
    struct TwoXXRetransmission: Sendable, Equatable {
        var nextAt: SIPInstant
        var interval: Duration
        let giveUpAt: SIPInstant
    }

    enum State: Sendable, Equatable {
        /// The INVITE is pending: the dialplan decides (ring, early media, lookups) and answers.
        case proceeding
        /// 2xx sent, waiting for the ACK.
        case answered(TwoXXRetransmission)
        /// ACK received: the dialog is confirmed.
        case confirmed
        /// A 2xx to a re-INVITE is being retransmitted until its ACK (RFC 3261 §14.2 → §13.3.1.4).
        case reanswered(TwoXXRetransmission)
        /// We sent BYE and wait for its transaction to finish.
        case terminating(outcome: CallOutcome, reason: String, by: HangupParty)
        case ended
    }

    public enum Event: Sendable, Equatable {
        /// The dialplan answers the call.
        case answer
        /// A timer deadline (`deadline`) has passed.
        case timer
        /// The ACK for our 2xx arrived.
        case ack
        /// We answered a re-INVITE with a 2xx.
        case reinviteAnswered
        /// The caller sent CANCEL for the INVITE before we answered.
        case cancel
        /// The caller sent BYE.
        case bye
        /// Someone on our side ends the call (the operator, a drain, an application).
        case hangup(by: HangupParty, reason: String)
        /// Our BYE's client transaction finished (any final response, a timeout or a transport error).
        case byeFinished
        /// The dialplan refused the call after the INVITE was taken (final error response).
        case reject(status: Int, reason: String, reasonHeader: ReasonHeader?)
    }

    public enum Effect: Sendable, Equatable {
        /// Send 200 OK with the SDP answer.
        case answer
        /// Send the stored 2xx again (INVITE or re-INVITE).
        case retransmitAnswer
        /// Answer the INVITE with 487 Request Terminated (RFC 3261 §9.2).
        case terminateInvite
        /// Answer the INVITE with this final error response (with a Reason, RFC 6432).
        case rejectInvite(status: Int, reason: String, reasonHeader: ReasonHeader?)
        /// Send BYE with a Reason header (RFC 3326).
        case sendBye(reason: String)
        /// The call is over.
        case ended(CallOutcome, reason: String, by: HangupParty)
    }

    let timers: SIPTimerSettings
    private(set) var state: State

    /// Starts a call whose INVITE awaits the dialplan's answer.
    init(timers: SIPTimerSettings) {
        self.state = .proceeding
        self.timers = timers
    }

    /// The next instant this call needs `.timer`, if any.
    var deadline: SIPInstant? {
        switch state {
        case .proceeding: nil
        case .answered(let retransmission), .reanswered(let retransmission): min(retransmission.nextAt, retransmission.giveUpAt)
        case .confirmed, .terminating, .ended: nil
        }
    }

    var phase: CallPhase {
        switch state {
        case .proceeding: .ringing
        case .answered, .confirmed, .reanswered: .answered
        case .terminating: .ending
        case .ended: .ended
        }
    }

    var isEnded: Bool { state == .ended }

    /// Whether the INVITE still awaits its final response (so CANCEL applies).
    var isEarly: Bool { state == .proceeding }

    mutating func handle(_ event: Event, now: SIPInstant) -> [Effect] {
        switch (state, event) {
        case (.proceeding, .answer):
            state = .answered(startRetransmission(now: now))
            return [.answer]
        case (.proceeding, .cancel):
            state = .ended
            return [.terminateInvite, .ended(.cancelled, reason: "CANCEL from caller", by: .caller)]
        case (.proceeding, .hangup(let by, let reason)):
            // Before the answer, ending the call is a final response, not a BYE (RFC 3261 §15).
            state = .ended
            return [
                .rejectInvite(status: 480, reason: "Temporarily Unavailable", reasonHeader: nil), .ended(.rejected, reason: reason, by: by),
            ]
        case (.proceeding, .reject(let status, let reason, let header)):
            state = .ended
            return [
                .rejectInvite(status: status, reason: reason, reasonHeader: header),
                .ended(.rejected, reason: "\(status) \(reason)", by: .gateway),
            ]
        case (.proceeding, .bye):
            // A BYE before the dialog exists gets 481 from the user agent; nothing changes here.
            return []
        case (.proceeding, .ack), (.proceeding, .reinviteAnswered), (.proceeding, .byeFinished), (.proceeding, .timer):
            return []
        case (_, .answer):
            // Answered already (or over): nothing more to answer.
            return []

        case (.answered(let retransmission), .timer), (.reanswered(let retransmission), .timer):
            if now >= retransmission.giveUpAt {
                // RFC 3261 §13.3.1.4: no ACK within 64·T1 — confirm then end the session with BYE.
                state = .terminating(outcome: .failed, reason: "no ACK for 200 OK", by: .gateway)
                return [.sendBye(reason: "no ACK for 200 OK")]
            }
            guard now >= retransmission.nextAt else { return [] }
            let interval = min(retransmission.interval * 2, timers.t2)
            let next = TwoXXRetransmission(nextAt: now + interval, interval: interval, giveUpAt: retransmission.giveUpAt)
            state = state.isReanswer ? .reanswered(next) : .answered(next)
            return [.retransmitAnswer]
        case (.answered, .ack), (.reanswered, .ack):
            state = .confirmed
            return []
        case (.confirmed, .ack), (.confirmed, .timer):
            return []
        case (.confirmed, .reinviteAnswered), (.reanswered, .reinviteAnswered), (.answered, .reinviteAnswered):
            state = .reanswered(startRetransmission(now: now))
            return []

        case (.answered, .bye), (.confirmed, .bye), (.reanswered, .bye):
            state = .ended
            return [.ended(.completed, reason: "BYE from caller", by: .caller)]
        case (.answered, .hangup(let by, let reason)), (.confirmed, .hangup(let by, let reason)),
            (.reanswered, .hangup(let by, let reason)):
            state = .terminating(outcome: .completed, reason: reason, by: by)
            return [.sendBye(reason: reason)]
        case (.answered, .cancel), (.confirmed, .cancel), (.reanswered, .cancel):
            // RFC 3261 §9.2: a CANCEL after the final response has no effect on the call.
            return []
        case (.answered, .byeFinished), (.confirmed, .byeFinished), (.reanswered, .byeFinished):
            return []
        case (.answered, .reject), (.confirmed, .reject), (.reanswered, .reject):
            return []

        case (.terminating(let outcome, let reason, let by), .byeFinished):
            state = .ended
            return [.ended(outcome, reason: reason, by: by)]
        case (.terminating(let outcome, let reason, let by), .bye):
            // BYE glare: both sides hung up at once; the call is over either way.
            state = .ended
            return [.ended(outcome, reason: reason, by: by)]
        case (.terminating, .timer), (.terminating, .ack), (.terminating, .cancel), (.terminating, .hangup),
            (.terminating, .reinviteAnswered), (.terminating, .reject):
            return []

        case (.ended, _):
            return []
        }
    }

    private func startRetransmission(now: SIPInstant) -> TwoXXRetransmission {
        TwoXXRetransmission(nextAt: now + timers.t1, interval: timers.t1, giveUpAt: now + timers.t1 * 64)
    }
}

extension CallSession.State {
    fileprivate var isReanswer: Bool { if case .reanswered = self { true } else { false } }
}
