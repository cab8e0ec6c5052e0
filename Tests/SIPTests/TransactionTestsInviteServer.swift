import SIP
import Testing

@Suite struct TransactionInviteServerTests {
    typealias F = TransactionFixtures
    let invite = F.request(.invite, extraVia: true)

    @Test func startSends100TryingAtOnceAndPassesTheInviteUp() throws {
        let (transaction, actions) = InviteServerTransaction.start(
            request: invite, reliability: .unreliable, now: .zero)
        #expect(transaction.phase == .proceeding)
        #expect(actions.passedToTU == [.request(invite)])
        let trying = try #require(actions.sent.first)
        guard case .response(let response) = trying else {
            Issue.record("expected a response, got \(trying)")
            return
        }
        #expect(response.statusCode == 100)
        // RFC 3261 §8.2.6.1: Via (all, in order), From, To, Call-ID, CSeq copied.
        #expect(response.headers.values("Via") == invite.headers.values("Via"))
        #expect(response.headers["From"] == invite.headers["From"])
        #expect(response.headers["To"] == invite.headers["To"])
        #expect(response.headers["Call-ID"] == invite.headers["Call-ID"])
        #expect(response.headers["CSeq"] == "314159 INVITE")
        #expect(response.headers["Contact"] == nil)
        #expect(actions.scheduled.isEmpty)
    }

    @Test func retransmittedInviteIsAnsweredWithTheLastProvisional() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(500)).sentStatusCodes == [100])
        let ringing = F.response(180, to: invite)
        #expect(transaction.handle(.respond(ringing), now: F.at(600)) == [.send(.response(ringing))])
        #expect(transaction.phase == .proceeding)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(1500)) == [.send(.response(ringing))])
        #expect(transaction.handle(.ack(F.request(.ack)), now: F.at(1600)).isEmpty)
    }

    /// Lost ACK over UDP: the 486 goes out again at T1, 2T1, 4T1, then every T2; Timer H times out.
    @Test func lostAckOverUDPRetransmitsWithTimerGCappedAtT2UntilTimerH() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        let busy = F.response(486, to: invite)
        let first = transaction.handle(.respond(busy), now: .zero)
        #expect(first.sentStatusCodes == [486])
        #expect(first.scheduled == [.g: F.at(500), .h: F.at(32_000)])
        #expect(transaction.phase == .completed)

        var now = F.at(500)
        var intervals: [Int64] = []
        while now < F.at(32_000) {
            let actions = transaction.handle(.timerFired(.g), now: now)
            #expect(actions.sentStatusCodes == [486])
            guard let next = actions.scheduled[.g] else {
                Issue.record("Timer G not rescheduled at \(now)")
                return
            }
            intervals.append((next.nanoseconds - now.nanoseconds) / 1_000_000)
            now = next
        }
        #expect(Array(intervals.prefix(5)) == [1000, 2000, 4000, 4000, 4000])
        let timeout = transaction.handle(.timerFired(.h), now: F.at(32_000))
        #expect(timeout == [.cancel(.g), .timeout, .terminated])
        #expect(transaction.phase == .terminated)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(33_000)).isEmpty)
    }

    @Test func lostAckOverTCPHasNoRetransmissionsOnlyTimerH() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .reliable, now: .zero)
        let actions = transaction.handle(.respond(F.response(486, to: invite)), now: F.at(100))
        #expect(actions.scheduled == [.h: F.at(32_100)])
        #expect(transaction.handle(.timerFired(.h), now: F.at(32_100)).contains(.timeout))
        #expect(transaction.phase == .terminated)
    }

    @Test func ackMovesCompletedToConfirmedAndTimerITerminates() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        let busy = F.response(486, to: invite)
        _ = transaction.handle(.respond(busy), now: .zero)
        // RFC 3261 §17.2.1: a retransmitted INVITE in Completed gets the final response again.
        #expect(transaction.handle(.requestRetransmitted, now: F.at(200)) == [.send(.response(busy))])
        let ack = F.request(.ack)
        #expect(
            transaction.handle(.ack(ack), now: F.at(700)) == [.cancel(.g), .cancel(.h), .schedule(.i, at: F.at(5_700))])
        #expect(transaction.phase == .confirmed)
        // Confirmed absorbs further ACKs and INVITEs, and timers that are no longer running.
        #expect(transaction.handle(.ack(ack), now: F.at(800)).isEmpty)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(900)).isEmpty)
        #expect(transaction.handle(.timerFired(.g), now: F.at(1_000)).isEmpty)
        #expect(transaction.handle(.timerFired(.i), now: F.at(5_700)) == [.terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func ackOverTCPTerminatesAtOnceBecauseTimerIIsZero() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .reliable, now: .zero)
        _ = transaction.handle(.respond(F.response(603, to: invite)), now: .zero)
        #expect(transaction.handle(.ack(F.request(.ack)), now: F.at(50)).terminates)
        #expect(transaction.phase == .terminated)
    }

    /// RFC 6026 §7.1: 2xx → Accepted; INVITE retransmissions absorbed; the TU's 2xx retransmissions
    /// pass (the lost-200 case); ACKs go to the TU; Timer L ends it.
    @Test func twoHundredMovesToAcceptedUntilTimerL() {
        var (transaction, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        let ok = F.response(200, to: invite)
        let accepted = transaction.handle(.respond(ok), now: F.at(1_000))
        #expect(accepted == [.send(.response(ok)), .schedule(.l, at: F.at(33_000))])
        #expect(transaction.phase == .accepted)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(1_500)).isEmpty)
        #expect(transaction.handle(.respond(ok), now: F.at(1_500)) == [.send(.response(ok))])
        #expect(transaction.handle(.respond(F.response(500, to: invite)), now: F.at(1_600)).isEmpty)
        let ack = F.request(.ack, branch: "z9hG4bKnewbranchforack")
        #expect(transaction.handle(.ack(ack), now: F.at(2_000)) == [.passToTU(.request(ack))])
        #expect(transaction.handle(.timerFired(.h), now: F.at(32_000)).isEmpty)
        #expect(transaction.handle(.timerFired(.l), now: F.at(33_000)) == [.terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func transportErrorInformsTheTUAndTerminates() {
        var (proceeding, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        #expect(proceeding.handle(.transportError, now: .zero) == [.transportError, .terminated])
        var (completed, _) = InviteServerTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        _ = completed.handle(.respond(F.response(486, to: invite)), now: .zero)
        #expect(completed.handle(.transportError, now: F.at(500)).contains(.transportError))
        #expect(completed.phase == .terminated)
    }
}
