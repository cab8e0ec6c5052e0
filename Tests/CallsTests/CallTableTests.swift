import SIP
import TestSupport
import Testing

@testable import Calls

/// The call table's deadline index agrees with the calls it files, whatever happens to them.
@Suite struct CallTableTests {
    /// Calls arrive, ring, are answered, get digits, time out and hang up; after every event the
    /// table's next deadline is the earliest deadline of any live call (what a scan would find),
    /// and its per-trunk count is the number of live calls.
    @Test func nextDeadlineMatchesAScanThroughEveryEvent() throws {
        var harness = UserAgentHarness(ringTime: .seconds(2))
        var random = SeededGenerator(seed: 7)
        func check(_ step: String) {
            let scanned = harness.userAgent.calls.values.compactMap(\.deadline).min()
            let transactions = harness.userAgent.transactions.nextDeadline
            let expected = [scanned, transactions].compactMap { $0 }.min()
            #expect(harness.userAgent.nextDeadline == expected, "after \(step)")
            #expect(harness.userAgent.calls.countByTrunk.values.reduce(0, +) == harness.userAgent.calls.count, "after \(step)")
        }
        for index in 0..<40 {
            let number = ["1000", "1001", "1002"][Int.random(in: 0..<3, using: &random)]
            _ = harness.receive(Messages.invite(to: number, branch: "z9hG4bK-\(index)", callID: "call-\(index)"))
            check("INVITE \(index)")
            _ = harness.advance(by: .milliseconds(Int64.random(in: 10...900, using: &random)))
            check("time \(index)")
            if let live = harness.userAgent.activeCalls.randomElement(using: &random) {
                _ = harness.userAgent.mediaDigit("5", source: .rfc4733, for: live.id, now: harness.now)
                check("digit \(index)")
            }
            if index % 5 == 4, let live = harness.userAgent.activeCalls.first {
                _ = harness.userAgent.hangup(live.id, now: harness.now)
                check("hangup \(index)")
            }
        }
        _ = harness.run(until: .seconds(120))
        check("the end")
    }
}
