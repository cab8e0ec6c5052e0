import SIP
import Testing

@testable import Calls

/// The call state machine, event by event, with instants we choose (no clock, no sleeps).
@Suite struct CallSessionTests {
    let timers = SIPTimerSettings()
    let start = SIPInstant(nanoseconds: 1_000_000_000)

    @Test func answersWhenTheDialplanSays() {
        var session = CallSession(timers: timers)
        #expect(session.deadline == nil, "the dialplan, not the session, decides when to answer")
        #expect(session.handle(.timer, now: start + .seconds(1)) == [])
        #expect(session.phase == .ringing)
        #expect(session.handle(.answer, now: start) == [.answer])
        #expect(session.phase == .answered)
        #expect(session.handle(.answer, now: start) == [], "one answer only")
    }

    /// RFC 3261 §13.3.1.4: 2xx again at T1, 2·T1, 4·T1, capped at T2, until the ACK.
    @Test func retransmitsTheAnswerUntilAckWithBackoffCappedAtT2() {
        var session = CallSession(timers: timers)
        _ = session.handle(.answer, now: start)
        var now = start
        var gaps: [Duration] = []
        for _ in 0..<6 {
            let next = session.deadline!
            gaps.append(next - now)
            now = next
            #expect(session.handle(.timer, now: now) == [.retransmitAnswer])
        }
        #expect(gaps == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(4), .seconds(4)])
        #expect(session.handle(.ack, now: now) == [])
        #expect(session.deadline == nil)
        #expect(session.handle(.timer, now: now + .seconds(60)) == [])
    }

    /// Lost ACK: after 64·T1 the call is confirmed and ended with BYE (RFC 3261 §13.3.1.4).
    @Test func missingAckEndsTheCallWithBye() {
        var session = CallSession(timers: timers)
        _ = session.handle(.answer, now: start)
        var effects: [CallSession.Effect] = []
        var now = start
        while let next = session.deadline, next <= start + .seconds(33) {
            now = next
            effects = session.handle(.timer, now: now)
            if effects != [.retransmitAnswer] { break }
        }
        #expect(now == start + timers.t1 * 64)
        #expect(effects == [.sendBye(reason: "no ACK for 200 OK")])
        #expect(session.phase == .ending)
        #expect(session.handle(.byeFinished, now: now) == [.ended(.failed, reason: "no ACK for 200 OK", by: .gateway)])
        #expect(session.isEnded)
    }

    @Test func cancelWhileRingingTerminatesTheInvite() {
        var session = CallSession(timers: timers)
        #expect(session.handle(.cancel, now: start) == [.terminateInvite, .ended(.cancelled, reason: "CANCEL from caller", by: .caller)])
        #expect(session.handle(.answer, now: start + .seconds(5)) == [], "a cancelled call never answers")
    }

    /// RFC 3261 §9.2: CANCEL after the final response changes nothing.
    @Test func cancelAfterTheAnswerIsIgnored() {
        var session = CallSession(timers: timers)
        _ = session.handle(.answer, now: start)
        #expect(session.handle(.cancel, now: start) == [])
        #expect(session.phase == .answered)
    }

    @Test func byeFromTheCallerEndsAConfirmedCall() {
        var session = confirmed()
        #expect(session.handle(.bye, now: start + .seconds(10)) == [.ended(.completed, reason: "BYE from caller", by: .caller)])
    }

    @Test func operatorHangupSendsByeThenEndsWhenItCompletes() {
        var session = confirmed()
        #expect(
            session.handle(.hangup(by: .operator, reason: "hangup by operator"), now: start) == [.sendBye(reason: "hangup by operator")])
        #expect(session.phase == .ending)
        #expect(session.handle(.hangup(by: .operator, reason: "again"), now: start) == [], "one BYE only")
        #expect(session.handle(.byeFinished, now: start) == [.ended(.completed, reason: "hangup by operator", by: .operator)])
    }

    @Test func byeGlareEndsTheCallOnce() {
        var session = confirmed()
        _ = session.handle(.hangup(by: .gateway, reason: "shutdown"), now: start)
        #expect(session.handle(.bye, now: start) == [.ended(.completed, reason: "shutdown", by: .gateway)])
        #expect(session.handle(.byeFinished, now: start) == [])
    }

    @Test func hangupBeforeTheAnswerIsAFinalResponse() {
        var session = CallSession(timers: timers)
        #expect(
            session.handle(.hangup(by: .operator, reason: "hangup by operator"), now: start)
                == [
                    .rejectInvite(status: 480, reason: "Temporarily Unavailable", reasonHeader: nil),
                    .ended(.rejected, reason: "hangup by operator", by: .operator),
                ])
    }

    @Test func reinviteAnswerIsRetransmittedUntilItsAck() {
        var session = confirmed()
        #expect(session.handle(.reinviteAnswered, now: start) == [])
        #expect(session.deadline == start + timers.t1)
        #expect(session.handle(.timer, now: start + timers.t1) == [.retransmitAnswer])
        #expect(session.handle(.ack, now: start + timers.t1) == [])
        #expect(session.deadline == nil)
    }

    private func confirmed() -> CallSession {
        var session = CallSession(timers: timers)
        _ = session.handle(.answer, now: start)
        _ = session.handle(.ack, now: start)
        return session
    }
}
