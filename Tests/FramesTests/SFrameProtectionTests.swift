import TestSupport
import Testing

@testable import Frames

@Suite("SFrame protect / unprotect (RFC 9605 §4.4.3–4.4.4)")
struct SFrameProtectionTests {
    static let metadata = Array("IETF SFrame WG".utf8)

    static func pair(keyID: UInt64 = 7, firstCounter: UInt64 = 0) throws -> (SFrameSender, SFrameReceiver) {
        let baseKey = try SFrameKeys.senderBaseKey(epochSecret: [UInt8](repeating: 0x42, count: 32), keyID: keyID)
        let sender = try SFrameSender(keyID: keyID, baseKey: baseKey, firstCounter: firstCounter)
        let receiver = SFrameReceiver()
        try receiver.addKey(keyID: keyID, baseKey: baseKey)
        return (sender, receiver)
    }

    /// C.3, suite 0x0005: encrypt(ctr, kid, metadata, pt) == ct, byte for byte.
    @Test func rfc9605AppendixC3Encryption() throws {
        let vector = try RFC9605Vectors.aes256GCMSHA512()
        let sender = try SFrameSender(keyID: u64(vector.kid), baseKey: hex(vector.base_key), firstCounter: u64(vector.ctr))
        let frame = try sender.protect(hex(vector.pt), metadata: hex(vector.metadata))
        #expect(frame == hex(vector.ct))
        #expect(sender.nextCounter == u64(vector.ctr) + 1)
        // The AAD is header || metadata: the vector's aad starts with the frame's header.
        let headerLength = try SFrameHeader.decode(frame).length
        #expect(Array(frame.prefix(headerLength)) + hex(vector.metadata) == hex(vector.aad))
    }

    /// The AEAD step alone with the vector's own key, nonce and AAD gives the vector's ciphertext.
    @Test func rfc9605AppendixC3AEADStep() throws {
        let vector = try RFC9605Vectors.aes256GCMSHA512()
        let cipher = try AES256GCM(key: hex(vector.sframe_key))
        let pt = hex(vector.pt)
        var body = [UInt8](repeating: 0, count: pt.count + 16)
        pt.withUnsafeBytes { pt in
            hex(vector.aad).withUnsafeBytes { aad in
                hex(vector.nonce).withUnsafeBytes { nonce in
                    body.withUnsafeMutableBytes { cipher.seal(pt, aad: aad, nonce: nonce, into: $0) }
                }
            }
        }
        #expect(body == Array(hex(vector.ct).suffix(pt.count + 16)))
    }

    /// C.3, suite 0x0005: decrypt(metadata, ct) == pt.
    @Test func rfc9605AppendixC3Decryption() throws {
        let vector = try RFC9605Vectors.aes256GCMSHA512()
        let receiver = SFrameReceiver()
        try receiver.addKey(keyID: u64(vector.kid), baseKey: hex(vector.base_key))
        var output: [UInt8] = []
        let header = try receiver.unprotect(hex(vector.ct), metadata: hex(vector.metadata), into: &output)
        #expect(output == hex(vector.pt))
        #expect(header == SFrameHeader(keyID: u64(vector.kid), counter: u64(vector.ctr)))
    }

    @Test func roundTripWithAndWithoutMetadataAndEmptyPlaintext() throws {
        let (sender, receiver) = try Self.pair()
        for (plaintext, metadata) in [([UInt8](repeating: 1, count: 160), Self.metadata), ([1, 2, 3], []), ([], Self.metadata), ([], [])] {
            let frame = try sender.protect(plaintext, metadata: metadata)
            #expect(frame.count == SFrameHeader(keyID: 7, counter: sender.nextCounter! - 1).encodedLength + plaintext.count + 16)
            #expect(try receiver.unprotect(frame, metadata: metadata) == plaintext)
        }
    }

    @Test func protectAppendsAndReusesTheCallersBuffer() throws {
        let (sender, receiver) = try Self.pair()
        var frame: [UInt8] = []
        var plaintext: [UInt8] = []
        frame.reserveCapacity(256)
        plaintext.reserveCapacity(256)
        for round in 0..<50 {
            frame.removeAll(keepingCapacity: true)
            plaintext.removeAll(keepingCapacity: true)
            let payload = [UInt8](repeating: UInt8(round), count: 100)
            let sent = try sender.protect(payload, metadata: Self.metadata, into: &frame)
            let received = try receiver.unprotect(frame, metadata: Self.metadata, into: &plaintext)
            #expect(sent == received)
            #expect(sent.counter == UInt64(round))
            #expect(plaintext == payload)
        }
        // Appending keeps what was there.
        var prefixed: [UInt8] = [0xAB]
        try sender.protect([9], into: &prefixed)
        #expect(prefixed.first == 0xAB)
        var out: [UInt8] = [0xCD]
        try receiver.unprotect(Array(prefixed.dropFirst()), into: &out)
        #expect(out == [0xCD, 9])
    }

    @Test func replayIsRejected() throws {
        let (sender, receiver) = try Self.pair()
        let frame = try sender.protect([1, 2, 3], metadata: Self.metadata)
        _ = try receiver.unprotect(frame, metadata: Self.metadata)
        #expect(
            framesError { () throws(FramesError) in try receiver.unprotect(frame, metadata: Self.metadata) }
                == .replayedFrame(keyID: 7, counter: 0))
    }

    @Test func reorderingWithinTheWindowIsAccepted() throws {
        let (sender, receiver) = try Self.pair()
        let frames = try (0..<40).map { (i: Int) throws(FramesError) in try sender.protect([UInt8(i)]) }
        // Newest first, then the rest backwards: all within 128 counters.
        for index in frames.indices.reversed() {
            #expect(try receiver.unprotect(frames[index]) == [UInt8(index)])
        }
        for frame in frames { #expect(throws: FramesError.self) { try receiver.unprotect(frame) } }
    }

    @Test func counterOutsideTheWindowIsRejected() throws {
        let (sender, receiver) = try Self.pair()
        let old = try sender.protect([0])
        let frames = try (1...200).map { (i: Int) throws(FramesError) in try sender.protect([UInt8(i)]) }
        _ = try receiver.unprotect(frames.last!)  // counter 200
        #expect(framesError { () throws(FramesError) in try receiver.unprotect(old) } == .counterTooOld(keyID: 7, counter: 0, newest: 200))
        #expect(
            framesError { () throws(FramesError) in try receiver.unprotect(frames[71]) }
                == .counterTooOld(keyID: 7, counter: 72, newest: 200))
        #expect(try receiver.unprotect(frames[72]) == [73])  // 200 - 73 = 127: the oldest the window holds
    }

    @Test func unknownKIDIsRejected() throws {
        let (sender, _) = try Self.pair(keyID: 9)
        let (_, receiver) = try Self.pair(keyID: 7)
        let frame = try sender.protect([1])
        #expect(framesError { () throws(FramesError) in try receiver.unprotect(frame) } == .unknownKeyID(9))
        #expect(receiver.removeKey(keyID: 7))
        #expect(!receiver.removeKey(keyID: 7))
        #expect(receiver.keyIDs.isEmpty)
    }

    @Test func duplicateKeyIsRefused() throws {
        let (_, receiver) = try Self.pair(keyID: 7)
        #expect(
            framesError { () throws(FramesError) in try receiver.addKey(keyID: 7, baseKey: [UInt8](repeating: 1, count: 16)) }
                == .duplicateKeyID(7))
    }

    @Test func wrongKeyFailsAuthentication() throws {
        let (sender, _) = try Self.pair(keyID: 7)
        let receiver = SFrameReceiver()
        try receiver.addKey(keyID: 7, baseKey: [UInt8](repeating: 1, count: 16))
        #expect(
            framesError { () throws(FramesError) in try receiver.unprotect(try sender.protect([1])) }
                == .authenticationFailed(keyID: 7, counter: 0))
    }

    /// Flipping any single bit anywhere in the frame, or changing the metadata, is caught; a failed frame
    /// leaves the output untouched and does not move the replay window.
    @Test func tamperingIsRejected() throws {
        let (sender, receiver) = try Self.pair(keyID: 0x123, firstCounter: 0x4567)
        let frame = try sender.protect(Array("a media frame".utf8), metadata: Self.metadata)
        for bit in 0..<(frame.count * 8) {
            var altered = frame
            altered[bit / 8] ^= 1 << UInt8(bit % 8)
            var output: [UInt8] = [0xEE]
            #expect(throws: FramesError.self) { try receiver.unprotect(altered, metadata: Self.metadata, into: &output) }
            #expect(output == [0xEE])
        }
        for metadata in [[], Array("IETF SFrame WG.".utf8), Array("IETF SFrame Wg".utf8)] {
            #expect(
                framesError { () throws(FramesError) in try receiver.unprotect(frame, metadata: metadata) }
                    == .authenticationFailed(keyID: 0x123, counter: 0x4567))
        }
        // Tag, header, metadata: each alone.
        var badTag = frame
        badTag[badTag.count - 1] ^= 0x80
        #expect(
            framesError { () throws(FramesError) in try receiver.unprotect(badTag, metadata: Self.metadata) }
                == .authenticationFailed(keyID: 0x123, counter: 0x4567))
        var badHeader = frame
        badHeader[4] ^= 0x01  // CTR 0x4567 -> 0x4566: another nonce and another AAD
        #expect(
            framesError { () throws(FramesError) in try receiver.unprotect(badHeader, metadata: Self.metadata) }
                == .authenticationFailed(keyID: 0x123, counter: 0x4566))
        // None of that moved the window: the genuine frame still goes through, once.
        #expect(try receiver.unprotect(frame, metadata: Self.metadata) == Array("a media frame".utf8))
    }

    @Test func truncatedFramesAreTypedErrors() throws {
        let (sender, receiver) = try Self.pair(keyID: 0x123, firstCounter: 0x4567)
        let frame = try sender.protect([1, 2, 3])
        for cut in 0..<frame.count {
            let error = framesError { () throws(FramesError) in try receiver.unprotect(Array(frame.prefix(cut))) }
            switch cut {
            case 0..<5: #expect(error == .truncatedHeader(needed: cut == 0 ? 1 : 5, available: cut))
            case 5..<21: #expect(error == .truncatedFrame(length: cut, minimum: 21))
            default: #expect(error == .authenticationFailed(keyID: 0x123, counter: 0x4567))
            }
        }
    }

    /// Hundreds of random byte strings, some behind a header with a known KID: every one is a typed error.
    @Test func garbageFramesAreTypedErrors() throws {
        let (_, receiver) = try Self.pair(keyID: 7)
        var generator = SeededGenerator(seed: 0x9605_0005)
        var reasons: [String: Int] = [:]
        for round in 0..<600 {
            let length = Int.random(in: 0...64, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x70 | (bytes[0] & 0x07) }  // KID 7, short CTR
            let error = framesError { () throws(FramesError) in try receiver.unprotect(bytes, metadata: Self.metadata) }
            guard let error else {
                Issue.record("random bytes authenticated: \(bytes)")
                continue
            }
            #expect(!error.description.isEmpty)
            reasons[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
        }
        // Reached the header, length, KID, replay and tag checks.
        #expect(
            Set(reasons.keys).isSuperset(of: ["truncatedHeader", "truncatedFrame", "unknownKeyID", "authenticationFailed"]), "\(reasons)")
    }

    @Test func counterExhaustionThrowsInsteadOfWrapping() throws {
        let (sender, receiver) = try Self.pair(firstCounter: .max - 1)
        let a = try sender.protect([1])
        let b = try sender.protect([2])
        #expect(sender.nextCounter == nil)
        #expect(framesError { () throws(FramesError) in try sender.protect([3]) } == .counterExhausted(keyID: 7))
        #expect(framesError { () throws(FramesError) in try sender.protect([3]) } == .counterExhausted(keyID: 7))
        #expect(try receiver.unprotect(b) == [2])
        #expect(try receiver.unprotect(a) == [1])
        #expect(try SFrameHeader.decode(b).header.counter == .max)
    }

    @Test func sendersWithDistinctKIDsShareAReceiver() throws {
        let epochSecret = [UInt8](repeating: 0x33, count: 32)
        let receiver = SFrameReceiver()
        var senders: [SFrameSender] = []
        for kid: UInt64 in [1, 2, 0x1_0000] {
            let baseKey = try SFrameKeys.senderBaseKey(epochSecret: epochSecret, keyID: kid)
            senders.append(try SFrameSender(keyID: kid, baseKey: baseKey))
            try receiver.addKey(keyID: kid, baseKey: baseKey)
        }
        for round in 0..<3 {
            for sender in senders {
                var out: [UInt8] = []
                let header = try receiver.unprotect(try sender.protect([UInt8(round)]), into: &out)
                #expect(header.keyID == sender.keyID)
                #expect(out == [UInt8(round)])
            }
        }
        #expect(Set(receiver.keyIDs) == [1, 2, 0x1_0000])
    }
}
