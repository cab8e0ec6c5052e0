/// A RIFF/WAVE file of 16-bit linear PCM mono at any sample rate: prompts, recordings and tests.
///
/// Parsing is pure (bytes in, value out) and bounded by `maximumDataBytes`; anything else is a
/// typed `WAVError` saying what was found. Unknown chunks (LIST, fact, ...) are skipped. Writing
/// produces the canonical 44-byte header followed by little-endian samples.
public struct WAVFile: Sendable, Equatable {
    /// Largest data chunk accepted or written: 64 MiB (about 70 minutes at 8 kHz, 11 at 48 kHz).
    public static let maximumDataBytes = 64 << 20
    /// Format tag of linear PCM (RIFF WAVE, Microsoft "WAVE_FORMAT_PCM").
    static let pcmFormatTag: UInt16 = 1
    /// WAVE_FORMAT_EXTENSIBLE, accepted when its sub-format is PCM.
    static let extensibleFormatTag: UInt16 = 0xFFFE

    /// Samples per second.
    public var sampleRate: Int
    /// The samples, in order.
    public var samples: [Int16]

    public init(sampleRate: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.samples = samples
    }

    /// Parses a whole file.
    public init(bytes: [UInt8]) throws(WAVError) {
        var reader = Reader(bytes: bytes)
        let riff = try reader.fourCC()
        guard riff == "RIFF" else { throw .notRIFF(found: riff) }
        _ = try reader.uint32()  // RIFF size: often wrong in streamed files, so chunks are walked instead.
        let wave = try reader.fourCC()
        guard wave == "WAVE" else { throw .notWAVE(found: wave) }

        var format: (rate: UInt32, seen: Bool) = (0, false)
        while true {
            guard reader.remaining >= 8 else { throw format.seen ? .missingDataChunk : .missingFormatChunk }
            let id = try reader.fourCC()
            let size = try reader.uint32()
            switch id {
            case "fmt ":
                guard size >= 16 else { throw .formatChunkTooShort(size: Int(size)) }
                guard Int(size) <= reader.remaining else {
                    throw .truncated(offset: reader.offset, needed: Int(size), available: reader.remaining)
                }
                let chunkEnd = reader.offset + Int(size)
                let tag = try reader.uint16()
                let channels = try reader.uint16()
                let rate = try reader.uint32()
                let byteRate = try reader.uint32()
                let blockAlign = try reader.uint16()
                let bits = try reader.uint16()
                var isPCM = tag == Self.pcmFormatTag
                if tag == Self.extensibleFormatTag, size >= 40 {
                    // cbSize, valid bits, channel mask, then the sub-format GUID whose first two bytes are the tag.
                    try reader.skip(8)
                    isPCM = try reader.uint16() == Self.pcmFormatTag
                }
                guard isPCM, channels == 1, bits == 16 else {
                    throw .unsupportedFormat(formatTag: tag, channels: channels, bitsPerSample: bits)
                }
                guard rate > 0 else { throw .inconsistentFormat("sample rate is 0") }
                guard blockAlign == 2 else { throw .inconsistentFormat("block align \(blockAlign), expected 2") }
                guard UInt64(byteRate) == UInt64(rate) * 2 else {
                    throw .inconsistentFormat("byte rate \(byteRate), expected \(UInt64(rate) * 2)")
                }
                reader.offset = chunkEnd
                try reader.skip(Int(size) & 1)
                format = (rate, true)
            case "data":
                guard format.seen else { throw .missingFormatChunk }
                guard size <= Self.maximumDataBytes else { throw .tooLarge(size: UInt64(size), limit: Self.maximumDataBytes) }
                let byteCount = Int(size)
                guard byteCount & 1 == 0 else { throw .oddDataSize(byteCount) }
                guard byteCount <= reader.remaining else {
                    throw .truncated(offset: reader.offset, needed: byteCount, available: reader.remaining)
                }
                var samples = [Int16](repeating: 0, count: byteCount / 2)
                let start = reader.offset
                for index in samples.indices {
                    samples[index] = Int16(bitPattern: UInt16(bytes[start + 2 * index]) | UInt16(bytes[start + 2 * index + 1]) << 8)
                }
                self.init(sampleRate: Int(format.rate), samples: samples)
                return
            default:
                // Skip chunks we do not use; RIFF pads odd-sized chunks to an even length.
                let padded = UInt64(size) + UInt64(size & 1)
                guard padded <= UInt64(reader.remaining) else {
                    throw .truncated(offset: reader.offset, needed: Int(padded), available: reader.remaining)
                }
                try reader.skip(Int(padded))
            }
        }
    }

    /// The file's bytes: a 44-byte header and the samples, little-endian. Throws `.tooLarge` past
    /// `maximumDataBytes` and `.inconsistentFormat` for a sample rate outside 1...2^31-1 / 2.
    public func serialized() throws(WAVError) -> [UInt8] {
        let dataBytes = samples.count * 2
        guard dataBytes <= Self.maximumDataBytes else { throw .tooLarge(size: UInt64(dataBytes), limit: Self.maximumDataBytes) }
        guard sampleRate > 0, let rate = UInt32(exactly: sampleRate), rate <= UInt32.max / 2 else {
            throw .inconsistentFormat("sample rate \(sampleRate) cannot be written")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + dataBytes)
        func append(_ text: String) { bytes.append(contentsOf: Array(text.utf8)) }
        func append32(_ value: UInt32) {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
        }
        func append16(_ value: UInt16) { bytes.append(UInt8(truncatingIfNeeded: value)); bytes.append(UInt8(value >> 8)) }
        append("RIFF")
        append32(UInt32(36 + dataBytes))
        append("WAVE")
        append("fmt ")
        append32(16)
        append16(Self.pcmFormatTag)
        append16(1)
        append32(rate)
        append32(rate * 2)
        append16(2)
        append16(16)
        append("data")
        append32(UInt32(dataBytes))
        for sample in samples { append16(UInt16(bitPattern: sample)) }
        return bytes
    }
}

/// Little-endian reads with bounds checks that throw `.truncated`.
private struct Reader {
    let bytes: [UInt8]
    var offset = 0

    var remaining: Int { bytes.count - offset }

    mutating func take(_ count: Int) throws(WAVError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(offset: offset, needed: count, available: remaining) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func skip(_ count: Int) throws(WAVError) { _ = try take(count) }

    mutating func fourCC() throws(WAVError) -> String {
        let raw = try take(4)
        return String(decoding: raw.map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    mutating func uint16() throws(WAVError) -> UInt16 {
        let raw = try take(2)
        return UInt16(raw[raw.startIndex]) | UInt16(raw[raw.startIndex + 1]) << 8
    }

    mutating func uint32() throws(WAVError) -> UInt32 {
        let raw = try take(4)
        var value: UInt32 = 0
        for (shift, byte) in raw.enumerated() { value |= UInt32(byte) << UInt32(8 * shift) }
        return value
    }
}
