import Testing

@testable import Frames

@Suite("Participant identities and fingerprints (DESIGN.md §4)")
struct IdentityTests {
    @Test func publicIdentityRoundTripsThroughItsEncoding() throws {
        let identity = try ParticipantIdentity.generate()
        let encoded = identity.publicIdentity.encoded
        #expect(encoded.count == PublicIdentity.encodedLength)
        let decoded = try PublicIdentity(encoded: encoded)
        #expect(decoded == identity.publicIdentity)
        #expect(decoded.fingerprint == identity.fingerprint)
    }

    @Test func seedRecreatesTheSameIdentityAndSeedsDiffer() throws {
        let identity = try ParticipantIdentity.generate()
        let again = try ParticipantIdentity(seed: identity.exportSeed())
        #expect(again.publicIdentity == identity.publicIdentity)
        #expect(try ParticipantIdentity.generate().fingerprint != identity.fingerprint)
        #expect(try KeyFixtures.identity(0).fingerprint == KeyFixtures.identity(0).fingerprint)
        #expect(try KeyFixtures.identity(0).fingerprint != KeyFixtures.identity(1).fingerprint)
        #expect(keyError { try ParticipantIdentity(seed: [1, 2, 3]) } == .wrongKeyLength(expected: 32, actual: 3))
    }

    @Test func agreementKeyMustBeSignedByTheSigningKey() throws {
        let host = try KeyFixtures.host.publicIdentity
        let guest = try KeyFixtures.guest.publicIdentity
        // Someone else's X25519 key (with its own valid signature, by another signing key).
        #expect(
            keyError {
                try PublicIdentity(
                    signingKey: host.signingKey, agreementKey: guest.agreementKey, agreementKeySignature: guest.agreementKeySignature)
            } == .badIdentitySignature)
        // Any bit of the signature or the agreement key.
        for index in 0..<(host.agreementKey.count + host.agreementKeySignature.count) {
            var key = host.agreementKey
            var signature = host.agreementKeySignature
            if index < key.count { key[index] ^= 0x01 } else { signature[index - key.count] ^= 0x01 }
            #expect(
                keyError { try PublicIdentity(signingKey: host.signingKey, agreementKey: key, agreementKeySignature: signature) }
                    == .badIdentitySignature)
        }
        #expect(
            keyError {
                try PublicIdentity(signingKey: [1], agreementKey: host.agreementKey, agreementKeySignature: host.agreementKeySignature)
            }
                == .wrongKeyLength(expected: 32, actual: 1))
    }

    @Test func fingerprintCoversBothKeys() throws {
        let host = try KeyFixtures.host.publicIdentity
        let viaSigningKey = IdentityFingerprint.of(signingKey: host.signingKey, agreementKey: [UInt8](repeating: 0, count: 32))
        #expect(viaSigningKey != host.fingerprint)
        #expect(IdentityFingerprint.of(signingKey: host.signingKey, agreementKey: host.agreementKey) == host.fingerprint)
    }

    @Test func fingerprintDisplayFormParsesBack() throws {
        let fingerprint = try KeyFixtures.host.fingerprint
        #expect(fingerprint.description.split(separator: " ").map(\.count) == Array(repeating: 4, count: 16))
        #expect(try IdentityFingerprint(parsing: fingerprint.description) == fingerprint)
        #expect(try IdentityFingerprint(parsing: fingerprint.hex.uppercased()) == fingerprint)
        #expect(try IdentityFingerprint(bytes: fingerprint.bytes) == fingerprint)
        #expect(caseName(keyError { try IdentityFingerprint(parsing: String(fingerprint.hex.dropLast())) }) == "malformedEncoding")
        #expect(caseName(keyError { try IdentityFingerprint(parsing: "g" + fingerprint.hex.dropFirst()) }) == "malformedEncoding")
        #expect(caseName(keyError { try IdentityFingerprint(parsing: "٣" + fingerprint.hex.dropFirst()) }) == "malformedEncoding")
        #expect(keyError { try IdentityFingerprint(bytes: [1]) } == .wrongKeyLength(expected: 32, actual: 1))
    }

    @Test func encodedIdentityRefusesOtherVersionsAndLengths() throws {
        let encoded = try KeyFixtures.host.publicIdentity.encoded
        var otherVersion = encoded
        otherVersion[0] = 2
        #expect(caseName(keyError { try PublicIdentity(encoded: otherVersion) }) == "malformedEncoding")
        #expect(caseName(keyError { try PublicIdentity(encoded: encoded + [0]) }) == "malformedEncoding")
        for cut in 0..<encoded.count {
            #expect(caseName(keyError { try PublicIdentity(encoded: Array(encoded.prefix(cut))) }) == "malformedEncoding")
        }
    }

    @Test func secretCopiesCanBeWiped() {
        let a = SecretBytes(copying: [1, 2, 3])
        #expect(a.count == 3)
        var copy = a.bytes
        #expect(copy == [1, 2, 3])
        SecretBytes.wipe(&copy)
        #expect(copy == [0, 0, 0])
    }
}
