import SIP
import Testing

@Suite struct TransactionInviteClientTests {
    typealias F = TransactionFixtures
    let invite = F.request(
        .invite, cseq: 1, routes: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])

    /// RFC 3261 §17.1.1.2: Timer A starts at T1 and doubles (500, 1000, 2000 ms ...) with no T2 cap,
    /// until Timer B (64*T1) times the transaction out.
    @Test func timerADoublesUntilTimerBTimesOut() {
        var (transaction, start) = InviteClientTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        #expect(start.sent == [.request(invite)])
        #expect(start.scheduled == [.a: F.at(500), .b: F.at(32_000)])
        #expect(transaction.phase == .calling)

        var fireAt = F.at(500)
        var fireTimes: [Int64] = []
        while fireAt < F.at(32_000) {
            fireTimes.append(fireAt.nanoseconds / 1_000_000)
            let actions = transaction.handle(.timerFired(.a), now: fireAt)
            #expect(actions.sent == [.request(invite)])
            guard let next = actions.scheduled[.a] else {
                Issue.record("Timer A not rescheduled")
                return
            }
            fireAt = next
        }
        #expect(fireTimes == [500, 1_500, 3_500, 7_500, 15_500, 31_500])
        #expect(transaction.handle(.timerFired(.b), now: F.at(32_000)) == [.cancel(.a), .timeout, .terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func overTCPThereIsNoTimerA() {
        let (_, start) = InviteClientTransaction.start(request: invite, reliability: .reliable, now: .zero)
        #expect(start.scheduled == [.b: F.at(32_000)])
    }

    /// A non-2xx final response is ACKed by the transaction itself (RFC 3261 §17.1.1.3).
    @Test func nonSuccessFinalIsAckedAndTimerDAbsorbsRetransmissions() throws {
        var (transaction, _) = InviteClientTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        let ringing = F.response(180, to: invite)
        #expect(
            transaction.handle(.response(ringing), now: F.at(300)) == [
                .cancel(.a), .cancel(.b), .passToTU(.response(ringing)),
            ])
        #expect(transaction.phase == .proceeding)
        #expect(transaction.handle(.timerFired(.a), now: F.at(500)).isEmpty)

        let busy = F.response(486, to: invite, toTag: "314159")
        let actions = transaction.handle(.response(busy), now: F.at(2_000))
        #expect(transaction.phase == .completed)
        #expect(actions.passedToTU == [.response(busy)])
        #expect(actions.scheduled == [.d: F.at(34_000)])
        guard case .request(let ack)? = actions.sent.first, actions.sent.count == 1 else {
            Issue.record("expected exactly one ACK, got \(actions.sent)")
            return
        }
        #expect(ack.method == .ack)
        #expect(ack.uri == invite.uri)
        #expect(ack.headers.values("Via") == ["SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds"])
        #expect(ack.headers["From"] == invite.headers["From"])
        #expect(ack.headers["To"] == "Bob <sip:bob@biloxi.com>;tag=314159")
        #expect(ack.headers["Call-ID"] == invite.headers["Call-ID"])
        #expect(ack.headers["CSeq"] == "1 ACK")
        #expect(ack.headers.values("Route") == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(ack.headers["Max-Forwards"] == "70")
        #expect(ack.headers["Contact"] == nil)
        #expect(ack.body.isEmpty)

        // Retransmitted final responses are ACKed again and not passed up.
        #expect(transaction.handle(.response(busy), now: F.at(2_500)) == [.send(.request(ack))])
        #expect(transaction.handle(.response(F.response(200, to: invite)), now: F.at(2_600)).isEmpty)
        #expect(transaction.handle(.timerFired(.d), now: F.at(34_000)) == [.terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func ackTakesOnlyTheTopViaOfAMultiValueViaLine() {
        var request = invite
        request.headers.set(
            "Via",
            "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK1;x=\"a,b\", SIP/2.0/UDP other.example.com;branch=z9hG4bK2")
        var (transaction, _) = InviteClientTransaction.start(request: request, reliability: .reliable, now: .zero)
        let actions = transaction.handle(.response(F.response(404, to: request)), now: F.at(10))
        guard case .request(let ack)? = actions.sent.first else {
            Issue.record("no ACK sent")
            return
        }
        #expect(ack.headers.values("Via") == ["SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK1;x=\"a,b\""])
        // RFC 3261 Table 4: Timer D is 0 on reliable transports.
        #expect(actions.terminates)
    }

    /// RFC 6026 §7.2: 2xx → Accepted with Timer M; further 2xx go to the TU.
    @Test func successMovesToAcceptedAndPassesFurther2xxUntilTimerM() {
        var (transaction, _) = InviteClientTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        let ok = F.response(200, to: invite)
        let actions = transaction.handle(.response(ok), now: F.at(800))
        #expect(actions == [.cancel(.a), .cancel(.b), .passToTU(.response(ok)), .schedule(.m, at: F.at(32_800))])
        #expect(transaction.phase == .accepted)
        #expect(actions.sent.isEmpty)  // the ACK for a 2xx is the TU's (RFC 3261 §13.2.2.4)
        let forked = F.response(200, to: invite, toTag: "other-fork")
        #expect(transaction.handle(.response(forked), now: F.at(900)) == [.passToTU(.response(forked))])
        #expect(transaction.handle(.response(F.response(486, to: invite)), now: F.at(950)).isEmpty)
        #expect(transaction.handle(.timerFired(.b), now: F.at(32_000)).isEmpty)
        #expect(transaction.handle(.timerFired(.m), now: F.at(32_800)) == [.terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func transportErrorWhileCallingTerminates() {
        var (transaction, _) = InviteClientTransaction.start(request: invite, reliability: .unreliable, now: .zero)
        #expect(
            transaction.handle(.transportError, now: .zero) == [.cancel(.a), .cancel(.b), .transportError, .terminated])
        #expect(transaction.handle(.response(F.response(200, to: invite)), now: F.at(1)).isEmpty)
    }
}
