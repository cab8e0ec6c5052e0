import Testing

@testable import Frames

@Suite("Sealed epoch secrets (crypto_box_seal with the manifest hash)")
struct SealedEpochSecretTests {
    struct Epoch {
        let signed: SignedEpochManifest
        let verified: VerifiedEpochManifest
    }

    static func epoch(_ number: UInt64, members: [ParticipantIdentity], secret: EpochSecret) throws -> Epoch {
        let signed = try KeyFixtures.signed(epoch: number, keyManager: KeyFixtures.host, members: members, secret: secret)
        return Epoch(signed: signed, verified: try VerifiedEpochManifest(ownManifest: signed, keyManager: KeyFixtures.host))
    }

    @Test func opensOnlyForItsRecipient() throws {
        let (host, guest, outsider) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(3))
        let secret = try EpochSecret.random()
        let epoch = try Self.epoch(5, members: [host, guest], secret: secret)
        let sealed = try SealedEpochSecret(sealing: secret, for: epoch.signed, to: guest.publicIdentity)
        #expect(sealed.recipient == guest.fingerprint)
        let received = try SealedEpochSecret(encoded: sealed.encoded)
        #expect(received == sealed)
        let opened = try received.open(with: guest, for: epoch.verified)
        #expect(opened.withUnsafeBytes { Array($0) } == secret.withUnsafeBytes { Array($0) })
        // Another key holder cannot open it; someone who is not a key holder is told so first.
        #expect(keyError { try received.open(with: host, for: epoch.verified) } == .sealedSecretUnopenable)
        #expect(keyError { try received.open(with: outsider, for: epoch.verified) } == .notAKeyHolder(epoch: 5))
        // Sealing to someone who is not a key holder is a key manager bug, refused.
        #expect(
            keyError { try SealedEpochSecret(sealing: secret, for: epoch.signed, to: outsider.publicIdentity) } == .notAKeyHolder(epoch: 5))
        #expect(
            keyError { try SealedEpochSecret(sealing: try KeyFixtures.secret(), for: epoch.signed, to: guest.publicIdentity) }
                == .secretCommitmentMismatch(epoch: 5))
    }

    @Test func anyAlteredOctetOfTheBoxIsRefused() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let secret = try KeyFixtures.secret()
        let epoch = try Self.epoch(5, members: [host, guest], secret: secret)
        let sealed = try SealedEpochSecret(sealing: secret, for: epoch.signed, to: guest.publicIdentity)
        for index in sealed.ciphertext.indices {
            var box = sealed.ciphertext
            box[index] ^= 0x04
            let altered = try SealedEpochSecret(recipient: guest.fingerprint, ciphertext: box)
            #expect(keyError { try altered.open(with: guest, for: epoch.verified) } == .sealedSecretUnopenable)
        }
    }

    /// A secret sealed for epoch 5, replayed with epoch 6's manifest (same members, same secret even).
    @Test func replayedIntoAnotherEpochIsRefused() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let secret = try KeyFixtures.secret()
        let five = try Self.epoch(5, members: [host, guest], secret: secret)
        let six = try Self.epoch(6, members: [host, guest], secret: secret)
        let sealed = try SealedEpochSecret(sealing: secret, for: five.signed, to: guest.publicIdentity)
        #expect(keyError { try sealed.open(with: guest, for: six.verified) } == .manifestHashMismatch)
    }

    /// The relay has the signed manifest and the guest's public key; it seals a secret of its own with the
    /// right manifest hash. The commitment in the signed manifest gives it away.
    @Test func aSecretTheKeyManagerDidNotCommitToIsRefused() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let epoch = try Self.epoch(5, members: [host, guest], secret: KeyFixtures.secret())
        let chosen = try KeyFixtures.secret(0x00)
        let box = try SealedEpochSecret.seal(secret: chosen, manifestHash: epoch.signed.hash, to: guest.publicIdentity)
        let forged = try SealedEpochSecret(recipient: guest.fingerprint, ciphertext: box)
        #expect(keyError { try forged.open(with: guest, for: epoch.verified) } == .secretCommitmentMismatch(epoch: 5))
    }

    @Test func malformedEncodingsAreTypedErrors() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let secret = try KeyFixtures.secret()
        let epoch = try Self.epoch(5, members: [host, guest], secret: secret)
        let encoded = try SealedEpochSecret(sealing: secret, for: epoch.signed, to: guest.publicIdentity).encoded
        #expect(encoded.count == SealedEpochSecret.encodedLength)
        for cut in 0..<encoded.count {
            #expect(caseName(keyError { try SealedEpochSecret(encoded: Array(encoded.prefix(cut))) }) == "malformedEncoding")
        }
        #expect(caseName(keyError { try SealedEpochSecret(encoded: encoded + [0]) }) == "malformedEncoding")
        #expect(caseName(keyError { try SealedEpochSecret(recipient: guest.fingerprint, ciphertext: [1, 2]) }) == "malformedEncoding")
        #expect(caseName(keyError { try EpochSecret(bytes: [1]) }) == "wrongKeyLength")
    }

    /// A low-order X25519 point would give an all-zero shared secret: libsodium refuses, and so do we.
    @Test func sealingToAnUnusableKeyFails() throws {
        #expect(
            keyError {
                try SealedEpochSecret.seal(
                    secret: KeyFixtures.secret(), manifestHash: ManifestHash(bytes: [UInt8](repeating: 0, count: 32)),
                    agreementKey: [UInt8](repeating: 0, count: 32))
            } == .sealingFailed)
    }
}
