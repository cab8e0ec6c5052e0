/// An adaptive jitter buffer for one RTP stream, stepped by the caller's media clock.
///
/// Pure: packets go in with their arrival time (`insert`), and each frame period (20 ms on phone
/// legs) the caller asks what to play (`pop(at:)`). No clock is read; the same inputs give the same
/// outputs. Storage is a fixed ring of slots allocated once, so neither call allocates. `Frame` is
/// whatever the adapter stores per packet: a decoded frame, a handle into its own buffer pool, etc.
///
/// Rules (documented so call records can be read):
/// - Order: sequence numbers decide order (with 16-bit wrap); timestamps decide *when* a frame is
///   due, so timestamp jumps from discontinuous transmission play out at the right time.
/// - Timeline: a frame with media time `t` (timestamp / clock rate) is due at `anchor + t`. The
///   anchor is set when playout starts and moves only in whole frames (stretch or shrink), so the
///   frame period stays aligned with the caller's clock.
/// - Jitter: each packet's transit `arrival - t`; jitter is the spread (max - min) of transit over
///   the last `jitterWindow` packets. Current delay is `anchor - min transit`: how long after its
///   fastest possible arrival a frame is played.
/// - Target delay: `jitter + safetyMargin`, clamped to `minimumDelay...maximumDelay`.
/// - Adaptation, once per pop: below target → stretch (one `.conceal(.waiting)` frame, +1 frame of
///   delay, at once, because late frames are lost frames); at or above target + 1.5 frames →
///   shrink (drop one frame, -1 frame of delay) at most once per `shrinkInterval` pops.
/// - Start: the first packet (or an earlier one reordered before playout) is held until its delay
///   reaches the target.
/// - Late: a frame whose due time passed by half a frame is dropped (`late`); a packet arriving for
///   a sequence the buffer already passed is `late` if it had been concealed, else a duplicate.
/// - Gaps: nothing buffered → `.conceal(.underrun)`, without moving past the missing sequence (it
///   may just be late or the sender may pause); after `maximumDelay` of that → `.empty`.
/// - Bounds: a packet more than `capacity` frames ahead pushes the oldest out; one more than 3000
///   ahead or 100 behind (RFC 3550 A.1) is dropped unless the next packet follows it, which
///   restarts the stream.
public struct JitterBuffer<Frame> {
    fileprivate struct Slot {
        var sequence: UInt16 = 0
        var timestamp: UInt32 = 0
        /// Extended (unwrapped) timestamp.
        var mediaTimestamp: Int64 = 0
        var arrival: Int64 = 0
        var frame: Frame?
    }

    private enum State {
        /// No packet yet (or after `reset`).
        case idle
        /// Holding packets until the first one's delay reaches the target.
        case buffering
        /// Playing: `anchor` (µs) is added to a frame's media time to get its due time.
        case playing(anchor: Int64)
    }

    public let configuration: JitterBufferConfiguration
    private var slots: [Slot]
    private let mask: Int
    private let frameMicroseconds: Int64
    private var state = State.idle

    /// The sequence to play next, and its extended timestamp (known, or estimated from the last).
    private var nextSequence: UInt16 = 0
    private var nextTimestamp: Int64 = 0
    /// Highest sequence held or played, for the move-back rule while buffering.
    private var newestSequence: UInt16 = 0
    private var heldCount = 0

    /// Timestamp unwrapping: the last timestamp seen and its extended value.
    private var lastTimestamp: UInt32 = 0
    private var lastExtendedTimestamp: Int64 = 0

    /// Transit times (µs) of the last `jitterWindow` packets.
    private var transits: [Int64]
    private var transitCount = 0
    private var transitIndex = 0
    private var minimumTransit: Int64 = 0
    private var maximumTransit: Int64 = 0

    /// One bit per recent sequence (seq & 127): set when the buffer passed it as missing.
    private var missingBits: (UInt64, UInt64) = (0, 0)
    /// Sequences passed since playout started (caps what the bits can say).
    private var passedCount = 0
    private var popsSinceShrink = 0
    private var dryPops = 0
    /// RFC 3550 A.1 probation: the sequence that would confirm a restart.
    private var probationSequence: UInt16?

    private var counters = JitterBufferStatistics()

    /// Makes a buffer; throws when the configuration is out of range (see `JitterBufferConfiguration`).
    public init(configuration: JitterBufferConfiguration = .init()) throws(JitterBufferError) {
        let configuration = try configuration.validated()
        self.configuration = configuration
        var capacity = 1
        while capacity < configuration.capacity { capacity <<= 1 }
        slots = Array(repeating: Slot(), count: capacity)
        mask = capacity - 1
        transits = Array(repeating: 0, count: configuration.jitterWindow)
        frameMicroseconds = Int64(configuration.samplesPerFrame) * 1_000_000 / Int64(configuration.clockRate)
    }

    /// Slots in the ring (the configured capacity rounded up to a power of two).
    public var capacity: Int { slots.count }

    /// Counters and delays so far.
    public var statistics: JitterBufferStatistics {
        var figures = counters
        figures.held = heldCount
        figures.jitter = .microseconds(spread)
        figures.targetDelay = .microseconds(targetDelay)
        if case .playing(let anchor) = state { figures.currentDelay = .microseconds(anchor &- minimumTransit) }
        return figures
    }

    /// The frame at the head of the buffer, if held: after `.conceal(.missing)` this is the packet
    /// that followed the gap, whose Opus in-band FEC can rebuild the missing one (RFC 6716 §2.1.7).
    public var nextFrame: Frame? {
        let slot = slots[Int(nextSequence) & mask]
        return slot.sequence == nextSequence ? slot.frame : nil
    }

    /// Forgets every packet and the timeline (counters are kept).
    public mutating func reset() {
        for index in slots.indices { slots[index].frame = nil }
        heldCount = 0
        state = .idle
        transitCount = 0
        transitIndex = 0
        missingBits = (0, 0)
        passedCount = 0
        dryPops = 0
        probationSequence = nil
    }

    // MARK: - Insert

    /// Takes one received packet. `arrival` is the caller's media clock at reception, on the same
    /// time base as `pop(at:)`.
    public mutating func insert(sequence: UInt16, timestamp: UInt32, frame: Frame, arrival: Duration) {
        let arrivalMicroseconds = Self.microseconds(arrival)
        if case .idle = state {
            start(sequence: sequence, timestamp: timestamp)
        }
        let delta = Int(Int16(bitPattern: sequence &- nextSequence))
        if delta > JitterBufferConfiguration.maximumDropout || delta < -JitterBufferConfiguration.maximumMisorder {
            // RFC 3550 A.1: accept a new sequence space only when two packets in a row agree.
            if probationSequence == sequence {
                counters.restarts += 1
                reset()
                start(sequence: sequence, timestamp: timestamp)
                store(sequence: sequence, timestamp: timestamp, frame: frame, arrival: arrivalMicroseconds)
            } else {
                counters.discardedOutOfRange += 1
                probationSequence = sequence &+ 1
            }
            return
        }
        probationSequence = nil
        if delta < 0 {
            if case .buffering = state, Int(Int16(bitPattern: newestSequence &- sequence)) < slots.count {
                // Reordered ahead of the first packet before playout: it becomes the head.
                let extended = extend(timestamp)
                nextSequence = sequence
                nextTimestamp = extended
                store(sequence: sequence, timestamp: timestamp, frame: frame, arrival: arrivalMicroseconds)
                return
            }
            behindHead(sequence: sequence, delta: delta, arrival: arrivalMicroseconds, timestamp: timestamp)
            return
        }
        if delta >= slots.count {
            // Bounded: push the oldest out so the newest fits; they are far too old to play anyway.
            advance(by: delta - slots.count + 1, countingHeldAs: \.discardedForOverflow)
        }
        let slot = slots[Int(sequence) & mask]
        if slot.frame != nil && slot.sequence == sequence {
            counters.duplicates += 1
            return
        }
        store(sequence: sequence, timestamp: timestamp, frame: frame, arrival: arrivalMicroseconds)
    }

    private mutating func start(sequence: UInt16, timestamp: UInt32) {
        state = .buffering
        nextSequence = sequence
        newestSequence = sequence
        lastTimestamp = timestamp
        lastExtendedTimestamp = 0
        nextTimestamp = 0
    }

    private mutating func store(sequence: UInt16, timestamp: UInt32, frame: Frame, arrival: Int64) {
        let extended = extend(timestamp)
        let index = Int(sequence) & mask
        if slots[index].frame == nil { heldCount += 1 }
        slots[index] = Slot(sequence: sequence, timestamp: timestamp, mediaTimestamp: extended, arrival: arrival, frame: frame)
        if Int16(bitPattern: sequence &- newestSequence) > 0 { newestSequence = sequence }
        counters.inserted += 1
        recordTransit(arrival &- mediaTime(extended))
    }

    /// A packet for a sequence the head already passed: late if it had been concealed (or came
    /// before playout started), otherwise a duplicate of a played frame.
    private mutating func behindHead(sequence: UInt16, delta: Int, arrival: Int64, timestamp: UInt32) {
        guard case .playing = state else {
            counters.late += 1
            return
        }
        // Only genuinely late packets tell us about jitter; a duplicate's timing means nothing.
        if -delta > passedCount {
            counters.late += 1
            recordTransit(arrival &- mediaTime(extend(timestamp)))
        } else if isMissing(sequence) {
            setMissing(sequence, false)
            counters.late += 1
            counters.lost -= 1
            recordTransit(arrival &- mediaTime(extend(timestamp)))
        } else {
            counters.duplicates += 1
        }
    }

    // MARK: - Pop

    /// What to play for the frame period starting at `now` (the caller's media clock). Call once per
    /// frame period.
    public mutating func pop(at now: Duration) -> JitterBufferOutput<Frame> {
        let now = Self.microseconds(now)
        switch state {
        case .idle:
            return .empty
        case .buffering:
            guard heldCount > 0 else { return .empty }
            let headTime = mediaTime(headTimestamp)
            guard now &- headTime &- minimumTransit >= targetDelay else { return .empty }
            state = .playing(anchor: now &- headTime)
            return popPlaying(now: now)
        case .playing:
            return popPlaying(now: now)
        }
    }

    private mutating func popPlaying(now: Int64) -> JitterBufferOutput<Frame> {
        guard case .playing(var anchor) = state else { return .empty }
        let half = frameMicroseconds / 2
        // Adapt: one frame at a time, up at once, down gently.
        popsSinceShrink += 1
        let delay = anchor &- minimumTransit
        let target = targetDelay
        var stretching = false
        if delay < target {
            anchor &+= frameMicroseconds
            stretching = true
        } else if delay >= target &+ frameMicroseconds &+ half, popsSinceShrink >= configuration.shrinkInterval, heldCount > 0 {
            anchor &-= frameMicroseconds
            popsSinceShrink = 0
            counters.droppedToShrink += 1
            // The frame now overdue is dropped by the late rule below, counted as a shrink, not late.
            dropHead(countAsLate: false)
        }
        state = .playing(anchor: anchor)

        // Late rule: frames whose due time passed by half a frame are dropped; bounded by the ring.
        var steps = 0
        while heldCount > 0 && steps < slots.count {
            let due = anchor &+ mediaTime(headTimestamp)
            guard now >= due &+ half else { break }
            dropHead(countAsLate: true)
            steps += 1
        }

        guard heldCount > 0 else {
            dryPops += 1
            if Int64(dryPops) &* frameMicroseconds > Self.microseconds(configuration.maximumDelay) { return .empty }
            counters.concealed += 1
            return .conceal(.underrun)
        }
        dryPops = 0
        let due = anchor &+ mediaTime(headTimestamp)
        if now < due &- half {
            counters.concealed += 1
            if stretching { counters.stretched += 1 }
            return .conceal(.waiting)
        }
        let index = Int(nextSequence) & mask
        if slots[index].sequence == nextSequence, let frame = slots[index].frame {
            let timestamp = slots[index].timestamp
            let sequence = nextSequence
            slots[index].frame = nil
            heldCount -= 1
            counters.played += 1
            pass(missing: false, timestamp: slots[index].mediaTimestamp)
            return .frame(frame, sequence: sequence, timestamp: timestamp)
        }
        let missing = nextSequence
        counters.lost += 1
        counters.concealed += 1
        pass(missing: true, timestamp: nextTimestamp)
        return .conceal(.missing(sequence: missing))
    }

    /// The head's extended timestamp: its own when held, else estimated from the previous frame.
    private var headTimestamp: Int64 {
        // Field by field: copying the whole slot would retain and release its frame.
        let index = Int(nextSequence) & mask
        return slots[index].sequence == nextSequence && slots[index].frame != nil ? slots[index].mediaTimestamp : nextTimestamp
    }

    /// Drops the head: a held frame counts as late (or as a shrink), a missing one as lost.
    private mutating func dropHead(countAsLate: Bool) {
        let index = Int(nextSequence) & mask
        if slots[index].sequence == nextSequence, slots[index].frame != nil {
            slots[index].frame = nil
            heldCount -= 1
            if countAsLate { counters.late += 1 }
            pass(missing: false, timestamp: slots[index].mediaTimestamp)
        } else {
            counters.lost += 1
            pass(missing: true, timestamp: nextTimestamp)
        }
    }

    /// Moves the head forward `count` sequences, releasing held frames into the named counter.
    private mutating func advance(by count: Int, countingHeldAs counter: WritableKeyPath<JitterBufferStatistics, Int>) {
        for _ in 0..<min(count, slots.count) {
            let index = Int(nextSequence) & mask
            if slots[index].sequence == nextSequence, slots[index].frame != nil {
                slots[index].frame = nil
                heldCount -= 1
                counters[keyPath: counter] += 1
                pass(missing: false, timestamp: slots[index].mediaTimestamp)
            } else {
                // Before playout a gap is not a loss yet (and must not be "found" late later).
                var playing = false
                if case .playing = state { playing = true }
                if playing { counters.lost += 1 }
                pass(missing: playing, timestamp: nextTimestamp)
            }
        }
        if count > slots.count {
            // Everything held is gone; jump the head (the skipped sequences were never seen).
            nextSequence = nextSequence &+ UInt16(truncatingIfNeeded: count - slots.count)
            nextTimestamp &+= Int64(count - slots.count) &* Int64(configuration.samplesPerFrame)
        }
    }

    private mutating func pass(missing: Bool, timestamp: Int64) {
        setMissing(nextSequence, missing)
        nextSequence &+= 1
        nextTimestamp = timestamp &+ Int64(configuration.samplesPerFrame)
        if case .playing = state { passedCount = min(passedCount + 1, 1 << 20) }
    }

    // MARK: - Timeline and jitter

    /// Unwraps a 32-bit RTP timestamp against the last one seen (RFC 3550 §5.1: it wraps).
    private mutating func extend(_ timestamp: UInt32) -> Int64 {
        let extended = lastExtendedTimestamp &+ Int64(Int32(bitPattern: timestamp &- lastTimestamp))
        if extended > lastExtendedTimestamp {
            lastExtendedTimestamp = extended
            lastTimestamp = timestamp
        }
        return extended
    }

    /// Media time in µs of an extended timestamp (wrapping arithmetic: hostile timestamps give
    /// nonsense timing, never a trap).
    private func mediaTime(_ extended: Int64) -> Int64 {
        extended.multipliedReportingOverflow(by: 1_000_000).partialValue / Int64(configuration.clockRate)
    }

    private mutating func recordTransit(_ transit: Int64) {
        let evicted: Int64? = transitCount == transits.count ? transits[transitIndex] : nil
        transits[transitIndex] = transit
        transitIndex = (transitIndex + 1) % transits.count
        transitCount = min(transitCount + 1, transits.count)
        // The window's extremes change only when the new value passes one, or when the value
        // that aged out was one: rescan only then (once per window at most, usually).
        if transitCount == 1 {
            minimumTransit = transit
            maximumTransit = transit
        } else if let evicted, evicted == minimumTransit || evicted == maximumTransit {
            minimumTransit = .max
            maximumTransit = .min
            for index in 0..<transitCount {
                minimumTransit = min(minimumTransit, transits[index])
                maximumTransit = max(maximumTransit, transits[index])
            }
        } else {
            minimumTransit = min(minimumTransit, transit)
            maximumTransit = max(maximumTransit, transit)
        }
    }

    private var spread: Int64 { transitCount == 0 ? 0 : maximumTransit &- minimumTransit }

    private var targetDelay: Int64 {
        let wanted = spread &+ Self.microseconds(configuration.safetyMargin)
        return min(max(wanted, Self.microseconds(configuration.minimumDelay)), Self.microseconds(configuration.maximumDelay))
    }

    private func isMissing(_ sequence: UInt16) -> Bool {
        let bit = Int(sequence) & 127
        return bit < 64 ? missingBits.0 & (1 << UInt64(bit)) != 0 : missingBits.1 & (1 << UInt64(bit - 64)) != 0
    }

    private mutating func setMissing(_ sequence: UInt16, _ missing: Bool) {
        let bit = Int(sequence) & 127
        let flag: UInt64 = 1 << UInt64(bit & 63)
        if bit < 64 {
            missingBits.0 = missing ? missingBits.0 | flag : missingBits.0 & ~flag
        } else {
            missingBits.1 = missing ? missingBits.1 | flag : missingBits.1 & ~flag
        }
    }

    /// A Duration in whole µs, saturated to ±2^60 so sums and differences cannot trap.
    static func microseconds(_ duration: Duration) -> Int64 {
        let limit: Int64 = 1 << 60
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow || whole > limit { return seconds < 0 ? -limit : limit }
        if whole < -limit { return -limit }
        return whole + attoseconds / 1_000_000_000_000
    }
}

extension JitterBuffer: Sendable where Frame: Sendable {}
extension JitterBuffer.Slot: Sendable where Frame: Sendable {}
