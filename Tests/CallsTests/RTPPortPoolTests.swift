import Calls
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
}

/// A deterministic generator for tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
