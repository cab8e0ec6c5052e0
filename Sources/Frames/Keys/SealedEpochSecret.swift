import CSodium

/// An epoch secret sealed to one key holder (DESIGN.md §4): `crypto_box_seal` to the holder's X25519 key
/// of
/// ```
/// version (1 octet = 1) || epoch secret (32) || manifest hash (32)
/// ```
/// so the box opens only with that holder's key, and only for the manifest it was made for: a secret
/// replayed from an earlier epoch, or moved to another manifest, is refused (`manifestHashMismatch`).
/// On opening, the secret must also match the signed manifest's commitment (`EpochSecret`), so nobody
/// but the key manager can choose it.
///
/// `recipient` is routing information for the relay (it is not secret and not trusted: the box itself
/// decides). `encoded` is `version (1) || recipient (32) || box (113)`.
public struct SealedEpochSecret: Hashable, Sendable {
    static let version: UInt8 = 1
    static let plaintextLength = 1 + EpochSecret.length + ManifestHash.length
    /// Octets of the sealed box.
    public static let ciphertextLength = plaintextLength + crypto_box_sealbytes()
    /// Octets of `encoded`.
    public static let encodedLength = 1 + IdentityFingerprint.length + ciphertextLength

    /// Whom the box is for.
    public let recipient: IdentityFingerprint
    /// The `crypto_box_seal` box.
    public let ciphertext: [UInt8]

    /// Seals `secret` for `manifest` to `recipient`, a key holder of it. Throws `notAKeyHolder` when the
    /// recipient is not one, and `secretCommitmentMismatch` when `secret` is not the manifest's.
    public init(sealing secret: EpochSecret, for manifest: SignedEpochManifest, to recipient: PublicIdentity) throws(FramesError) {
        try Sodium.ensureInitialized()
        guard manifest.manifest.isKeyHolder(recipient.fingerprint) else { throw .notAKeyHolder(epoch: manifest.manifest.epoch) }
        guard sodium_memcmp(secret.commitment, manifest.manifest.secretCommitment, Blake2b.length) == 0 else {
            throw .secretCommitmentMismatch(epoch: manifest.manifest.epoch)
        }
        let box = try Self.seal(secret: secret, manifestHash: manifest.hash, to: recipient)
        self.recipient = recipient.fingerprint
        self.ciphertext = box
    }

    /// The box alone, without the key-holder and commitment checks (`init(sealing:for:to:)` makes them).
    static func seal(secret: EpochSecret, manifestHash: ManifestHash, to recipient: PublicIdentity) throws(FramesError) -> [UInt8] {
        try seal(secret: secret, manifestHash: manifestHash, agreementKey: recipient.agreementKey)
    }

    static func seal(secret: EpochSecret, manifestHash: ManifestHash, agreementKey: [UInt8]) throws(FramesError) -> [UInt8] {
        let hash = manifestHash.bytes
        let plaintext = SecretBytes(count: Self.plaintextLength) { buffer in
            buffer[0] = Self.version
            secret.withUnsafeBytes { secret in
                UnsafeMutableRawBufferPointer(rebasing: buffer[1..<1 + EpochSecret.length]).copyMemory(from: secret)
            }
            hash.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[(1 + EpochSecret.length)...]).copyMemory(from: $0) }
        }
        var box = [UInt8](repeating: 0, count: Self.ciphertextLength)
        let status = plaintext.withUnsafeBytes { plaintext in
            crypto_box_seal(&box, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count), agreementKey)
        }
        guard status == 0 else { throw .sealingFailed }
        return box
    }

    /// A received box.
    public init(recipient: IdentityFingerprint, ciphertext: [UInt8]) throws(FramesError) {
        guard ciphertext.count == Self.ciphertextLength else {
            throw .malformedEncoding(.sealedEpochSecret, reason: "box is \(ciphertext.count) octets, \(Self.ciphertextLength) expected")
        }
        self.recipient = recipient
        self.ciphertext = ciphertext
    }

    /// `version || recipient || box`.
    public var encoded: [UInt8] { [Self.version] + recipient.bytes + ciphertext }

    /// Decodes `encoded`.
    public init(encoded: [UInt8]) throws(FramesError) {
        var reader = CanonicalReader(encoded, encoding: .sealedEpochSecret)
        let version = try reader.readUInt8("version")
        guard version == Self.version else { throw reader.failure("unsupported version \(version)") }
        let recipient = IdentityFingerprint(uncheckedBytes: try reader.read(count: IdentityFingerprint.length, "recipient"))
        let box = try reader.read(count: Self.ciphertextLength, "box")
        try reader.expectEnd()
        try self.init(recipient: recipient, ciphertext: box)
    }

    /// Opens the box with `identity` for `manifest`, and checks that it was sealed for that manifest and
    /// holds the secret the manifest commits to.
    public func open(with identity: ParticipantIdentity, for manifest: VerifiedEpochManifest) throws(FramesError) -> EpochSecret {
        let epoch = manifest.manifest.epoch
        guard manifest.manifest.isKeyHolder(identity.fingerprint) else { throw .notAKeyHolder(epoch: epoch) }
        guard let plaintext = identity.openSealedBox(ciphertext), plaintext.count == Self.plaintextLength else {
            throw .sealedSecretUnopenable
        }
        let (version, hashMatches) = plaintext.withUnsafeBytes { bytes in
            (bytes[0], manifest.hash.bytes.elementsEqual(bytes[(1 + EpochSecret.length)...]))
        }
        // Anything but version 1 inside a box that authenticated is still not a secret we understand.
        guard version == Self.version else { throw .sealedSecretUnopenable }
        guard hashMatches else { throw .manifestHashMismatch }
        let secret = EpochSecret(
            storage: plaintext.withUnsafeBytes { bytes in
                SecretBytes(count: EpochSecret.length) {
                    $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[1..<1 + EpochSecret.length]))
                }
            })
        guard sodium_memcmp(secret.commitment, manifest.manifest.secretCommitment, Blake2b.length) == 0 else {
            throw .secretCommitmentMismatch(epoch: epoch)
        }
        return secret
    }
}
