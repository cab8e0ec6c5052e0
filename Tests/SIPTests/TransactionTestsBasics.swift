import Testing

@testable import SIP

@Suite struct TransactionBasicsTests {
    @Test func instantArithmetic() {
        let start = SIPInstant(nanoseconds: 1_000)
        #expect(start + .milliseconds(500) == SIPInstant(nanoseconds: 500_001_000))
        #expect((start + .seconds(2)) - start == .seconds(2))
        #expect(SIPInstant.zero < start)
        // Saturates rather than trapping.
        #expect(SIPInstant(nanoseconds: .max - 1) + .seconds(1) == SIPInstant(nanoseconds: .max))
        #expect(SIPInstant(nanoseconds: .min) - SIPInstant(nanoseconds: .max) == .nanoseconds(Int64.min))
    }

    @Test func derivedTimerValues() {
        let settings = SIPTimerSettings()
        #expect(settings.timerB == .seconds(32))
        #expect(settings.timerH == .seconds(32))
        #expect(settings.timerD(.unreliable) == .seconds(32))
        #expect(settings.timerD(.reliable) == .zero)
        #expect(settings.timerI(.unreliable) == .seconds(5))
        #expect(settings.timerJ(.unreliable) == .seconds(32))
        #expect(settings.timerK(.reliable) == .zero)
        #expect(SIPTimerSettings(t1: .seconds(1)).timerF == .seconds(64))
    }

    @Test func deadlineHeapPopsInOrderAndCompacts() {
        var heap = SIPDeadlineHeap<Int>()
        // A fixed pseudo-random order (LCG) so the test is deterministic.
        var state: UInt64 = 42
        var expected: [(Int64, UInt64)] = []
        for sequence in 0..<500 as Range<UInt64> {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let deadline = Int64(state >> 54)  // 0..<1024, with many ties
            heap.insert(.init(deadline: SIPInstant(nanoseconds: deadline), sequence: sequence, element: Int(sequence)))
            expected.append((deadline, sequence))
        }
        heap.compact { $0.sequence % 2 == 0 }
        expected = expected.filter { $0.1 % 2 == 0 }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(Int64, UInt64)] = []
        while let entry = heap.popFirst() { popped.append((entry.deadline.nanoseconds, entry.sequence)) }
        #expect(popped.map(\.0) == expected.map(\.0))
        #expect(popped.map(\.1) == expected.map(\.1))
    }

    @Test func trustedHelpersDoMinimalStringWork() {
        #expect(SIPTransactionMessages.cseqNumber(" 4711 INVITE") == "4711")
        #expect(SIPTransactionMessages.cseqNumber("INVITE") == nil)
        #expect(SIPTransactionMessages.firstElement(ofHeaderValue: "a;x=\"1,\\\"2\", b") == "a;x=\"1,\\\"2\"")
        #expect(SIPTransactionMessages.firstElement(ofHeaderValue: " , b") == nil)
    }

    /// Cancelled timers must not pile up in the heap under churn (hostile or not).
    @Test func cancelledTimersDoNotAccumulate() {
        var layer = SIPTransactionLayer<String>()
        for index in 0..<2_000 {
            let branch = "z9hG4bKchurn\(index)"
            let request = TransactionFixtures.request(.invite, branch: branch)
            let key = TransactionFixtures.key(.invite, branch: branch)
            _ = layer.send(request: request, key: key, to: "peer", reliability: .unreliable, now: .zero)
            // A 180 cancels Timers A and B; the transaction stays in Proceeding with no timer.
            _ = layer.receive(response: TransactionFixtures.response(180, to: request), key: key, now: .zero)
        }
        #expect(layer.count == 2_000)
        #expect(layer.nextDeadline == nil)
        #expect(layer.deadlines.count <= 64)
    }
}
