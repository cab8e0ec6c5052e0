/// Places received frames on the recording's timeline and mixes them (pure: slots in, samples out).
///
/// The timeline starts when the client joined and has one slot per 20 ms (`MeetingAudio.frameDuration`),
/// so a recording is as long as the time in the meeting and silent where nothing arrived. A frame goes
/// into the slot it arrived in, or, when a sender's frames bunch up (network jitter delivers two in
/// one slot), into the slot after that sender's previous frame, so no frame covers another:
/// ```
/// slot      0    1    2    3    4    5
/// arrivals  A         A A       A          (two of A's frames arrive in slot 2)
/// placed    A         A    A    A          (the second moves to slot 3; slot 4's to 4)
/// ```
/// A sender may run ahead of its arrivals by at most `maximumLeadSlots`; a frame that would go further
/// (the sender sends faster than real time) is dropped and counted, so latency cannot grow unbounded.
///
/// Mixing keeps a window of `windowSlots` unfinished slots as 32-bit sums; a slot is finished (clipped
/// to 16 bits and handed to `emit`) when the window moves past it, when `flush(before:)` is called, or
/// at the end. A frame for a finished slot is late: dropped from the mix and counted.
public struct RecordingTimeline {
    /// Samples per slot.
    public static let samplesPerSlot = MeetingAudio.samplesPerFrame

    /// Unfinished slots kept for mixing.
    public let windowSlots: Int
    /// How far a sender's frames may be placed ahead of their arrival slot.
    public let maximumLeadSlots: Int
    /// Slots `0..<finishedSlots` have been emitted.
    public private(set) var finishedSlots = 0
    /// Frames dropped because they came too late for the mix, or too far ahead of real time.
    public private(set) var droppedFrames = 0

    private var sums: [Int32]
    private var clipped: [Int16]
    private var lastSlot: [UInt64: Int] = [:]

    public init(windowSlots: Int = 50, maximumLeadSlots: Int = 10) {
        self.windowSlots = max(windowSlots, 1)
        self.maximumLeadSlots = max(maximumLeadSlots, 0)
        sums = Array(repeating: 0, count: self.windowSlots * Self.samplesPerSlot)
        clipped = Array(repeating: 0, count: Self.samplesPerSlot)
    }

    /// The slot for a frame from `sender` that arrived during `arrivalSlot`, or nil when it is dropped
    /// (too far ahead). Call once per frame: it moves the sender's position forward.
    public mutating func place(sender: UInt64, arrivalSlot: Int) -> Int? {
        let arrival = max(arrivalSlot, 0)
        let slot = max(arrival, lastSlot[sender].map { $0 + 1 } ?? arrival)
        guard slot <= arrival + maximumLeadSlots else {
            droppedFrames += 1
            return nil
        }
        lastSlot[sender] = slot
        return slot
    }

    /// Adds a frame to the mix at `slot`, first finishing the slots the window must drop to reach it.
    /// Samples past one slot are ignored; a short frame is silence at its end. Returns false (and
    /// counts the frame) when `slot` is already finished.
    @discardableResult
    public mutating func add(
        _ pcm: UnsafeBufferPointer<Int16>, at slot: Int, emit: (UnsafeBufferPointer<Int16>) throws -> Void
    ) rethrows -> Bool {
        guard slot >= finishedSlots else {
            droppedFrames += 1
            return false
        }
        if slot >= finishedSlots + windowSlots { try flush(before: slot - windowSlots + 1, emit: emit) }
        let base = (slot % windowSlots) * Self.samplesPerSlot
        let count = min(pcm.count, Self.samplesPerSlot)
        sums.withUnsafeMutableBufferPointer { sums in
            for index in 0..<count { sums[base + index] &+= Int32(pcm[index]) }
        }
        return true
    }

    /// Finishes and emits every slot before `slot` (silence where nothing was added), in order.
    public mutating func flush(before slot: Int, emit: (UnsafeBufferPointer<Int16>) throws -> Void) rethrows {
        while finishedSlots < slot {
            let base = (finishedSlots % windowSlots) * Self.samplesPerSlot
            sums.withUnsafeMutableBufferPointer { sums in
                clipped.withUnsafeMutableBufferPointer { clipped in
                    for index in 0..<Self.samplesPerSlot {
                        clipped[index] = Int16(clamping: sums[base + index])
                        sums[base + index] = 0
                    }
                }
            }
            finishedSlots += 1
            try clipped.withUnsafeBufferPointer { try emit($0) }
        }
    }
}
