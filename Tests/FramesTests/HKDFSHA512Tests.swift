import Frames
import Testing

/// HKDF-SHA512 known values. RFC 5869's own vectors are for SHA-256 and SHA-1 only, so these use
/// RFC 5869 test cases 1 and 2 *inputs* with SHA-512; the expected outputs were computed with Python's
/// `hmac`/`hashlib` (an independent implementation) and also come out of the RFC 9605 C.3 chain below.
@Suite("HKDF-SHA512")
struct HKDFSHA512Tests {
    @Test func rfc5869Case1InputsWithSHA512() throws {
        let prk = try HKDFSHA512.extract(salt: hex("000102030405060708090a0b0c"), inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22))
        #expect(
            prk
                == hex(
                    "665799823737ded04a88e47e54a5890bb2c3d247c7a4254a8e61350723590a26"
                        + "c36238127d8661b88cf80ef802d57e2f7cebcf1e00e083848be19929c61b4237"))
        let okm = try HKDFSHA512.expand(pseudoRandomKey: prk, info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(okm == hex("832390086cda71fb47625bb5ceb168e4c8e26a1a16ed34d9fc7fe92c1481579338da362cb8d9f925d7cb"))
    }

    /// 150 octets: three HMAC blocks, so T(i-1) chaining and the block counter are exercised.
    @Test func rfc5869Case2InputsWithSHA512MultiBlock() throws {
        let prk = try HKDFSHA512.extract(salt: Array(0x60...0xaf), inputKeyMaterial: Array(0x00...0x4f))
        #expect(
            prk
                == hex(
                    "35672542907d4e142c00e84499e74e1de08be86535f924e022804ad775dde27e"
                        + "c86cd1e5b7d178c74489bdbeb30712beb82d4f97416c5a94ea81ebdf3e629e4a"))
        let okm = try HKDFSHA512.expand(pseudoRandomKey: prk, info: Array(0xb0...0xff), length: 150)
        #expect(
            okm
                == hex(
                    "ce6c97192805b346e6161e821ed165673b84f400a2b514b2fe23d84cd189ddf1b695b48cbd1c8388441137b3ce28f16a"
                        + "a64ba33ba466b24df6cfcb021ecff235f6a2056ce3af1de44d572097a8505d9e7a9354e5796284151c2dd39c39b3cd3d"
                        + "8e50fcc383ebdec37476e03b721ef5efef873c281f018b8ca42e1245b2271f871ba6585ee6b7c47ddf0e1e64685e87ea"
                        + "b3e2b4df5587"))
        // A shorter output is a prefix of a longer one.
        #expect(try HKDFSHA512.expand(pseudoRandomKey: prk, info: Array(0xb0...0xff), length: 70) == Array(okm.prefix(70)))
    }

    /// RFC 9605 C.3 (suite 0x0005): sframe_secret = HKDF-Extract("", base_key), and the key and salt are
    /// HKDF-Expand with the printed labels.
    @Test func rfc9605SFrameSecretKeyAndSalt() throws {
        let vector = try RFC9605Vectors.aes256GCMSHA512()
        let secret = try HKDFSHA512.extract(salt: [], inputKeyMaterial: hex(vector.base_key))
        #expect(secret == hex(vector.sframe_secret))
        #expect(try HKDFSHA512.expand(pseudoRandomKey: secret, info: hex(vector.sframe_key_label), length: 32) == hex(vector.sframe_key))
        #expect(try HKDFSHA512.expand(pseudoRandomKey: secret, info: hex(vector.sframe_salt_label), length: 12) == hex(vector.sframe_salt))
    }

    @Test func outputLengthIsBounded() throws {
        let prk = [UInt8](repeating: 1, count: 64)
        #expect(try HKDFSHA512.expand(pseudoRandomKey: prk, info: [], length: 255 * 64).count == 255 * 64)
        #expect(try HKDFSHA512.expand(pseudoRandomKey: prk, info: [], length: 0).isEmpty)
        #expect(
            framesError { () throws(FramesError) in try HKDFSHA512.expand(pseudoRandomKey: prk, info: [], length: 255 * 64 + 1) }
                == .hkdfOutputTooLong(requested: 255 * 64 + 1, maximum: 255 * 64))
    }
}
