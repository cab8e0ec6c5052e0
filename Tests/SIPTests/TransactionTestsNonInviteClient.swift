import SIP
import Testing

@Suite struct TransactionNonInviteClientTests {
    typealias F = TransactionFixtures
    let options = F.request(.options)

    /// RFC 3261 §17.1.2.2: Timer E doubles from T1 up to T2; Timer F times out at 64*T1.
    @Test func timerEDoublesUpToT2UntilTimerF() {
        var (transaction, start) = NonInviteClientTransaction.start(
            request: options, reliability: .unreliable, now: .zero)
        #expect(start.sent == [.request(options)])
        #expect(start.scheduled == [.e: F.at(500), .f: F.at(32_000)])
        #expect(transaction.phase == .trying)

        var fireAt = F.at(500)
        var fireTimes: [Int64] = []
        while fireAt < F.at(32_000) {
            fireTimes.append(fireAt.nanoseconds / 1_000_000)
            let actions = transaction.handle(.timerFired(.e), now: fireAt)
            #expect(actions.sent == [.request(options)])
            guard let next = actions.scheduled[.e] else {
                Issue.record("Timer E not rescheduled")
                return
            }
            fireAt = next
        }
        #expect(Array(fireTimes.prefix(6)) == [500, 1_500, 3_500, 7_500, 11_500, 15_500])
        #expect(transaction.handle(.timerFired(.f), now: F.at(32_000)) == [.cancel(.e), .timeout, .terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func proceedingRetransmitsEveryT2AndCompletedWaitsTimerK() {
        var (transaction, _) = NonInviteClientTransaction.start(request: options, reliability: .unreliable, now: .zero)
        let trying = F.response(100, to: options, toTag: nil)
        #expect(transaction.handle(.response(trying), now: F.at(100)) == [.passToTU(.response(trying))])
        #expect(transaction.phase == .proceeding)
        // Timer E still runs in Proceeding, now at T2 whatever its interval was.
        let retransmit = transaction.handle(.timerFired(.e), now: F.at(500))
        #expect(retransmit.sent == [.request(options)])
        #expect(retransmit.scheduled == [.e: F.at(4_500)])

        let ok = F.response(200, to: options)
        #expect(
            transaction.handle(.response(ok), now: F.at(1_000)) == [
                .cancel(.e), .cancel(.f), .passToTU(.response(ok)), .schedule(.k, at: F.at(6_000)),
            ])
        #expect(transaction.phase == .completed)
        #expect(transaction.handle(.response(ok), now: F.at(1_100)).isEmpty)
        #expect(transaction.handle(.timerFired(.e), now: F.at(4_500)).isEmpty)
        #expect(transaction.handle(.timerFired(.k), now: F.at(6_000)) == [.terminated])
        #expect(transaction.phase == .terminated)
    }

    @Test func overTCPNoTimerEAndTimerKIsZero() {
        var (transaction, start) = NonInviteClientTransaction.start(
            request: options, reliability: .reliable, now: .zero)
        #expect(start.scheduled == [.f: F.at(32_000)])
        let actions = transaction.handle(.response(F.response(404, to: options)), now: F.at(20))
        #expect(actions.terminates)
        #expect(actions.scheduled.isEmpty)
        #expect(transaction.phase == .terminated)
    }

    @Test func transportErrorTerminates() {
        var (transaction, _) = NonInviteClientTransaction.start(request: options, reliability: .unreliable, now: .zero)
        #expect(transaction.handle(.transportError, now: .zero).contains(.transportError))
        #expect(transaction.phase == .terminated)
    }
}
