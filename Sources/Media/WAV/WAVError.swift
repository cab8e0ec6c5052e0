/// Why a byte string is not a WAV file dialgate can use (16-bit PCM mono), with what was found.
public enum WAVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes end before `needed` bytes (at `offset`) could be read.
    case truncated(offset: Int, needed: Int, available: Int)
    /// The file does not start with "RIFF" (found these four bytes, as text where printable).
    case notRIFF(found: String)
    /// The RIFF form type is not "WAVE".
    case notWAVE(found: String)
    /// No "fmt " chunk before the "data" chunk.
    case missingFormatChunk
    /// No "data" chunk.
    case missingDataChunk
    /// The "fmt " chunk is shorter than the 16 bytes PCM needs.
    case formatChunkTooShort(size: Int)
    /// A format other than 16-bit linear PCM mono.
    case unsupportedFormat(formatTag: UInt16, channels: UInt16, bitsPerSample: UInt16)
    /// Header fields that contradict each other (block align, byte rate, sample rate 0).
    case inconsistentFormat(String)
    /// A declared or requested size beyond `WAVFile.maximumDataBytes`.
    case tooLarge(size: UInt64, limit: Int)
    /// The data chunk holds an odd number of bytes, not whole 16-bit samples.
    case oddDataSize(Int)

    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let available):
            "WAV truncated: needed \(needed) bytes at offset \(offset), \(available) available"
        case .notRIFF(let found): "not a RIFF file (starts with \"\(found)\")"
        case .notWAVE(let found): "RIFF form is \"\(found)\", not WAVE"
        case .missingFormatChunk: "WAV has no fmt chunk before its data"
        case .missingDataChunk: "WAV has no data chunk"
        case .formatChunkTooShort(let size): "WAV fmt chunk is \(size) bytes, PCM needs 16"
        case .unsupportedFormat(let tag, let channels, let bits):
            "WAV format \(tag) with \(channels) channel(s) at \(bits) bits; only 16-bit PCM mono (format 1) is supported"
        case .inconsistentFormat(let reason): "WAV header inconsistent: \(reason)"
        case .tooLarge(let size, let limit): "WAV data of \(size) bytes exceeds the limit of \(limit)"
        case .oddDataSize(let size): "WAV data chunk of \(size) bytes is not whole 16-bit samples"
        }
    }
}
