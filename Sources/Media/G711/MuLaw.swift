/// G.711 μ-law (PCMU, RTP static payload type 0, RFC 3551 §4.5.14) over signed 16-bit linear PCM.
///
/// Convention: the ITU-T G.191 Software Tool Library reference (`ulaw_compress` / `ulaw_expand`),
/// matched for all 65536 inputs. Negative samples are folded with a one's complement (`~x`, so
/// `-1` becomes `0` and encodes as `0x7f`, "-0"), which is what G.191 and WebRTC do. Two widely used
/// encoders pick a neighbouring code for some negative inputs (each one quantization step away,
/// never on positive inputs):
/// - SoX and CPython `audioop` (Sun `g711.c` lineage: shift, then negate) differ on 508 inputs;
///   `-1` gives `0x7e` there.
/// - spandsp `linear_to_ulaw` (bias minus magnitude) differs on 127 inputs.
/// Decoding is identical everywhere. Codes are the octets on the wire (bit-inverted, G.711 §2).
public enum MuLaw {
    /// The 14-bit magnitude bias of the μ-law curve (G.711 Table 2a: segment ends are offset by 33).
    static let bias: Int32 = 33
    /// Largest biased magnitude: 13 bits (G.191 clips at 0x1FFF).
    static let maximumBiasedMagnitude: Int32 = 0x1FFF

    /// The linear value of each of the 256 codes, computed once from the G.711 segment rule.
    public static let decodeTable: [Int16] = (0...255).map { computeDecode(UInt8($0)) }

    /// The μ-law code for one linear sample (G.191 `ulaw_compress`).
    @inline(__always)
    public static func encode(_ sample: Int16) -> UInt8 {
        let value = Int32(sample)
        // G.191: one's complement folds negatives (-1 → 0), then drop to 14 bits and add the bias.
        let folded = value < 0 ? ~value : value
        let magnitude = min((folded >> 2) + bias, maximumBiasedMagnitude)
        // Segment number 1...8 is one more than the bit length of magnitude >> 6 (0...127).
        let segment = Int32(1 + (32 - UInt32(magnitude >> 6).leadingZeroBitCount))
        let highNibble = 8 - segment
        let lowNibble = 0xF - ((magnitude >> segment) & 0xF)
        let code = (highNibble << 4) | lowNibble
        return UInt8(truncatingIfNeeded: value >= 0 ? code | 0x80 : code)
    }

    /// The linear value of one μ-law code.
    @inline(__always)
    public static func decode(_ code: UInt8) -> Int16 {
        decodeTable.withUnsafeBufferPointer { $0[Int(code)] }
    }

    /// Encodes `min(samples.count, codes.count)` samples from the caller's buffer into the caller's
    /// code buffer and returns that count. Allocation-free.
    @discardableResult
    public static func encode(_ samples: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let count = min(samples.count, codes.count)
        for index in 0..<count { codes[index] = encode(samples[index]) }
        return count
    }

    /// Decodes `min(codes.count, samples.count)` codes into the caller's sample buffer and returns
    /// that count. Allocation-free (one table look-up per code).
    @discardableResult
    public static func decode(_ codes: UnsafeBufferPointer<UInt8>, into samples: UnsafeMutableBufferPointer<Int16>) -> Int {
        let count = min(samples.count, codes.count)
        decodeTable.withUnsafeBufferPointer { table in
            for index in 0..<count { samples[index] = table[Int(codes[index])] }
        }
        return count
    }

    /// G.191 `ulaw_expand`: sign from bit 7, then segment and mantissa of the inverted code.
    static func computeDecode(_ code: UInt8) -> Int16 {
        let inverted = Int32(~code)
        let exponent = (inverted >> 4) & 0x7
        let mantissa = inverted & 0xF
        let step = Int32(4) << (exponent + 1)
        let magnitude = (Int32(0x80) << exponent) + step * mantissa + step / 2 - 4 * bias
        return Int16(code < 0x80 ? -magnitude : magnitude)
    }
}
