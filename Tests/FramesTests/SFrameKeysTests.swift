import Frames
import Testing

@Suite("SFrame key derivation (RFC 9605 §4.4.2) and sender base keys")
struct SFrameKeysTests {
    @Test func rfc9605AppendixC3KeyAndSalt() throws {
        let vector = try RFC9605Vectors.aes256GCMSHA512()
        let keys = try SFrameKeys(baseKey: hex(vector.base_key), keyID: u64(vector.kid))
        #expect(keys.suite.rawValue == 0x0005)
        #expect(keys.key == hex(vector.sframe_key))
        #expect(keys.salt == hex(vector.sframe_salt))
        #expect(keys.nonce(counter: u64(vector.ctr)) == hex(vector.nonce))
    }

    @Test func nonceIsSaltXorBigEndianCounter() throws {
        let keys = try SFrameKeys(baseKey: [UInt8](repeating: 7, count: 16), keyID: 1)
        #expect(keys.nonce(counter: 0) == keys.salt)
        let nonce = keys.nonce(counter: 0x0102_0304_0506_0708)
        #expect(Array(nonce.prefix(4)) == Array(keys.salt.prefix(4)))
        #expect(zip(nonce.suffix(8), keys.salt.suffix(8)).map { $0 ^ $1 } == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func shortKeysAreRefused() {
        #expect(
            framesError { () throws(FramesError) in try SFrameKeys(baseKey: [1, 2, 3], keyID: 1) }
                == .keyTooShort(minimum: 16, actual: 3))
        #expect(
            framesError { () throws(FramesError) in try SFrameKeys.senderBaseKey(epochSecret: [UInt8](repeating: 1, count: 31), keyID: 1) }
                == .keyTooShort(minimum: 32, actual: 31))
    }

    /// dialgate's own construction (documented on `senderBaseKey`); the expected octets were computed
    /// with Python's `hmac`/`hashlib` from the documented formula, so a change to the construction
    /// (which would split gateway and clients) fails here.
    @Test func senderBaseKeyPinnedValue() throws {
        let epochSecret = Array(UInt8(0)...UInt8(31))
        let baseKey = try SFrameKeys.senderBaseKey(epochSecret: epochSecret, keyID: 0x0102)
        #expect(baseKey == hex("3e5d889d9fa5e9ca59dc013600be105f236cced3eaaba0f3cfb4f8047586bf9e"))
        let keys = try SFrameKeys(baseKey: baseKey, keyID: 0x0102)
        #expect(keys.key == hex("c768e4476e9379be7676831710114cb67157639119e3c742826bc895ef292c1f"))
    }

    @Test func senderBaseKeysDifferPerKIDAndEpochSecret() throws {
        let secretA = [UInt8](repeating: 0xA5, count: 32)
        let secretB = [UInt8](repeating: 0x5A, count: 32)
        let keys = try [(secretA, 1), (secretA, 2), (secretB, 1)].map { (secret, kid) throws(FramesError) in
            try SFrameKeys.senderBaseKey(epochSecret: secret, keyID: UInt64(kid))
        }
        #expect(Set(keys).count == 3)
        #expect(keys.allSatisfy { $0.count == 32 })
        #expect(try SFrameKeys.senderBaseKey(epochSecret: secretA, keyID: 1) == keys[0])
    }
}
