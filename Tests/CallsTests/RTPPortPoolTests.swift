import Calls
import TestSupport
import Testing

@Suite struct RTPPortPoolTests {
    @Test func handsOutEveryEvenPortOnceThenRunsOut() {
        var pool = RTPPortPool(range: 20001...20010)
        var random = SeededGenerator(seed: 7)
        var ports: [Int] = []
        while let port = pool.allocate(using: &random) { ports.append(port) }
        #expect(ports.sorted() == [20002, 20004, 20006, 20008, 20010])
        #expect(pool.available == 0)
        pool.release(20006)
        #expect(pool.allocate(using: &random) == 20006)
    }

    /// A released port rests behind the next `restingLimit` releases while other ports are free
    /// (the old leg's sockets may still be closing), then is handed out like any other.
    @Test func aReleasedPortRestsBeforeItIsHandedOutAgain() throws {
        var pool = RTPPortPool(range: 20000...20398)
        #expect(pool.capacity == 200)
        #expect(pool.restingLimit == 50)
        var random = SeededGenerator(seed: 11)
        var live: [Int] = []
        for _ in 0..<100 {
            let port = pool.allocate(using: &random)
            live.append(try #require(port))
        }
        let first = live.removeFirst()
        pool.release(first)
        pool.release(first)  // a second release changes nothing
        #expect(pool.available == 101)
        // 49 more calls end and as many start: `first` is never handed out meanwhile.
        for _ in 0..<49 {
            pool.release(live.removeFirst())
            let allocated = pool.allocate(using: &random)
            let port = try #require(allocated)
            #expect(port != first)
            live.append(port)
        }
        // The 51st release frees `first`; the scan then finds it once the rest are taken.
        pool.release(live.removeFirst())
        var handedOut: Set<Int> = []
        while pool.available > 50, let port = pool.allocate(using: &random) { handedOut.insert(port) }
        #expect(handedOut.contains(first))
    }

    /// With every other port taken, a resting port is used rather than refusing the call.
    @Test func aFullPoolUsesTheLongestRestingPort() throws {
        var pool = RTPPortPool(range: 20000...20014)
        var random = SeededGenerator(seed: 3)
        var ports: [Int] = []
        while let port = pool.allocate(using: &random) { ports.append(port) }
        #expect(ports.count == 8)
        #expect(pool.restingLimit == 2)
        pool.release(ports[0])
        pool.release(ports[1])
        #expect(pool.available == 2)
        #expect(pool.allocate(using: &random) == ports[0])
        #expect(pool.allocate(using: &random) == ports[1])
        #expect(pool.allocate(using: &random) == nil)
    }
}
