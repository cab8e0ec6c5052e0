import Media
import Testing

@Suite struct WAVFileTests {
    static let file = WAVFile(sampleRate: 8000, samples: (0..<400).map { Int16(truncatingIfNeeded: $0 * 163 - 32768) })

    /// A header with the given fmt fields and `data` bytes.
    static func wav(
        formatTag: UInt16 = 1, channels: UInt16 = 1, rate: UInt32 = 8000, bits: UInt16 = 16, blockAlign: UInt16 = 2,
        byteRate: UInt32? = nil, dataSize: UInt32? = nil, data: [UInt8] = [1, 0, 2, 0], extraChunk: [UInt8] = []
    ) -> [UInt8] {
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(v >> 8)] }
        var fmt = le16(formatTag) + le16(channels) + le32(rate) + le32(byteRate ?? rate * 2) + le16(blockAlign) + le16(bits)
        fmt = Array("fmt ".utf8) + le32(UInt32(fmt.count)) + fmt
        let body = Array("WAVE".utf8) + fmt + extraChunk + Array("data".utf8) + le32(dataSize ?? UInt32(data.count)) + data
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    @Test(arguments: [8000, 16_000, 48_000])
    func roundTrip(rate: Int) throws {
        let original = WAVFile(sampleRate: rate, samples: Self.file.samples)
        let bytes = try original.serialized()
        #expect(bytes.count == 44 + 800)
        #expect(Array(bytes.prefix(4)) == Array("RIFF".utf8))
        #expect(try WAVFile(bytes: bytes) == original)
        #expect(try WAVFile(bytes: Self.wav()) == WAVFile(sampleRate: 8000, samples: [1, 2]))
    }

    @Test func unknownChunksAreSkippedWithTheirPadding() throws {
        let list = Array("LIST".utf8) + [3, 0, 0, 0, 0x61, 0x62, 0x63, 0]  // odd size, one pad byte
        #expect(try WAVFile(bytes: Self.wav(extraChunk: list)).samples == [1, 2])
    }

    @Test func everyTruncationIsATypedError() throws {
        let bytes = try Self.file.serialized()
        for length in 0..<bytes.count {
            #expect(throws: WAVError.self, "prefix of \(length) bytes") { try WAVFile(bytes: Array(bytes.prefix(length))) }
        }
        #expect(throws: WAVError.truncated(offset: 44, needed: 800, available: 10)) { try WAVFile(bytes: Array(bytes.prefix(54))) }
    }

    @Test func otherFormatsSayWhatWasFound() {
        #expect(throws: WAVError.unsupportedFormat(formatTag: 1, channels: 2, bitsPerSample: 16)) {
            try WAVFile(bytes: Self.wav(channels: 2, blockAlign: 4))
        }
        #expect(throws: WAVError.unsupportedFormat(formatTag: 1, channels: 1, bitsPerSample: 8)) { try WAVFile(bytes: Self.wav(bits: 8)) }
        #expect(throws: WAVError.unsupportedFormat(formatTag: 3, channels: 1, bitsPerSample: 32)) {
            try WAVFile(bytes: Self.wav(formatTag: 3, bits: 32))
        }
        #expect(throws: WAVError.unsupportedFormat(formatTag: 7, channels: 1, bitsPerSample: 8)) {
            try WAVFile(bytes: Self.wav(formatTag: 7, bits: 8))  // G.711 μ-law in WAV
        }
        #expect(throws: WAVError.notRIFF(found: "RIFX")) { try WAVFile(bytes: Array("RIFX".utf8) + Self.wav().dropFirst(4)) }
        #expect(throws: WAVError.notWAVE(found: "AVI ")) {
            var bytes = Self.wav()
            bytes.replaceSubrange(8..<12, with: Array("AVI ".utf8))
            return try WAVFile(bytes: bytes)
        }
        #expect(throws: WAVError.inconsistentFormat("byte rate 1, expected 16000")) { try WAVFile(bytes: Self.wav(byteRate: 1)) }
        #expect(throws: WAVError.inconsistentFormat("sample rate is 0")) { try WAVFile(bytes: Self.wav(rate: 0)) }
        #expect(throws: WAVError.oddDataSize(3)) { try WAVFile(bytes: Self.wav(data: [1, 2, 3])) }
    }

    @Test func hugeSizesAreRefusedBeforeAllocating() throws {
        #expect(throws: WAVError.tooLarge(size: 0xFFFF_FFF0, limit: WAVFile.maximumDataBytes)) {
            try WAVFile(bytes: Self.wav(dataSize: 0xFFFF_FFF0))
        }
        // A huge unknown chunk is truncation, not a crash or a long skip.
        let huge = Array("junk".utf8) + [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: WAVError.self) { try WAVFile(bytes: Self.wav(extraChunk: huge)) }
        // A data chunk before any fmt chunk.
        let noFormat = Array("RIFF".utf8) + [12, 0, 0, 0] + Array("WAVE".utf8) + Array("data".utf8) + [0, 0, 0, 0]
        #expect(throws: WAVError.missingFormatChunk) { try WAVFile(bytes: noFormat) }
        #expect(throws: WAVError.tooLarge(size: UInt64(WAVFile.maximumDataBytes + 2), limit: WAVFile.maximumDataBytes)) {
            try WAVFile(sampleRate: 8000, samples: [Int16](repeating: 0, count: WAVFile.maximumDataBytes / 2 + 1)).serialized()
        }
    }
}
