import Media
import Testing

@Suite struct MixerTests {
    @Test func everyoneHearsEveryoneButThemselves() {
        let a: [Int16] = [100, -200, 300, 0]
        let b: [Int16] = [10, 20, -30, 1]
        let c: [Int16] = [-1, -2, -3, 2]
        let mixes = Mixer.mixEveryoneButSelf([a, b, c], frameSize: 4)
        #expect(mixes[0] == [9, 18, -33, 3])
        #expect(mixes[1] == [99, -202, 297, 2])
        #expect(mixes[2] == [110, -180, 270, 1])
    }

    @Test func sumsSaturateAtSixteenBits() {
        let loud: [Int16] = [30_000, -30_000, 32_767, -32_768]
        let mixes = Mixer.mixEveryoneButSelf([loud, loud, loud], frameSize: 4)
        #expect(mixes[0] == [32_767, -32_768, 32_767, -32_768])
        // Excluding works on the exact sum: a loud speaker's own output is the others' clipped sum,
        // not the clipped total minus itself.
        let quiet: [Int16] = [1000, -1000, 5, -5]
        let mixed = Mixer.mixEveryoneButSelf([loud, loud, quiet], frameSize: 4)
        #expect(mixed[0] == [31_000, -31_000, 32_767, -32_768])
        #expect(mixed[2] == [32_767, -32_768, 32_767, -32_768])
    }

    @Test func listenersHearEverythingAndShortFramesAreSilenceAtTheEnd() {
        var mixer = Mixer(frameSize: 4)
        var output = [Int16](repeating: 99, count: 6)
        mixer.begin()
        [Int16]([1, 2, 3, 4, 5, 6]).withUnsafeBufferPointer { _ = mixer.add($0) }
        [Int16]([10, 20]).withUnsafeBufferPointer { _ = mixer.add($0) }
        #expect(mixer.inputCount == 2)
        let written = output.withUnsafeMutableBufferPointer { mixer.write(into: $0) }
        #expect(written == 4)
        #expect(output == [11, 22, 3, 4, 99, 99])
        // A new period starts from silence.
        mixer.begin()
        output.withUnsafeMutableBufferPointer { _ = mixer.write(into: $0) }
        #expect(output.prefix(4).allSatisfy { $0 == 0 })
    }
}
