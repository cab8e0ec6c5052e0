/// A binary min-heap of timer deadlines, ordered by instant and then by insertion sequence so
/// that timers due at the same instant fire in the order they were scheduled (deterministic).
///
/// Cancelled timers are not searched for and removed; their entries go stale and are skipped
/// when they come to the top (the owner decides what is stale). `compact(keeping:)` drops stale
/// entries in bulk so that cancelled timers cannot pile up.
public struct SIPDeadlineHeap<Element: Sendable>: Sendable {
    public struct Entry: Sendable {
        public var deadline: SIPInstant
        public var sequence: UInt64
        public var element: Element

        public init(deadline: SIPInstant, sequence: UInt64, element: Element) {
            self.deadline = deadline
            self.sequence = sequence
            self.element = element
        }

        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : sequence < other.sequence
        }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public var count: Int { entries.count }
    public var first: Entry? { entries.first }

    public mutating func insert(_ entry: Entry) {
        entries.append(entry)
        siftUp(entries.count - 1)
    }

    public mutating func popFirst() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let popped = entries.removeLast()
        if !entries.isEmpty { siftDown(0) }
        return popped
    }

    /// Keeps only the entries `isLive` accepts and restores the heap order (O(n)).
    public mutating func compact(keeping isLive: (Entry) -> Bool) {
        entries.removeAll { !isLive($0) }
        var index = entries.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            let right = left + 1
            var smallest = left
            if right < entries.count && entries[right].precedes(entries[left]) { smallest = right }
            guard entries[smallest].precedes(entries[parent]) else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
