import SIP
import Testing

@Suite struct TransactionNonInviteServerTests {
    typealias F = TransactionFixtures
    let bye = F.request(.bye)

    @Test func goesThroughTryingProceedingCompletedTerminated() {
        var (transaction, start) = NonInviteServerTransaction.start(request: bye, reliability: .unreliable, now: .zero)
        #expect(start == [.passToTU(.request(bye))])
        #expect(transaction.phase == .trying)
        // RFC 3261 §17.2.2: retransmissions in Trying are discarded.
        #expect(transaction.handle(.requestRetransmitted, now: F.at(500)).isEmpty)

        let trying = F.response(100, to: bye, toTag: nil)
        #expect(transaction.handle(.respond(trying), now: F.at(600)) == [.send(.response(trying))])
        #expect(transaction.phase == .proceeding)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(1_500)) == [.send(.response(trying))])

        let ok = F.response(200, to: bye)
        #expect(
            transaction.handle(.respond(ok), now: F.at(2_000)) == [
                .send(.response(ok)), .schedule(.j, at: F.at(34_000)),
            ])
        #expect(transaction.phase == .completed)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(3_500)) == [.send(.response(ok))])
        #expect(transaction.handle(.respond(F.response(500, to: bye)), now: F.at(3_600)).isEmpty)
        #expect(transaction.handle(.timerFired(.k), now: F.at(5_000)).isEmpty)
        #expect(transaction.handle(.timerFired(.j), now: F.at(34_000)) == [.terminated])
        #expect(transaction.phase == .terminated)
        #expect(transaction.handle(.requestRetransmitted, now: F.at(35_000)).isEmpty)
    }

    @Test func finalResponseFromTryingOverTCPTerminatesAtOnce() {
        var (transaction, _) = NonInviteServerTransaction.start(request: bye, reliability: .reliable, now: .zero)
        let ok = F.response(200, to: bye)
        #expect(transaction.handle(.respond(ok), now: F.at(10)) == [.send(.response(ok)), .terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func transportErrorAfterAResponseInformsTheTU() {
        var (transaction, _) = NonInviteServerTransaction.start(request: bye, reliability: .unreliable, now: .zero)
        #expect(transaction.handle(.transportError, now: .zero).isEmpty)  // nothing sent yet in Trying
        _ = transaction.handle(.respond(F.response(100, to: bye, toTag: nil)), now: .zero)
        #expect(transaction.handle(.transportError, now: F.at(1)) == [.transportError, .terminated])
    }
}
