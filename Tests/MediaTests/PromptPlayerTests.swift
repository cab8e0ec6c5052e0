import Media
import Testing

/// The player stepped frame by frame, as a leg's 20 ms media tick does.
@Suite struct PromptPlayerTests {
    static let frameSize = 160
    /// Written into every frame before the player fills it, so padding that is not written shows.
    static let poison: Int16 = 0x5A5A

    /// A synthetic prompt whose samples are all distinct from silence and from each other nearby.
    static let prompt = Prompt(name: .welcome, samples: (0..<1000).map { Int16($0 % 500 + 1) })

    /// Steps `player` until it returns false (or `limit` frames), returning each frame and what
    /// `nextFrame` returned for it.
    static func run(_ player: inout PromptPlayer, frameSize: Int = frameSize, limit: Int = 10_000) -> [(Bool, [Int16])] {
        var frames: [(Bool, [Int16])] = []
        var frame = [Int16](repeating: poison, count: frameSize)
        for _ in 0..<limit {
            frame.withUnsafeMutableBufferPointer { $0.update(repeating: poison) }
            let played = frame.withUnsafeMutableBufferPointer { player.nextFrame(into: $0) }
            frames.append((played, frame))
            if !played { break }
        }
        return frames
    }

    /// What `ToneGenerator` makes of `tone` in `count` samples, generated in one go.
    static func toneSamples(_ tone: Tone, count: Int) -> [Int16] {
        var generator = ToneGenerator(tone: tone)
        var samples = [Int16](repeating: 0, count: count)
        samples.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
        return samples
    }

    @Test func queueOfPromptSilenceAndToneHasTheExactFramesAndPadding() {
        // 1000 prompt samples + 800 silence (100 ms) + 1600 tone (a 200 ms beep, one cycle) =
        // 3400 samples: 21 full frames and a 22nd with 40 samples and 120 of zero padding.
        let beep = Tone.beep(frequency: 1000, duration: .milliseconds(200))
        var player = PromptPlayer([.prompt(Self.prompt), .silence(.milliseconds(100)), .tone(beep)])
        #expect(player.isPlaying)
        let frames = Self.run(&player)
        #expect(frames.count == 23)
        #expect(frames.prefix(22).allSatisfy { $0.0 })
        #expect(frames[22].0 == false)
        #expect(frames[22].1.allSatisfy { $0 == 0 })
        #expect(!player.isPlaying)

        let output = frames.prefix(22).flatMap(\.1)
        #expect(Array(output[0..<1000]) == Self.prompt.samples)
        #expect(output[1000..<1800].allSatisfy { $0 == 0 })
        #expect(Array(output[1800..<3400]) == Self.toneSamples(beep, count: 1600))
        // -13 dBm0 peaks at about 5100.
        #expect(output[1800..<3400].contains { abs($0) > 5000 }, "the beep is audible")
        #expect(output[3400...].count == 120)
        #expect(output[3400...].allSatisfy { $0 == 0 })
    }

    @Test(arguments: [1, 7, 160, 333, 4000])
    func outputDoesNotDependOnTheFrameSize(frameSize: Int) {
        let items: [PromptPlayer.Item] = [
            .prompt(Self.prompt), .tone(.ringbackITU, duration: .milliseconds(30)), .silence(.milliseconds(5)),
            .tone(.dtmf(.five)), .prompt(Self.prompt),
        ]
        var reference = PromptPlayer(items)
        var player = PromptPlayer(items)
        let expected = Self.run(&reference, frameSize: 1).filter(\.0).flatMap(\.1)
        // 2 × 1000 + 240 + 40 + 1600 (100 ms on, 100 ms off) samples.
        #expect(expected.count == 3880)
        let frames = Self.run(&player, frameSize: frameSize)
        let played = frames.filter(\.0).flatMap(\.1)
        #expect(frames.filter(\.0).count == (3880 + frameSize - 1) / frameSize)
        #expect(Array(played.prefix(3880)) == expected)
        #expect(played.dropFirst(3880).allSatisfy { $0 == 0 })
    }

    @Test func bargeInStopsAtTheNextFrame() {
        var player = PromptPlayer([.prompt(Self.prompt), .tone(.ringbackNorthAmerica)])
        var frame = [Int16](repeating: Self.poison, count: Self.frameSize)
        for _ in 0..<3 {
            #expect(frame.withUnsafeMutableBufferPointer { player.nextFrame(into: $0) })
        }
        #expect(frame == Array(Self.prompt.samples[320..<480]))
        player.stop()  // a DTMF digit arrives between two ticks
        #expect(!player.isPlaying)
        frame = [Int16](repeating: Self.poison, count: Self.frameSize)
        #expect(frame.withUnsafeMutableBufferPointer { player.nextFrame(into: $0) } == false)
        #expect(frame.allSatisfy { $0 == 0 })

        // The player is reusable: the next prompt starts from its first sample.
        player.enqueue(.prompt(Self.prompt))
        #expect(player.isPlaying)
        #expect(frame.withUnsafeMutableBufferPointer { player.nextFrame(into: $0) })
        #expect(frame == Array(Self.prompt.samples[0..<160]))
    }

    @Test func continuousToneWithoutDurationPlaysUntilStopped() {
        var player = PromptPlayer([.tone(.ringbackNorthAmerica), .prompt(Self.prompt)])
        let frames = Self.run(&player, limit: 500)  // 10 s: more than one ringback cadence (6 s)
        #expect(frames.count == 500)
        #expect(frames.allSatisfy { $0.0 })
        #expect(player.isPlaying)
        player.stop()
        #expect(Self.run(&player).count == 1)
    }

    @Test func emptyItemsAreDropped() {
        var player = PromptPlayer([
            .silence(.zero), .silence(.milliseconds(-5)), .prompt(Prompt(name: .lobby, samples: [])),
            .tone(.beep(), duration: .zero),
        ])
        #expect(!player.isPlaying)
        let frames = Self.run(&player)
        #expect(frames.count == 1)
        #expect(frames[0].0 == false)
        #expect(frames[0].1.allSatisfy { $0 == 0 })
    }

    @Test func bundledPromptPlaysInFullInTwentyMillisecondFrames() throws {
        let library = try PromptLibrary.bundled()
        let goodbye = library[.goodbye]
        var player = PromptPlayer([.prompt(goodbye)])
        let frames = Self.run(&player)
        let playedFrames = (goodbye.samples.count + Self.frameSize - 1) / Self.frameSize
        #expect(frames.count == playedFrames + 1)
        #expect(Array(frames.prefix(playedFrames).flatMap(\.1).prefix(goodbye.samples.count)) == goodbye.samples)
    }
}
