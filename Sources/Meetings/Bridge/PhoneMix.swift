import Media

/// The mixing stage of the phone bridge (DESIGN.md §3 "Audio", issue 5 "Phone callers in standard
/// meetings"): PCM only, 20 ms of 8 kHz audio (160 samples) per source and tick. No codec, no keys,
/// no clock: the caller submits this tick's audio and calls `mixTick()` once every 20 ms.
///
/// Each tick it
/// 1. updates every source's smoothed level (`Tuning`: an exponential average of the frame's mean
///    square with a fast attack and a slow release; a source absent this tick counts as silence);
/// 2. keeps the loudest `maxSpeakers` sources selected, with hysteresis: a source displaces a selected
///    one only when its level is `Tuning.displacementRatio` times higher, so two voices of about the same
///    loudness do not take turns from tick to tick, and a speaker pausing for breath stays selected;
/// 3. mixes the selected sources present this tick with `Mixer` and writes, for every phone leg, the mix
///    of those sources without itself (mix-minus: a leg never hears itself, selected or not).
///
/// Allocation-free per tick once every source has been seen: a source's input, output and state live in
/// one slot, preallocated when the source first appears and reused after it leaves; selection scans the
/// slots (O(K·N), K the speaker limit) instead of sorting into a new array.
///
/// Owned by one event loop or actor, like the meeting it serves.
public struct PhoneMix: Sendable {
    /// 20 ms at 8 kHz: phone legs' frame (DESIGN.md §3 "Audio").
    public static let samplesPerFrame = 160
    /// Sources at most (app senders and phone legs together); a manifest lists at most
    /// `EpochManifest.maximumSenders` (1024) senders, and the roster is smaller still.
    public static let maximumSources = 1024

    /// The level tracker's constants. Levels are mean squares of 16-bit samples (full-scale sine:
    /// about 5.4e8), smoothed once per 20 ms tick:
    /// `level += (energy > level ? attack : release) × (energy − level)`.
    public struct Tuning: Sendable, Equatable {
        /// Share of the step towards a louder frame taken per tick: 0.5 is a time constant of about
        /// 29 ms, so a new talker is selectable within one or two ticks.
        public var attack: Double = 0.5
        /// Share of the step towards a quieter frame taken per tick: 0.064 is a time constant of about
        /// 300 ms (1 − e^(−20/300)), so the level survives the pauses between words; a talker who has
        /// stopped falls 30 dB in about 2 s.
        public var release: Double = 0.064
        /// How much louder (as a ratio of levels) an unselected source must be to displace the quietest
        /// selected one: 2 is about 3 dB.
        public var displacementRatio: Double = 2
        /// Sources whose level is at or below this are never selected (and lose their place): about
        /// −60 dBFS RMS (33² ≈ 1 089), below any line noise worth hearing.
        public var silenceLevel: Double = 1_000

        public init() {}
    }

    private struct Slot: Sendable {
        var source: SenderIndex
        var isPhoneLeg: Bool
        var inUse: Bool
        /// Audio was submitted for the current tick.
        var present: Bool
        var selected: Bool
        var level: Double
    }

    /// Sources mixed at most per tick.
    public let maxSpeakers: Int
    public let tuning: Tuning

    private var mixer = Mixer(frameSize: PhoneMix.samplesPerFrame)
    private var slots: [Slot] = []
    private var slotBySource: [SenderIndex: Int] = [:]
    private var freeSlots: [Int] = []
    /// Slot i's input is `inputs[i * 160 ..< (i + 1) * 160]`; the same for a phone leg's output.
    private var inputs: [Int16] = []
    private var outputs: [Int16] = []

    /// A mix of at most `maxSpeakers` sources (at least 1).
    public init(maxSpeakers: Int = 3, tuning: Tuning = Tuning()) {
        self.maxSpeakers = max(1, maxSpeakers)
        self.tuning = tuning
    }

    // MARK: Sources

    /// Adds a phone leg: a source that also gets a mix. Adding a known app sender's index turns it into a
    /// phone leg. Returns false when `maximumSources` are in use.
    @discardableResult
    public mutating func addPhoneLeg(_ leg: SenderIndex) -> Bool {
        guard let slot = slot(for: leg) else { return false }
        slots[slot].isPhoneLeg = true
        return true
    }

    /// Removes a phone leg or an app sender (it left, or its decoder was dropped). Its slot is reused.
    public mutating func removeSource(_ source: SenderIndex) {
        guard let slot = slotBySource.removeValue(forKey: source) else { return }
        slots[slot].inUse = false
        slots[slot].present = false
        slots[slot].selected = false
        freeSlots.append(slot)
    }

    /// Whether `source` is a phone leg of this mix.
    public func isPhoneLeg(_ source: SenderIndex) -> Bool {
        slotBySource[source].map { slots[$0].isPhoneLeg } ?? false
    }

    /// The phone legs, in no particular order.
    public var phoneLegs: [SenderIndex] { slotBySource.keys.filter { isPhoneLeg($0) } }

    /// Sources known to the mix (phone legs and app senders).
    public var sourceCount: Int { slotBySource.count }

    // MARK: One tick

    /// Submits `source`'s audio for the coming tick (an unknown index becomes an app sender). Samples past
    /// 160 are ignored and a short frame is padded with silence; a second submission in the same tick
    /// replaces the first. Returns false when the source cannot be added (`maximumSources`).
    @discardableResult
    public mutating func submit(_ source: SenderIndex, pcm: UnsafeBufferPointer<Int16>) -> Bool {
        guard let slot = slot(for: source) else { return false }
        let start = slot * Self.samplesPerFrame
        let count = min(pcm.count, Self.samplesPerFrame)
        inputs.withUnsafeMutableBufferPointer { inputs in
            for index in 0..<count { inputs[start + index] = pcm[index] }
            for index in count..<Self.samplesPerFrame { inputs[start + index] = 0 }
        }
        slots[slot].present = true
        return true
    }

    /// Mixes this tick: updates levels, selection and every phone leg's output, then forgets this tick's
    /// inputs (a source that submits nothing before the next call is absent then).
    public mutating func mixTick() {
        updateLevels()
        updateSelection()
        mixer.begin()
        inputs.withUnsafeBufferPointer { inputs in
            for slot in slots.indices where slots[slot].inUse && slots[slot].selected && slots[slot].present {
                mixer.add(Self.frame(slot, of: inputs))
            }
        }
        outputs.withUnsafeMutableBufferPointer { outputs in
            inputs.withUnsafeBufferPointer { inputs in
                for slot in slots.indices where slots[slot].inUse && slots[slot].isPhoneLeg {
                    // `Mixer` can only take out a buffer that went in: a leg that was not mixed is not in the sum.
                    let own = slots[slot].selected && slots[slot].present ? Self.frame(slot, of: inputs) : nil
                    let start = slot * Self.samplesPerFrame
                    let output = UnsafeMutableBufferPointer(rebasing: outputs[start..<start + Self.samplesPerFrame])
                    mixer.write(into: output, excluding: own)
                }
            }
        }
        for slot in slots.indices { slots[slot].present = false }
    }

    /// Calls `body` with the last tick's mix for `leg` (160 samples); nil when `leg` is not a phone leg.
    public func withOutput<R>(of leg: SenderIndex, _ body: (UnsafeBufferPointer<Int16>) throws -> R) rethrows -> R? {
        guard let slot = slotBySource[leg], slots[slot].isPhoneLeg else { return nil }
        return try outputs.withUnsafeBufferPointer { outputs in try body(Self.frame(slot, of: outputs)) }
    }

    /// Calls `body` with every phone leg and its last mix, in slot order (no allocation).
    public func forEachOutput(_ body: (SenderIndex, UnsafeBufferPointer<Int16>) throws -> Void) rethrows {
        try outputs.withUnsafeBufferPointer { outputs in
            for slot in slots.indices where slots[slot].inUse && slots[slot].isPhoneLeg {
                try body(slots[slot].source, Self.frame(slot, of: outputs))
            }
        }
    }

    /// The last mix for `leg` as an array (tests and non-hot paths).
    public func output(of leg: SenderIndex) -> [Int16]? { withOutput(of: leg) { Array($0) } }

    /// Whether `source` was among the selected speakers in the last tick.
    public func isSelected(_ source: SenderIndex) -> Bool {
        slotBySource[source].map { slots[$0].selected } ?? false
    }

    /// Whether `source` is talking: selected in the last tick and above the silence level.
    public func isSpeaking(_ source: SenderIndex) -> Bool {
        guard let slot = slotBySource[source] else { return false }
        return slots[slot].selected && slots[slot].level > tuning.silenceLevel
    }

    /// The sources selected in the last tick, ascending (tests and status; allocates).
    public var selectedSources: [SenderIndex] {
        slots.filter { $0.inUse && $0.selected }.map(\.source).sorted()
    }

    /// `source`'s smoothed level after the last tick (mean square of 16-bit samples).
    public func level(of source: SenderIndex) -> Double? { slotBySource[source].map { slots[$0].level } }

    // MARK: Internals

    /// The slot of `source`, made (or reused) when it is new; nil when every slot is taken.
    private mutating func slot(for source: SenderIndex) -> Int? {
        if let slot = slotBySource[source] { return slot }
        guard slotBySource.count < Self.maximumSources else { return nil }
        let fresh = Slot(source: source, isPhoneLeg: false, inUse: true, present: false, selected: false, level: 0)
        let slot: Int
        if let reused = freeSlots.popLast() {
            slot = reused
            slots[slot] = fresh
        } else {
            slot = slots.count
            slots.append(fresh)
            inputs.append(contentsOf: repeatElement(0, count: Self.samplesPerFrame))
            outputs.append(contentsOf: repeatElement(0, count: Self.samplesPerFrame))
        }
        // A new leg hears silence until its first tick.
        outputs.withUnsafeMutableBufferPointer { outputs in
            for index in slot * Self.samplesPerFrame..<(slot + 1) * Self.samplesPerFrame { outputs[index] = 0 }
        }
        slotBySource[source] = slot
        return slot
    }

    private mutating func updateLevels() {
        inputs.withUnsafeBufferPointer { inputs in
            for slot in slots.indices where slots[slot].inUse {
                let energy = slots[slot].present ? Self.meanSquare(Self.frame(slot, of: inputs)) : 0
                let level = slots[slot].level
                let rate = energy > level ? tuning.attack : tuning.release
                slots[slot].level = level + rate * (energy - level)
            }
        }
    }

    private mutating func updateSelection() {
        var selectedCount = 0
        for slot in slots.indices where slots[slot].selected {
            if slots[slot].inUse && slots[slot].level > tuning.silenceLevel {
                selectedCount += 1
            } else {
                slots[slot].selected = false
            }
        }
        // Fill free places with the loudest candidates.
        while selectedCount < maxSpeakers, let best = loudestCandidate() {
            slots[best].selected = true
            selectedCount += 1
        }
        // Then let a much louder candidate displace the quietest selected source, one swap at a time.
        for _ in slots.indices {
            guard let best = loudestCandidate(), let worst = quietestSelected(),
                slots[best].level > slots[worst].level * tuning.displacementRatio
            else { break }
            slots[worst].selected = false
            slots[best].selected = true
        }
    }

    /// The loudest unselected source above the silence level (the lowest slot wins a tie).
    private func loudestCandidate() -> Int? {
        var best: Int?
        for slot in slots.indices where slots[slot].inUse && !slots[slot].selected && slots[slot].level > tuning.silenceLevel {
            if best == nil || slots[slot].level > slots[best!].level { best = slot }
        }
        return best
    }

    private func quietestSelected() -> Int? {
        var worst: Int?
        for slot in slots.indices where slots[slot].inUse && slots[slot].selected {
            if worst == nil || slots[slot].level < slots[worst!].level { worst = slot }
        }
        return worst
    }

    private static func frame(_ slot: Int, of buffer: UnsafeBufferPointer<Int16>) -> UnsafeBufferPointer<Int16> {
        UnsafeBufferPointer(rebasing: buffer[slot * samplesPerFrame..<(slot + 1) * samplesPerFrame])
    }

    private static func meanSquare(_ frame: UnsafeBufferPointer<Int16>) -> Double {
        var sum: Int64 = 0
        for sample in frame { sum &+= Int64(sample) * Int64(sample) }
        return Double(sum) / Double(frame.count)
    }
}
