import Foundation
import Frames
import Testing

/// RFC 9605 Appendix C, from `Vectors/rfc9605.json` (see `Vectors/SOURCE.md`).
struct RFC9605Vectors: Decodable {
    struct Header: Decodable {
        let kid: String
        let ctr: String
        let header: String
    }

    struct Encryption: Decodable {
        let cipher_suite: Int
        let kid: String
        let ctr: String
        let base_key: String
        let sframe_key_label: String
        let sframe_salt_label: String
        let sframe_secret: String
        let sframe_key: String
        let sframe_salt: String
        let metadata: String
        let nonce: String
        let aad: String
        let pt: String
        let ct: String
    }

    let header: [Header]
    let sframe: [Encryption]

    static func load() throws -> RFC9605Vectors {
        let url = try #require(Bundle.module.url(forResource: "rfc9605", withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(RFC9605Vectors.self, from: Data(contentsOf: url))
    }

    /// The C.3 vector for AES_256_GCM_SHA512_128 (IANA 0x0005), the suite dialgate uses.
    static func aes256GCMSHA512() throws -> Encryption {
        try #require(try load().sframe.first { $0.cipher_suite == Int(SFrameCipherSuite.aes256GCMSHA512.rawValue) })
    }
}

/// Hex string ("99 01" or "9901") to bytes.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// "0x0000000000000123" (the vectors' KID/CTR form) to an integer.
func u64(_ text: String) -> UInt64 { UInt64(text.dropFirst(2), radix: 16)! }

/// Catches a typed Frames error, for `#expect(framesError { ... } == .something)`.
func framesError<T>(_ body: () throws(FramesError) -> T) -> FramesError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
