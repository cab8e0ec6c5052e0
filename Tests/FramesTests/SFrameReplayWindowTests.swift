import Frames
import TestSupport
import Testing

@Suite("SFrame replay window")
struct SFrameReplayWindowTests {
    @Test func firstCounterIsFreshAnywhere() {
        var window = SFrameReplayWindow()
        #expect(window.newest == nil)
        #expect(window.verdict(for: 1_000_000) == .fresh)
        window.accept(1_000_000)
        #expect(window.newest == 1_000_000)
        #expect(window.verdict(for: 1_000_000) == .replayed)
        #expect(window.verdict(for: 999_999) == .fresh)
        #expect(window.verdict(for: 1_000_000 - 127) == .fresh)
        #expect(window.verdict(for: 1_000_000 - 128) == .tooOld)
    }

    @Test func jumpsForwardForgetAccordingly() {
        for jump: UInt64 in [1, 63, 64, 65, 127, 128, 129, 5000] {
            var window = SFrameReplayWindow()
            window.accept(10)
            window.accept(10 + jump)
            #expect(window.verdict(for: 10 + jump) == .replayed)
            #expect(window.verdict(for: 10) == (jump < 128 ? .replayed : .tooOld), "jump \(jump)")
            if jump > 1 { #expect(window.verdict(for: 11) == (jump - 1 < 128 ? .fresh : .tooOld)) }
        }
    }

    /// Against a model (a set of accepted counters), over a shuffled stream with duplicates.
    @Test func matchesASetModel() {
        var generator = SeededGenerator(seed: 3711)
        var window = SFrameReplayWindow()
        var accepted: Set<UInt64> = []
        var newest: UInt64 = 0
        var seen: [SFrameReplayWindow.Verdict: Int] = [:]
        for step in 0..<20_000 {
            // Mostly ascending, each up to 300 counters ahead of the trend: reordering, repeats and stragglers.
            let counter = UInt64(step / 4) + UInt64.random(in: 0...300, using: &generator)
            let expected: SFrameReplayWindow.Verdict =
                accepted.isEmpty || counter > newest
                ? .fresh
                : newest - counter >= 128 ? .tooOld : accepted.contains(counter) ? .replayed : .fresh
            #expect(window.verdict(for: counter) == expected)
            seen[expected, default: 0] += 1
            if expected == .fresh {
                window.accept(counter)
                accepted.insert(counter)
                newest = max(newest, counter)
            }
        }
        #expect(seen.count == 3 && seen.values.allSatisfy { $0 > 1000 }, "\(seen)")
    }
}
