/// The frames waiting to go to one receiver, bounded: when it is full, pushing drops the OLDEST
/// frame and counts it. Pushing never blocks and never fails, so a slow receiver only falls behind
/// (and loses the stalest audio, which is the least useful) while everyone else is served on time.
///
/// Audio frames are worth less the older they get: a receiver that catches up wants the newest
/// ones, not a backlog it would have to play late. That is why the oldest, not the newest, goes.
/// One queue per receiver; generic so the adapter can queue its own buffer type without copying.
public struct OutboundQueue<Element: Sendable>: Sendable {
    /// The most frames held at once (at least 1).
    public let capacity: Int
    /// Frames dropped because the queue was full, since it was made.
    public private(set) var dropped: UInt64 = 0
    /// Frames pushed since it was made (dropped ones included).
    public private(set) var pushed: UInt64 = 0

    /// A ring: `head` is the oldest frame, `count` frames follow it (wrapping).
    private var storage: [Element?]
    private var head = 0
    public private(set) var count = 0

    /// A queue of `capacity` frames; 50 is one second of 20 ms frames.
    public init(capacity: Int = 50) {
        precondition(capacity >= 1, "an outbound queue holds at least one frame")
        self.capacity = capacity
        self.storage = Array(repeating: nil, count: capacity)
    }

    public var isEmpty: Bool { count == 0 }
    public var isFull: Bool { count == capacity }

    /// Queues `element`; when the queue was full, drops the oldest frame first and returns it.
    @discardableResult
    public mutating func push(_ element: Element) -> Element? {
        pushed &+= 1
        var evicted: Element?
        if count == capacity {
            evicted = storage[head]
            storage[head] = nil
            head = (head + 1) % capacity
            count -= 1
            dropped &+= 1
        }
        storage[(head + count) % capacity] = element
        count += 1
        return evicted
    }

    /// The oldest frame, removed; nil when empty.
    public mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % capacity
        count -= 1
        return element
    }

    /// Up to `limit` of the oldest frames, removed, oldest first (what one write can take).
    public mutating func pop(upTo limit: Int) -> [Element] {
        var batch: [Element] = []
        batch.reserveCapacity(min(limit, count))
        while batch.count < limit, let element = pop() { batch.append(element) }
        return batch
    }

    /// Forgets every queued frame (not counted as dropped: the receiver is gone).
    public mutating func removeAll() {
        storage = Array(repeating: nil, count: capacity)
        head = 0
        count = 0
    }
}
