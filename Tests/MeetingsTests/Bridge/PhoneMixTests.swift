import Testing

@testable import Meetings

/// The phone mix on synthetic frames: each tick is one call of `mixTick()` (the fake clock), and every
/// expectation is the exact sample values the mix must produce.
@Suite struct PhoneMixTests {
    /// 160 samples of `value(n)`.
    static func frame(_ value: (Int) -> Int) -> [Int16] {
        (0..<PhoneMix.samplesPerFrame).map { Int16(value($0)) }
    }

    /// A ramp distinct per source, so a wrong source in a mix shows in the samples.
    static func ramp(_ base: Int) -> [Int16] { frame { base + $0 } }

    /// `amplitude × [-1, 0, 1, 2]` repeated: mean square 1.5 × amplitude².
    static func pattern(_ amplitude: Int) -> [Int16] { frame { amplitude * ($0 % 4 - 1) } }

    static func sum(_ frames: [Int16]...) -> [Int16] {
        (0..<PhoneMix.samplesPerFrame).map { index in Int16(clamping: frames.reduce(0) { $0 + Int($1[index]) }) }
    }

    static let silence = [Int16](repeating: 0, count: PhoneMix.samplesPerFrame)

    @Test func twoPhonesAndTwoAppsEachPhoneHearsEveryoneButItself() {
        var mix = PhoneMix(maxSpeakers: 4)
        mix.addPhoneLeg(1)
        mix.addPhoneLeg(2)
        let phone1 = Self.ramp(1_000)
        let phone2 = Self.ramp(2_000)
        let app3 = Self.ramp(3_000)
        let app4 = Self.ramp(-4_000)
        mix.submit(1, phone1)
        mix.submit(2, phone2)
        mix.submit(3, app3)
        mix.submit(4, app4)
        mix.mixTick()
        #expect(mix.output(of: 1) == Self.sum(phone2, app3, app4))
        #expect(mix.output(of: 2) == Self.sum(phone1, app3, app4))
        #expect(mix.output(of: 3) == nil, "app senders get no mix: they decode the frames themselves")
        #expect(mix.selectedSources == [1, 2, 3, 4])
        #expect(Set(mix.phoneLegs) == [1, 2])
    }

    /// Speaking (for roster events) is a selected source above the silence level: a quiet line
    /// that is mixed is not "speaking".
    @Test func speakingIsLoudAndSelected() {
        var mix = PhoneMix(maxSpeakers: 3)
        mix.addPhoneLeg(1)
        for _ in 0..<10 {
            mix.submit(1, Self.pattern(8_000))
            mix.submit(2, Self.pattern(5))
            mix.mixTick()
        }
        #expect(mix.isSpeaking(1))
        #expect(!mix.isSpeaking(2))
        #expect(!mix.isSpeaking(9), "an unknown source is not speaking")
    }

    @Test func aPhoneLegNeverHearsItselfSelectedOrNot() {
        var mix = PhoneMix(maxSpeakers: 1)
        mix.addPhoneLeg(1)
        mix.addPhoneLeg(2)
        let loud = Self.ramp(5_000)
        let quiet = Self.ramp(100)
        mix.submit(1, loud)
        mix.submit(2, quiet)
        mix.mixTick()
        #expect(mix.selectedSources == [1])
        #expect(mix.output(of: 1) == Self.silence, "the only selected speaker is itself")
        #expect(mix.output(of: 2) == loud, "not selected, so nothing of its own is in the mix to take out")
    }

    @Test func onlyTheLoudestThreeOfFiveAreMixed() {
        var mix = PhoneMix()
        #expect(mix.maxSpeakers == 3)
        mix.addPhoneLeg(1)
        mix.addPhoneLeg(2)
        let sources: [(SenderIndex, [Int16])] = [
            (1, Self.pattern(1_000)), (2, Self.pattern(200)), (3, Self.pattern(800)), (4, Self.pattern(100)), (5, Self.pattern(600)),
        ]
        for (index, pcm) in sources { mix.submit(index, pcm) }
        mix.mixTick()
        #expect(mix.selectedSources == [1, 3, 5], "the quietest two, 2 and 4, are left out")
        #expect(mix.output(of: 1) == Self.pattern(800 + 600))
        #expect(mix.output(of: 2) == Self.pattern(1_000 + 800 + 600), "phone 2 is not selected: it hears all three")
    }

    @Test func silenceWhenNobodySpeaks() {
        var mix = PhoneMix()
        mix.addPhoneLeg(1)
        mix.addPhoneLeg(2)
        mix.mixTick()
        #expect(mix.output(of: 1) == Self.silence)
        #expect(mix.output(of: 2) == Self.silence)
        mix.submit(1, Self.silence)
        mix.submit(3, Self.silence)
        mix.mixTick()
        #expect(mix.output(of: 1) == Self.silence)
        #expect(mix.output(of: 2) == Self.silence)
        #expect(mix.selectedSources.isEmpty, "digital silence is below the silence level")
        #expect(mix.level(of: 3) == 0)
    }

    @Test func clippingSaturatesAfterTakingOutTheListener() {
        var mix = PhoneMix()
        mix.addPhoneLeg(1)
        mix.addPhoneLeg(2)
        mix.submit(1, Self.frame { $0 % 2 == 0 ? 30_000 : -30_000 })
        mix.submit(3, Self.frame { $0 % 2 == 0 ? 30_000 : -30_000 })
        mix.submit(4, Self.frame { $0 % 2 == 0 ? 30_000 : -30_000 })
        mix.mixTick()
        // Phone 1 hears apps 3 + 4 (±60 000): clipped to the 16-bit range.
        #expect(mix.output(of: 1) == Self.frame { $0 % 2 == 0 ? 32_767 : -32_768 })
        // Phone 2 (silent) hears all three (±90 000), clipped the same way.
        #expect(mix.output(of: 2) == Self.frame { $0 % 2 == 0 ? 32_767 : -32_768 })

        mix.submit(1, Self.frame { _ in 30_000 })
        mix.submit(3, Self.frame { _ in 30_000 })
        mix.submit(4, Self.frame { _ in -30_000 })
        mix.mixTick()
        // The exact sum is 30 000; without phone 1 it is 0, not "clipped sum minus phone 1".
        #expect(mix.output(of: 1) == Self.silence)
        #expect(mix.output(of: 2) == Self.frame { _ in 30_000 })
    }

    @Test func aSourceAbsentThisTickContributesNothing() {
        var mix = PhoneMix()
        mix.addPhoneLeg(1)
        let app2 = Self.ramp(2_000)
        let app3 = Self.ramp(3_000)
        mix.submit(2, app2)
        mix.submit(3, app3)
        mix.mixTick()
        #expect(mix.output(of: 1) == Self.sum(app2, app3))

        mix.submit(2, app2)
        mix.mixTick()
        #expect(mix.isSelected(3), "its level decays slowly, so it keeps its place through a gap")
        #expect(mix.output(of: 1) == app2, "but with no audio this tick it adds nothing")

        mix.mixTick()
        #expect(mix.output(of: 1) == Self.silence, "inputs do not carry over to the next tick")
    }

    @Test func selectionHoldsThroughSimilarLevelsAndPausesAndYieldsToAMuchLouderVoice() {
        var mix = PhoneMix(maxSpeakers: 1)
        mix.addPhoneLeg(1)
        let alice = Self.frame { _ in 1_000 }  // app 2, mean square 1e6
        let bob = Self.frame { _ in 1_200 }  // app 3, 1.44e6: louder, but less than twice
        let loudBob = Self.frame { _ in 2_000 }  // 4e6: more than twice Alice
        var heard: [[Int16]] = []

        for _ in 0..<5 {
            mix.submit(2, alice)
            mix.mixTick()
            heard.append(mix.output(of: 1)!)
        }
        #expect(mix.selectedSources == [2])

        // Bob starts slightly louder: Alice keeps the floor, tick after tick.
        for _ in 0..<10 {
            mix.submit(2, alice)
            mix.submit(3, bob)
            mix.mixTick()
            heard.append(mix.output(of: 1)!)
            #expect(mix.selectedSources == [2])
        }
        // Alice pauses for one frame: her place holds (the phone hears the pause, not Bob cutting in).
        mix.submit(3, bob)
        mix.mixTick()
        heard.append(mix.output(of: 1)!)
        #expect(mix.selectedSources == [2])
        #expect(heard.last == Self.silence)

        // Bob raises his voice above twice Alice's level: he takes over at once.
        mix.submit(2, alice)
        mix.submit(3, loudBob)
        mix.mixTick()
        heard.append(mix.output(of: 1)!)
        #expect(mix.selectedSources == [3])

        #expect(heard == Array(repeating: alice, count: 15) + [Self.silence, loudBob])

        // Bob stops; Alice talks on. Bob's level falls at the release rate until Alice is twice as loud:
        // the floor changes hands exactly once, after a hang, and never flaps back.
        var switches: [Int] = []
        var previous = mix.selectedSources
        for tick in 1...100 {
            mix.submit(2, alice)
            mix.mixTick()
            if mix.selectedSources != previous { switches.append(tick) }
            previous = mix.selectedSources
        }
        #expect(switches.count == 1)
        #expect((2...40).contains(switches.first ?? 0), "hang of \(switches) ticks")
        #expect(mix.selectedSources == [2])
        #expect(mix.output(of: 1) == alice)
    }

    @Test func removedSourcesFreeTheirSlotsForNewOnes() {
        var mix = PhoneMix()
        mix.addPhoneLeg(1)
        mix.submit(2, Self.ramp(2_000))
        mix.mixTick()
        mix.removeSource(2)
        #expect(mix.sourceCount == 1)
        mix.addPhoneLeg(5)
        #expect(mix.output(of: 5) == Self.silence, "a new leg hears silence until its first tick")
        mix.submit(1, Self.ramp(100))
        mix.mixTick()
        #expect(mix.output(of: 5) == Self.ramp(100))
        #expect(mix.output(of: 1) == Self.silence)
        mix.removeSource(1)
        #expect(mix.output(of: 1) == nil)
        #expect(mix.phoneLegs == [5])
    }
}

extension PhoneMix {
    mutating func submit(_ source: SenderIndex, _ pcm: [Int16]) {
        pcm.withUnsafeBufferPointer { _ = submit(source, pcm: $0) }
    }
}
