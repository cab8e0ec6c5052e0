import Frames
import Media
import Testing

@testable import Meetings

/// The phone bridge end to end without sockets: an app client's real Opus + SFrame frames go in, phone
/// legs' mixes and SFrame frames come out, and the client's own ring opens what the bridge sends.
@Suite struct PhoneBridgeTests {
    static let appRate = 48_000.0
    static let phoneRate = 8_000.0
    static let appFrame = 960  // 20 ms at 48 kHz
    static let ticks = 25

    /// The client's frame `number` of a 48 kHz tone, Opus-encoded and protected with its own sender.
    static func appFrame(_ fixture: BridgeFixture, encoder: OpusEncoder, number: Int, frequency: Double) throws -> [UInt8] {
        let pcm = ToneCheck.tone(frequency: frequency, sampleRate: appRate, offset: number * appFrame, count: appFrame)
        let packet = try encoder.encode(pcm)
        return try #require(fixture.clientRing.ownSender).protect(packet)
    }

    @Test func anAppSendersToneReachesEveryPhoneLegsMix() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        var heard: [SenderIndex: [Int16]] = [:]
        for number in 0..<Self.ticks {
            fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: number, frequency: 440))
            let output = fixture.bridge.tick()
            #expect(output.frames.isEmpty, "the phones said nothing")
            for (leg, pcm) in output.mixes { heard[leg, default: []] += pcm }
        }
        #expect(fixture.bridge.statistics.framesDecoded == Self.ticks)
        #expect(fixture.bridge.statistics.framesFailedToOpen == 0)
        #expect(fixture.bridge.appSenderCount == 1)
        for leg in BridgeFixture.phoneLegs {
            let pcm = try #require(heard[leg])
            #expect(pcm.count == Self.ticks * PhoneBridge.samplesPerFrame)
            // Skip the codec's start-up; the rest must be the tone, at about its level.
            let steady = Array(pcm.suffix(15 * PhoneBridge.samplesPerFrame))
            let tone = ToneCheck.power(steady, frequency: 440, sampleRate: Self.phoneRate)
            for other in [250.0, 700, 1_000, 2_000, 3_000] {
                let off = ToneCheck.power(steady, frequency: other, sampleRate: Self.phoneRate)
                #expect(tone > 100 * off, "\(leg): 440 Hz power \(tone), \(other) Hz power \(off)")
            }
            #expect((3_000...8_000).contains(ToneCheck.rms(steady)), "\(leg): RMS \(ToneCheck.rms(steady)), 5 657 sent")
        }
    }

    @Test func aPhoneLegsAudioComesOutAsAFrameTheClientOpensAndDecodes() throws {
        let fixture = try BridgeFixture()
        let decoder = try OpusDecoder(sampleRate: Int32(Self.appRate))
        var received: [Int16] = []
        var legHeard: [SenderIndex: [Int16]] = [:]
        for number in 0..<Self.ticks {
            let pcm = ToneCheck.tone(
                frequency: 600, sampleRate: Self.phoneRate, offset: number * PhoneBridge.samplesPerFrame, count: PhoneBridge.samplesPerFrame
            )
            pcm.withUnsafeBufferPointer { fixture.bridge.receivePhoneAudio(senderIndex: 2, pcm: $0) }
            let output = fixture.bridge.tick()
            #expect(Array(output.frames.keys) == [2], "only the leg that spoke sends a frame")
            let frame = try #require(output.frames[2])
            let opened = try fixture.clientRing.unprotect(frame)
            #expect(opened.sender == EpochManifest.Sender(senderIndex: 2, source: .phone))
            #expect(opened.epoch == 1)
            let decoded = try decoder.decode(opened.plaintext)
            #expect(decoded.count == Self.appFrame, "20 ms")
            received += decoded
            for (leg, mix) in output.mixes { legHeard[leg, default: []] += mix }
        }
        #expect(fixture.bridge.statistics.framesEncoded == Self.ticks)

        let steady = Array(received.suffix(15 * Self.appFrame))
        let tone = ToneCheck.power(steady, frequency: 600, sampleRate: Self.appRate)
        for other in [300.0, 1_000, 2_000, 5_000] {
            let off = ToneCheck.power(steady, frequency: other, sampleRate: Self.appRate)
            #expect(tone > 100 * off, "600 Hz power \(tone), \(other) Hz power \(off)")
        }
        #expect((3_000...8_000).contains(ToneCheck.rms(steady)), "RMS \(ToneCheck.rms(steady)), 5 657 sent")

        // The other leg hears the tone exactly (PCM to PCM, no codec); the leg itself hears nothing.
        let sent = ToneCheck.tone(frequency: 600, sampleRate: Self.phoneRate, count: Self.ticks * PhoneBridge.samplesPerFrame)
        #expect(legHeard[3] == sent)
        #expect(legHeard[2] == [Int16](repeating: 0, count: sent.count), "a phone leg never hears itself")
    }

    @Test func aPhoneLegNeverHearsItselfWhileAnAppTalksOver() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        var heard: [SenderIndex: [Int16]] = [:]
        for number in 0..<Self.ticks {
            fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: number, frequency: 440))
            let pcm = ToneCheck.tone(
                frequency: 1_500, sampleRate: Self.phoneRate, offset: number * PhoneBridge.samplesPerFrame,
                count: PhoneBridge.samplesPerFrame)
            pcm.withUnsafeBufferPointer { fixture.bridge.receivePhoneAudio(senderIndex: 2, pcm: $0) }
            for (leg, mix) in fixture.bridge.tick().mixes { heard[leg, default: []] += mix }
        }
        let leg2 = Array(try #require(heard[2]).suffix(15 * PhoneBridge.samplesPerFrame))
        let leg3 = Array(try #require(heard[3]).suffix(15 * PhoneBridge.samplesPerFrame))
        let own = ToneCheck.power(leg2, frequency: 1_500, sampleRate: Self.phoneRate)
        let app = ToneCheck.power(leg2, frequency: 440, sampleRate: Self.phoneRate)
        #expect(own * 100 < app, "leg 2 hears the app (\(app)) and not its own tone (\(own))")
        let other = ToneCheck.power(leg3, frequency: 1_500, sampleRate: Self.phoneRate)
        #expect(other > app / 10, "leg 3 hears leg 2's tone (\(other))")
        #expect(fixture.bridge.selectedSources == [1, 2])
    }

    /// A frame that does not come in time is concealed (libopus PLC) for at most two ticks, so the
    /// phone hears the tone carry on instead of a gap; then silence.
    @Test func aLateAppFrameIsConcealedForTwoTicksThenSilence() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        for number in 0..<10 {
            fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: number, frequency: 440))
            _ = fixture.bridge.tick()
        }
        let gap = (0..<4).map { _ in fixture.bridge.tick().mixes[2] ?? [] }
        #expect(fixture.bridge.statistics.framesConcealed == 2)
        #expect(ToneCheck.rms(gap[0]) > 500, "the first missing frame is concealed, not silent: RMS \(ToneCheck.rms(gap[0]))")
        #expect(ToneCheck.rms(gap[3]) == 0, "after two concealed frames the sender is silent")
    }

    @Test func aFrameWithABadTagIsCountedAndIgnored() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        var frame = try Self.appFrame(fixture, encoder: encoder, number: 0, frequency: 440)
        frame[frame.count - 1] ^= 0x01
        fixture.bridge.receiveAppFrame(frame)
        fixture.bridge.receiveAppFrame([])
        fixture.bridge.receiveAppFrame([0xFF, 0x00, 0x01])
        #expect(fixture.bridge.statistics.framesFailedToOpen == 3)
        #expect(fixture.bridge.statistics.framesDecoded == 0)
        #expect(fixture.bridge.appSenderCount == 0, "no decoder for a frame that did not open")
        let output = fixture.bridge.tick()
        let silence = [Int16](repeating: 0, count: PhoneBridge.samplesPerFrame)
        #expect(output.mixes == [2: silence, 3: silence])
    }

    @Test func aFullQueueDropsTheOldestFramesAndCountsThem() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        for number in 0..<5 {
            fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: number, frequency: 440))
        }
        #expect(fixture.bridge.statistics.framesDecoded == 5)
        #expect(fixture.bridge.statistics.framesDroppedFromQueues == 2)
        // Three frames wait: three ticks carry audio, two more are concealed, the sixth is silent.
        var levels: [Double] = []
        for _ in 0..<6 { levels.append(ToneCheck.rms(fixture.bridge.tick().mixes[2] ?? [])) }
        #expect(levels[0...2].allSatisfy { $0 > 100 }, "\(levels)")
        #expect(fixture.bridge.statistics.framesConcealed == 2)
        #expect(levels[5] == 0)
    }

    /// A sender one frame ahead of the ticks for a whole window loses that frame once, and only once:
    /// after the trim it is one frame ahead no more.
    @Test func aStandingBacklogIsTrimmedAfterAWindowAndOnlyThen() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        var number = 0
        func send() throws {
            fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: number, frequency: 440))
            number += 1
        }
        try send()  // the frame that stands: one ahead from here on
        for tick in 0..<(3 * PhoneBridge.backlogWindow) {
            try send()
            _ = fixture.bridge.tick()
            let expected = tick + 1 < PhoneBridge.backlogWindow ? 0 : 1
            #expect(fixture.bridge.statistics.framesTrimmed == expected, "tick \(tick)")
        }
        #expect(fixture.bridge.statistics.framesDroppedFromQueues == 0)
        #expect(fixture.bridge.statistics.framesConcealed == 0, "trimming never starves the mix")

        // Bursts that come and go (two frames, then none) are the WebSocket's, not a backlog.
        let bursty = try BridgeFixture()
        var burstNumber = 0
        for tick in 0..<(3 * PhoneBridge.backlogWindow) where tick % 2 == 0 {
            for _ in 0..<2 {
                bursty.bridge.receiveAppFrame(try Self.appFrame(bursty, encoder: encoder, number: burstNumber, frequency: 440))
                burstNumber += 1
            }
            _ = bursty.bridge.tick()
            _ = bursty.bridge.tick()
        }
        #expect(bursty.bridge.statistics.framesTrimmed == 0)
    }

    @Test func aPhoneLegsFrameOpensUnderItsOwnKIDAndAnAppsFrameUnderAPhoneKIDIsIgnored() throws {
        let fixture = try BridgeFixture()
        let pcm = ToneCheck.tone(frequency: 600, sampleRate: Self.phoneRate, count: PhoneBridge.samplesPerFrame)
        pcm.withUnsafeBufferPointer { fixture.bridge.receivePhoneAudio(senderIndex: 3, pcm: $0) }
        let frame = try #require(fixture.bridge.tick().frames[3])
        #expect(try fixture.clientRing.unprotect(frame).keyID == SFrameKeyID(senderIndex: 3, epoch: 1))
        // The gateway's own frame coming back is not an app sender's audio.
        fixture.bridge.receiveAppFrame(frame)
        #expect(fixture.bridge.statistics.framesNotFromApps == 1)
        #expect(fixture.bridge.appSenderCount == 0)
    }

    @Test func aLegWithoutAKeyInTheCurrentEpochSendsNothing() throws {
        let fixture = try BridgeFixture()
        try fixture.bridge.addPhoneLeg(senderIndex: 9)
        let pcm = ToneCheck.tone(frequency: 600, sampleRate: Self.phoneRate, count: PhoneBridge.samplesPerFrame)
        pcm.withUnsafeBufferPointer { fixture.bridge.receivePhoneAudio(senderIndex: 9, pcm: $0) }
        let output = fixture.bridge.tick()
        #expect(output.frames.isEmpty)
        #expect(fixture.bridge.statistics.framesNotSent == 1)
        #expect(output.mixes[2] == pcm, "its audio still reaches the other phones")
        #expect(fixture.bridge.phoneLegs == [2, 3, 9])
    }

    @Test func anAppSenderWhoLeftIsDroppedOnceNoKeptEpochListsThem() throws {
        let fixture = try BridgeFixture()
        let encoder = try OpusEncoder(sampleRate: Int32(Self.appRate))
        fixture.bridge.receiveAppFrame(try Self.appFrame(fixture, encoder: encoder, number: 0, frequency: 440))
        #expect(fixture.bridge.appSenderCount == 1)
        try fixture.startEpoch(2, withClient: false)
        #expect(fixture.bridge.appSenderCount == 1, "epoch 1 is still kept for late frames")
        try fixture.startEpoch(3, withClient: false)
        #expect(fixture.bridge.appSenderCount == 0)
        #expect(fixture.bridge.currentEpoch?.manifest.epoch == 3)
    }
}
