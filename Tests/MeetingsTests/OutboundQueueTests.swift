import Testing

@testable import Meetings

/// Backpressure: a slow receiver loses its oldest frames, alone; pushing never blocks.
@Suite struct OutboundQueueTests {
    @Test func dropsTheOldestWhenFullAndCountsIt() {
        var queue = OutboundQueue<Int>(capacity: 3)
        for value in 1...3 { #expect(queue.push(value) == nil) }
        #expect(queue.isFull)
        #expect(queue.push(4) == 1)
        #expect(queue.push(5) == 2)
        #expect(queue.dropped == 2)
        #expect(queue.pushed == 5)
        #expect(queue.pop(upTo: 10) == [3, 4, 5])
        #expect(queue.pop() == nil)
        #expect(queue.isEmpty)
    }

    @Test func wrapsAroundManyTimes() {
        var queue = OutboundQueue<Int>(capacity: 4)
        var expected: [Int] = []
        for value in 0..<1000 {
            queue.push(value)
            expected.append(value)
            if expected.count > 4 { expected.removeFirst() }
            if value % 3 == 0 {
                #expect(queue.pop() == expected.removeFirst())
            }
        }
        #expect(queue.pop(upTo: 10) == expected)
    }

    /// The hub's forward decisions fanned out to two receivers: one drains every tick, one rarely.
    @Test func slowReceiverDropsItsOldestFramesWhileAFastOneGetsAllByteIdentical() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let fast = harness.admit("Fast")
        let slow = harness.admit("Slow", identity: Fixtures.guestIdentity(0x20))
        var queues: [ParticipantID: OutboundQueue<[UInt8]>] = [fast: OutboundQueue(capacity: 8), slow: OutboundQueue(capacity: 8)]
        var sent: [[UInt8]] = []
        var fastReceived: [[UInt8]] = []
        var slowReceived: [[UInt8]] = []
        for counter in 0..<100 {
            let frame = Fixtures.frame(kid: 1, counter: UInt8(counter % 8), payload: [UInt8(counter), UInt8(counter >> 8), 0xAB])
            sent.append(frame)
            for action in harness.hub.handle(.frame(from: alice, frame)) {
                guard case .forward(let bytes, _, let receivers) = action else { continue }
                for receiver in receivers { queues[receiver]!.push(bytes) }
            }
            // The fast receiver's socket drains each 20 ms; the slow one only every 25th tick.
            fastReceived += queues[fast]!.pop(upTo: .max)
            if counter % 25 == 24 { slowReceived += queues[slow]!.pop(upTo: .max) }
        }
        #expect(fastReceived == sent, "the fast receiver gets every frame, byte-identical, in order")
        #expect(queues[fast]!.dropped == 0)
        #expect(queues[slow]!.dropped == 100 - 4 * 8)
        #expect(slowReceived.count == 4 * 8)
        #expect(slowReceived == [24, 49, 74, 99].flatMap { end in sent[(end - 7)...end] }, "only the newest frames survive")
    }
}
