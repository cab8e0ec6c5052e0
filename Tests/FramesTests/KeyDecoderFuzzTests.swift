import TestSupport
import Testing

@testable import Frames

/// Random and mutated bytes into every key-management decoder: each returns a value or a typed error,
/// never traps, and nothing forged verifies.
@Suite("Key-management decoders under garbage")
struct KeyDecoderFuzzTests {
    static func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        switch Int.random(in: 0..<5, using: &generator) {
        case 0 where !bytes.isEmpty:
            let index = Int.random(in: bytes.indices, using: &generator)
            bytes[index] ^= UInt8.random(in: 1...255, using: &generator)
        case 1:
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
        case 2:
            bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
        case 3 where !bytes.isEmpty:
            bytes.remove(at: Int.random(in: bytes.indices, using: &generator))
        default:
            bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        return bytes
    }

    @Test func everyDecoderReturnsAValueOrATypedError() throws {
        let (host, guest, gateway) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.gateway)
        let secret = try KeyFixtures.secret()
        let signed = try KeyFixtures.signed(
            epoch: 3, mode: .standard, keyManager: gateway, members: [host, guest, gateway], phones: [9], secret: secret)
        let verifier = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: gateway.publicIdentity)
        let verified = try verifier.verify(signed)
        let sealed = try SealedEpochSecret(sealing: secret, for: signed, to: guest.publicIdentity)
        let seeds: [[UInt8]] = [
            host.publicIdentity.encoded, signed.canonicalEncoding, signed.encoded, sealed.encoded, Array(host.fingerprint.description.utf8),
        ]

        var generator = SeededGenerator(seed: 0x6469_616C)
        var errors: [String: Int] = [:]
        var accepted = 0
        for round in 0..<4000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0...Int.random(in: 0..<3, using: &generator) { bytes = Self.mutate(bytes, using: &generator) }
            let results: [FramesError?] = [
                keyError { try PublicIdentity(encoded: bytes) },
                keyError { try IdentityFingerprint(parsing: String(decoding: bytes, as: UTF8.self)) },
                keyError { try EpochManifest(canonicalEncoding: bytes) },
                keyError { try verifier.verify(SignedEpochManifest(encoded: bytes)) },
                keyError { try SealedEpochSecret(encoded: bytes).open(with: guest, for: verified) },
            ]
            for case let error? in results {
                #expect(!error.description.isEmpty)
                errors[caseName(error)!, default: 0] += 1
            }
            // Whatever verified or opened must be byte-for-byte the genuine article.
            if (try? verifier.verify(SignedEpochManifest(encoded: bytes))) != nil {
                #expect(bytes == signed.encoded)
                accepted += 1
            }
            if let opened = try? SealedEpochSecret(encoded: bytes).open(with: guest, for: verified) {
                #expect(opened.withUnsafeBytes { Array($0) } == secret.withUnsafeBytes { Array($0) })
            }
        }
        #expect(
            Set(errors.keys).isSuperset(of: ["malformedEncoding", "badIdentitySignature", "badManifestSignature", "sealedSecretUnopenable"]
            ),
            "\(errors)")
        #expect(accepted < 4000)
    }
}
