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
}
