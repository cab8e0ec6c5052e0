import Media
import Testing

@Suite struct OpusTests {
    /// A 20 ms, 8 kHz, 440 Hz tone survives an encode/decode round trip with its energy and
    /// frequency: the decoder output correlates with the input (codec delay allowed for).
    @Test func roundTripAt8kHzKeepsTheTone() throws {
        let encoder = try OpusEncoder(sampleRate: 8000)
        try encoder.setBitrate(24000)
        let decoder = try OpusDecoder(sampleRate: 8000)
        let tone: [Int16] = (0..<8000).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        var decoded: [Int16] = []
        for frame in stride(from: 0, to: tone.count, by: 160) {
            let packet = try encoder.encode(Array(tone[frame..<frame + 160]))
            #expect(packet.count > 0 && packet.count <= 1500)
            let pcm = try decoder.decode(packet)
            #expect(pcm.count == 160)
            decoded += pcm
        }
        // Best normalised correlation over the first 10 ms of lag (Opus adds a few ms of delay).
        let best = (0..<80).map { lag in correlation(Array(tone[2000..<6000]), Array(decoded[(2000 + lag)..<(6000 + lag)])) }.max()!
        #expect(best > 0.9, "decoded audio does not resemble the input (correlation \(best))")
    }

    @Test func bitrateSettingGoesThroughTheShim() throws {
        let encoder = try OpusEncoder(sampleRate: 48000)
        try encoder.setBitrate(32000)
        #expect(try encoder.bitrate() == 32000)
    }

    @Test func invalidArgumentsGiveTypedErrors() throws {
        #expect(throws: MediaError.self) { try OpusEncoder(sampleRate: 44100) }
        let decoder = try OpusDecoder(sampleRate: 8000)
        // A TOC byte announcing code 3 with no frame count byte is an invalid packet (RFC 6716 §3.2.5).
        #expect(throws: MediaError.self) { try decoder.decode([0x03]) }
    }

    @Test func emptyPacketConcealsLoss() throws {
        let decoder = try OpusDecoder(sampleRate: 8000)
        let encoder = try OpusEncoder(sampleRate: 8000)
        _ = try decoder.decode(try encoder.encode([Int16](repeating: 1000, count: 160)))
        #expect(try decoder.decode([]).count > 0)
    }

    private func correlation(_ a: [Int16], _ b: [Int16]) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) { ab += Double(x) * Double(y); aa += Double(x) * Double(x); bb += Double(y) * Double(y) }
        return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
    }
}

#if canImport(Glibc)
    import Glibc
#endif
