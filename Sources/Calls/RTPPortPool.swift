/// Hands out even RTP ports from the configured range, at random (RFC 3550 §11: RTP on even
/// ports, RTCP on the next odd one; random so that ports are not guessable, RFC 3550 §8.1 spirit).
public struct RTPPortPool: Sendable {
    public let range: ClosedRange<Int>
    private var inUse: Set<Int> = []

    public init(range: ClosedRange<Int>) {
        let low = range.lowerBound + (range.lowerBound & 1)
        self.range = low...max(low, range.upperBound)
    }

    public var capacity: Int { (range.upperBound - range.lowerBound) / 2 + 1 }
    public var available: Int { capacity - inUse.count }

    /// A free even port, or nil when the range is exhausted.
    public mutating func allocate(using random: inout some RandomNumberGenerator) -> Int? {
        guard available > 0 else { return nil }
        // Random probes first, then a scan, so a nearly full pool still finds the last ports.
        for _ in 0..<16 {
            let port = range.lowerBound + 2 * Int.random(in: 0..<capacity, using: &random)
            if inUse.insert(port).inserted { return port }
        }
        for port in stride(from: range.lowerBound, through: range.upperBound, by: 2) where inUse.insert(port).inserted {
            return port
        }
        return nil
    }

    public mutating func release(_ port: Int) {
        inUse.remove(port)
    }
}
