/// Plays a queue of prompts, tones and silences into a leg's 8 kHz frames, one frame per call.
///
/// Pure and stepped by the caller (the leg's 20 ms media tick): no clock, no I/O. Items play back
/// to back with no gap, so an item may end and the next begin inside one frame. Per frame it only
/// copies samples: a prompt's `[Int16]` storage is shared with the `PromptLibrary`, never copied,
/// and nothing is allocated (the queue only grows in `enqueue`).
///
///     var player = PromptPlayer([.prompt(library[.welcome]), .silence(.milliseconds(300)),
///                                .prompt(library[.enterMeetingID])])
///     // every 20 ms:
///     if player.nextFrame(into: frame) { send(frame) } else { /* done: collect digits */ }
///     // on a DTMF digit (barge-in):
///     player.stop()
public struct PromptPlayer: Sendable {
    /// One thing to play.
    public enum Item: Sendable, Equatable {
        /// A prompt's samples, in full.
        case prompt(Prompt)
        /// Silence for a duration (rounded to whole samples).
        case silence(Duration)
        /// A tone from `ToneGenerator`. With a `duration` it plays for exactly that long; without,
        /// a non-repeating tone plays its one on/off cycle, and a continuous or repeating tone
        /// plays until `stop()` (items queued after it never start).
        case tone(Tone, duration: Duration? = nil)
    }

    /// Sample rate of everything played: a phone leg's.
    public static let sampleRate = PromptLibrary.sampleRate

    /// What the current item reads from.
    private enum Source: Sendable {
        case idle, prompt, silence, tone
    }

    private var queue: [Item] = []
    /// Index in `queue` of the next item to start.
    private var nextItem = 0
    private var source = Source.idle
    /// The playing prompt's samples (a reference to the library's storage).
    private var promptSamples: [Int16] = []
    /// Samples of the current item already played.
    private var position = 0
    /// Samples in the current item; nil for a tone that plays until it finishes by itself.
    private var length: Int?
    private var generator = ToneGenerator(sampleRate: sampleRate)

    /// A player that will play `items` in order.
    public init(_ items: [Item] = []) {
        enqueue(contentsOf: items)
    }

    /// True while an item is playing or queued (and so the next `nextFrame` will play audio).
    public var isPlaying: Bool { source != .idle || nextItem < queue.count }

    /// Adds `item` at the end of the queue. Items that last no time at all (an empty prompt, a
    /// silence or tone of zero length) are dropped, so `isPlaying` never promises an empty frame.
    public mutating func enqueue(_ item: Item) {
        switch item {
        case .prompt(let prompt) where prompt.samples.isEmpty: return
        case .silence(let duration) where Self.samples(duration) == 0: return
        case .tone(_, let duration?) where Self.samples(duration) == 0: return
        default: queue.append(item)
        }
    }

    /// Adds `items` at the end of the queue, in order.
    public mutating func enqueue(contentsOf items: [Item]) {
        for item in items { enqueue(item) }
    }

    /// Barge-in (a DTMF digit, a hang-up): drops the playing item and everything queued. The next
    /// `nextFrame` returns false with a silent frame.
    public mutating func stop() {
        if !queue.isEmpty { queue.removeAll(keepingCapacity: true) }
        nextItem = 0
        finishItem()
    }

    /// Writes the next `frame.count` samples. Returns true when the frame carries queued audio
    /// (the frame that plays the last samples is zero-padded after them); returns false, with a
    /// silent frame, once there is nothing left to play.
    public mutating func nextFrame(into frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var filled = 0
        var played = false
        while filled < frame.count, source != .idle || startNextItem() {
            let written = write(into: UnsafeMutableBufferPointer(rebasing: frame[filled...]))
            filled += written
            played = played || written > 0
        }
        for index in filled..<frame.count { frame[index] = 0 }
        return played
    }

    /// Moves to the next queued item; false (and the queue emptied, keeping its capacity) when
    /// there is none.
    private mutating func startNextItem() -> Bool {
        guard nextItem < queue.count else {
            // Once per drained queue, not on every idle frame.
            if !queue.isEmpty { queue.removeAll(keepingCapacity: true) }
            nextItem = 0
            return false
        }
        let item = queue[nextItem]
        nextItem += 1
        position = 0
        switch item {
        case .prompt(let prompt):
            source = .prompt
            promptSamples = prompt.samples
            length = prompt.samples.count
        case .silence(let duration):
            source = .silence
            length = Self.samples(duration)
        case .tone(let tone, let duration):
            source = .tone
            generator.start(tone)
            length = duration.map(Self.samples)
        }
        return true
    }

    /// Writes as much of the current item as fits in `region` (at least one sample, or none when
    /// the item turns out to be over) and returns how many samples it wrote.
    private mutating func write(into region: UnsafeMutableBufferPointer<Int16>) -> Int {
        guard let length else { return writeToneUntilFinished(into: region) }
        let count = min(region.count, length - position)
        switch source {
        case .idle:
            return 0
        case .prompt:
            let start = position
            promptSamples.withUnsafeBufferPointer { samples in
                for index in 0..<count { region[index] = samples[start + index] }
            }
        case .silence:
            for index in 0..<count { region[index] = 0 }
        case .tone:
            generator.generate(into: UnsafeMutableBufferPointer(rebasing: region[..<count]))
        }
        position += count
        if position >= length { finishItem() }
        return count
    }

    /// A tone without a duration: sample by sample, so it ends exactly where `ToneGenerator`
    /// says its cycle is over (a continuous or repeating tone fills every frame until `stop()`).
    private mutating func writeToneUntilFinished(into region: UnsafeMutableBufferPointer<Int16>) -> Int {
        var count = 0
        while count < region.count, !generator.isFinished {
            generator.generate(into: UnsafeMutableBufferPointer(rebasing: region[count...count]))
            count += 1
        }
        if generator.isFinished { finishItem() }
        return count
    }

    private mutating func finishItem() {
        source = .idle
        promptSamples = []  // drop the reference; an empty array literal does not allocate
        position = 0
        length = 0
    }

    /// Whole samples in `duration` at `sampleRate`, rounded to nearest; 0 for zero or negative
    /// durations, and capped at 2^40 (over four years) so no input can overflow.
    static func samples(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = (Double(seconds) + Double(attoseconds) / 1e18) * Double(sampleRate)
        guard total.isFinite, total > 0 else { return 0 }
        return Int(min(total.rounded(), 0x100_0000_0000))
    }
}
