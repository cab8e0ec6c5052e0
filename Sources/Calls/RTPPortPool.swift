/// Hands out even RTP ports from the configured range, at random (RFC 3550 §11: RTP on even
/// ports, RTCP on the next odd one; random so that ports are not guessable, RFC 3550 §8.1 spirit).
///
/// A released port rests before it is handed out again, behind the last `restingLimit` released
/// ports: the ended leg's sockets close on its media loop a moment after the call ends, and a
/// new call given the port at once failed to bind it (`Address already in use`; one call in
/// 20,000 at 1,500 calls a second, docs/performance.md). Resting also keeps the old call's late
/// packets from reaching the next one. When nothing else is free, the longest-resting port is used.
public struct RTPPortPool: Sendable {
    public let range: ClosedRange<Int>
    /// Ports allocated or resting.
    private var inUse: Set<Int> = []
    /// Released ports, oldest first from `restingStart`; the same as a set.
    private var resting: [Int] = []
    private var restingPorts: Set<Int> = []
    private var restingStart = 0
    /// How many released ports rest at most.
    public let restingLimit: Int

    public init(range: ClosedRange<Int>) {
        let low = range.lowerBound + (range.lowerBound & 1)
        self.range = low...max(low, range.upperBound)
        let capacity = (self.range.upperBound - self.range.lowerBound) / 2 + 1
        restingLimit = min(1_024, capacity / 4)
    }

    public var capacity: Int { (range.upperBound - range.lowerBound) / 2 + 1 }
    private var restingCount: Int { resting.count - restingStart }
    /// Ports a new call can have, resting ones included.
    public var available: Int { capacity - inUse.count + restingCount }

    /// A free even port, or nil when the range is exhausted.
    public mutating func allocate(using random: inout some RandomNumberGenerator) -> Int? {
        guard available > 0 else { return nil }
        if inUse.count < capacity {
            // Random probes first, then a scan, so a nearly full pool still finds the last ports.
            for _ in 0..<16 {
                let port = range.lowerBound + 2 * Int.random(in: 0..<capacity, using: &random)
                if inUse.insert(port).inserted { return port }
            }
            for port in stride(from: range.lowerBound, through: range.upperBound, by: 2) where inUse.insert(port).inserted {
                return port
            }
        }
        // Every port is allocated or resting: the one that has rested longest (it stays in use).
        return takeOldestResting()
    }

    public mutating func release(_ port: Int) {
        guard inUse.contains(port), !restingPorts.contains(port) else { return }
        guard restingLimit > 0 else {
            inUse.remove(port)
            return
        }
        resting.append(port)
        restingPorts.insert(port)
        if restingCount > restingLimit, let rested = takeOldestResting() { inUse.remove(rested) }
    }

    private mutating func takeOldestResting() -> Int? {
        guard restingCount > 0 else { return nil }
        let port = resting[restingStart]
        restingStart += 1
        restingPorts.remove(port)
        // Drop the consumed head now and then, so the array does not grow with every call.
        if restingStart >= 4_096 && restingStart * 2 >= resting.count {
            resting.removeFirst(restingStart)
            restingStart = 0
        }
        return port
    }
}
