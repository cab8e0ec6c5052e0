import Frames
import TestSupport
import Testing

@Suite("SFrame header (RFC 9605 §4.3)")
struct SFrameHeaderTests {
    /// All 289 C.1 vectors: encode(kid, ctr) == header and decode(header) == (kid, ctr).
    @Test func rfc9605AppendixC1() throws {
        let vectors = try RFC9605Vectors.load().header
        #expect(vectors.count == 289)
        for vector in vectors {
            let header = SFrameHeader(keyID: u64(vector.kid), counter: u64(vector.ctr))
            let bytes = hex(vector.header)
            #expect(header.encoded == bytes, "encode \(header)")
            #expect(header.encodedLength == bytes.count)
            let decoded = try SFrameHeader.decode(bytes)
            #expect(decoded.header == header)
            #expect(decoded.length == bytes.count)
            // Trailing octets (the ciphertext) are not part of the header.
            #expect(try SFrameHeader.decode(bytes + [0xAA, 0xBB]).length == bytes.count)
        }
    }

    @Test func appendsToTheCallersBuffer() {
        var buffer: [UInt8] = [0xFF]
        SFrameHeader(keyID: 0x123, counter: 0x4567).encode(into: &buffer)
        #expect(buffer == hex("ff 99 0123 4567"))
    }

    @Test func decodesFromASlice() throws {
        let bytes: [UInt8] = [0xEE, 0x99, 0x01, 0x23, 0x45, 0x67]
        let decoded = try SFrameHeader.decode(bytes[1...])
        #expect(decoded.header == SFrameHeader(keyID: 0x123, counter: 0x4567))
        #expect(decoded.length == 5)
    }

    @Test func truncatedHeadersAreTypedErrors() {
        #expect(framesError { () throws(FramesError) in try SFrameHeader.decode([UInt8]()) } == .truncatedHeader(needed: 1, available: 0))
        // X=1 K=7: an 8-octet KID follows; Y=1 C=7: an 8-octet CTR follows.
        #expect(
            framesError { () throws(FramesError) in try SFrameHeader.decode([0xFF, 1, 2]) } == .truncatedHeader(needed: 17, available: 3))
        let full = SFrameHeader(keyID: .max, counter: .max).encoded
        #expect(full.count == SFrameHeader.maximumLength)
        for cut in 0..<full.count {
            #expect(throws: FramesError.self) { try SFrameHeader.decode(full.prefix(cut)) }
        }
    }

    @Test func nonMinimalEncodingsAreRefused() {
        // KID 5 in the extended form (X=1, one octet) instead of in K.
        #expect(framesError { () throws(FramesError) in try SFrameHeader.decode([0x80, 0x05]) } == .nonMinimalHeader(field: .keyID))
        // CTR 0x0100 with a leading zero octet (three octets instead of two).
        #expect(
            framesError { () throws(FramesError) in try SFrameHeader.decode([0x0A, 0x00, 0x01, 0x00]) }
                == .nonMinimalHeader(field: .counter))
        // KID 0x08 in two octets.
        #expect(
            framesError { () throws(FramesError) in try SFrameHeader.decode([0x90, 0x00, 0x08, 0x00]) } == .nonMinimalHeader(field: .keyID))
    }

    /// Every byte string either decodes to a header that encodes back to the same prefix, or throws a
    /// typed error.
    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0x5F7A_3E00_9605)
        var decoded = 0
        for _ in 0..<2000 {
            let length = Int.random(in: 0...20, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                let (header, headerLength) = try SFrameHeader.decode(bytes)
                #expect(header.encoded == Array(bytes.prefix(headerLength)))
                decoded += 1
            } catch {
                _ = error.description
            }
        }
        #expect(decoded > 200)
    }

    /// Every config byte, followed by enough octets: decodes iff the extended fields are minimal.
    @Test func everyConfigByte() {
        for config in 0...255 {
            let bytes = [UInt8(config)] + [UInt8](repeating: 0x80, count: 16)
            let decoded = try? SFrameHeader.decode(bytes)
            #expect(decoded != nil, "config \(config)")
            if let decoded { #expect(decoded.header.encoded == Array(bytes.prefix(decoded.length))) }
        }
    }
}
