import Foundation
import Media
import Testing

/// G.711 against the G.191 STL tables in `Vectors/G711` (see its README.md and SOURCE.md).
@Suite struct G711Tests {
    static func vector(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "bin", subdirectory: "Vectors/G711"))
        return [UInt8](try Data(contentsOf: url))
    }

    static func decodeVector(_ name: String) throws -> [Int16] {
        let bytes = try vector(name)
        try #require(bytes.count == 512)
        return (0..<256).map { Int16(bitPattern: UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8) }
    }

    static let allSamples: [Int16] = (0..<65536).map { Int16(truncatingIfNeeded: $0 - 32768) }

    @Test func muLawEncodesEveryInputLikeG191() throws {
        let expected = try Self.vector("ulaw_encode_s16")
        try #require(expected.count == 65536)
        let mismatches = Self.allSamples.indices.filter { MuLaw.encode(Self.allSamples[$0]) != expected[$0] }
        #expect(mismatches.isEmpty, "first mismatches at samples \(mismatches.prefix(5).map { $0 - 32768 })")
    }

    @Test func aLawEncodesEveryInputLikeG191() throws {
        let expected = try Self.vector("alaw_encode_s16")
        try #require(expected.count == 65536)
        let mismatches = Self.allSamples.indices.filter { ALaw.encode(Self.allSamples[$0]) != expected[$0] }
        #expect(mismatches.isEmpty, "first mismatches at samples \(mismatches.prefix(5).map { $0 - 32768 })")
    }

    @Test func decodeTablesMatchG191() throws {
        #expect(MuLaw.decodeTable == (try Self.decodeVector("ulaw_decode_s16le")))
        #expect(ALaw.decodeTable == (try Self.decodeVector("alaw_decode_s16le")))
        #expect(MuLaw.decode(0xFF) == 0 && MuLaw.decode(0x7F) == 0 && MuLaw.decode(0x80) == 32124 && MuLaw.decode(0x00) == -32124)
        #expect(ALaw.decode(0xD5) == 8 && ALaw.decode(0x55) == -8 && ALaw.decode(0xAA) == 32256 && ALaw.decode(0x2A) == -32256)
    }

    /// The documented fact: the other μ-law conventions differ from ours on a known number of
    /// negative inputs, each by one quantization step, and never on positive ones.
    @Test(arguments: [("ulaw_encode_s16_sox_audioop", 508), ("ulaw_encode_s16_spandsp", 127)])
    func muLawVariantsDifferOnAKnownCountOfNegativeInputs(file: String, count: Int) throws {
        let other = try Self.vector(file)
        try #require(other.count == 65536)
        let differing = Self.allSamples.indices.filter { MuLaw.encode(Self.allSamples[$0]) != other[$0] }
        #expect(differing.count == count)
        #expect(differing.allSatisfy { Self.allSamples[$0] < 0 })
        // One quantization step: the two codes differ by one in the low nibble, same segment or adjacent.
        #expect(differing.allSatisfy { abs(Int(MuLaw.encode(Self.allSamples[$0])) - Int(other[$0])) == 1 })
        if file.contains("sox") { #expect(other[32768 - 1] == 0x7E && MuLaw.encode(-1) == 0x7F) }
    }

    @Test func muLawRoundTripIsIdentityOnCodes() {
        for code in 0...255 {
            let decoded = MuLaw.decode(UInt8(code))
            let reencoded = MuLaw.encode(decoded)
            // 0x7f (-0) decodes to 0, which is +0 (0xff): the one code that cannot survive.
            #expect(reencoded == UInt8(code) || (code == 0x7F && reencoded == 0xFF), "code \(code)")
        }
        for code in 0...255 { #expect(ALaw.encode(ALaw.decode(UInt8(code))) == UInt8(code)) }
    }

    @Test func bufferFunctionsMatchPerSampleAndStopAtTheShorterBuffer() {
        let samples: [Int16] = (0..<160).map { Int16(truncatingIfNeeded: $0 * 409 - 32768) }
        for law in G711Law.allCases {
            var codes = [UInt8](repeating: 0, count: 100)
            let encoded = samples.withUnsafeBufferPointer { input in
                codes.withUnsafeMutableBufferPointer { law.encode(input, into: $0) }
            }
            #expect(encoded == 100)
            #expect(codes == samples.prefix(100).map { law.encode($0) })
            var decoded = [Int16](repeating: 0, count: 160)
            let count = codes.withUnsafeBufferPointer { input in decoded.withUnsafeMutableBufferPointer { law.decode(input, into: $0) } }
            #expect(count == 100)
            #expect(Array(decoded.prefix(100)) == codes.map { law.decode($0) })
            #expect(G711Law(payloadType: law.payloadType) == law)
            #expect(law.decode(law.silenceCode) == (law == .muLaw ? 0 : 8))
        }
        #expect(G711Law(payloadType: 9) == nil)
    }
}
