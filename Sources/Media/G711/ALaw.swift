/// G.711 A-law (PCMA, RTP static payload type 8, RFC 3551 §4.5.14) over signed 16-bit linear PCM.
///
/// Matches the ITU-T G.191 Software Tool Library (`alaw_compress` / `alaw_expand`) for all 65536
/// inputs; SoX/`audioop` and spandsp agree with it for every input. A-law has no zero code: the idle
/// octet `0xd5` decodes to +8 and `0x55` to -8. Codes are the octets on the wire (even bits
/// inverted, G.711 §3).
public enum ALaw {
    /// The linear value of each of the 256 codes, computed once from the G.711 segment rule.
    public static let decodeTable: [Int16] = (0...255).map { computeDecode(UInt8($0)) }

    /// The A-law code for one linear sample (G.191 `alaw_compress`).
    @inline(__always)
    public static func encode(_ sample: Int16) -> UInt8 {
        let value = Int32(sample)
        // G.191: one's complement folds negatives, then keep the 12 most significant magnitude bits.
        var code = (value < 0 ? ~value : value) >> 4
        if code > 15 {
            // Segment e ≥ 1 holds magnitudes whose bit length is e + 4; the mantissa is the next 4 bits.
            let bitLength = Int32(32 - UInt32(code).leadingZeroBitCount)
            let exponent = bitLength - 4
            code = (exponent << 4) + ((code >> (exponent - 1)) - 16)
        }
        if value >= 0 { code |= 0x80 }
        return UInt8(truncatingIfNeeded: code ^ 0x55)
    }

    /// The linear value of one A-law code.
    @inline(__always)
    public static func decode(_ code: UInt8) -> Int16 {
        decodeTable.withUnsafeBufferPointer { $0[Int(code)] }
    }

    /// Encodes `min(samples.count, codes.count)` samples into the caller's code buffer and returns
    /// that count. Allocation-free.
    @discardableResult
    public static func encode(_ samples: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let count = min(samples.count, codes.count)
        for index in 0..<count { codes[index] = encode(samples[index]) }
        return count
    }

    /// Decodes `min(codes.count, samples.count)` codes into the caller's sample buffer and returns
    /// that count. Allocation-free.
    @discardableResult
    public static func decode(_ codes: UnsafeBufferPointer<UInt8>, into samples: UnsafeMutableBufferPointer<Int16>) -> Int {
        let count = min(samples.count, codes.count)
        decodeTable.withUnsafeBufferPointer { table in
            for index in 0..<count { samples[index] = table[Int(codes[index])] }
        }
        return count
    }

    /// G.191 `alaw_expand`.
    static func computeDecode(_ code: UInt8) -> Int16 {
        let folded = Int32(code ^ 0x55) & 0x7F
        let exponent = folded >> 4
        var mantissa = folded & 0xF
        if exponent > 0 { mantissa += 16 }
        mantissa = (mantissa << 4) + 0x8
        if exponent > 1 { mantissa <<= (exponent - 1) }
        return Int16(code > 127 ? mantissa : -mantissa)
    }
}
