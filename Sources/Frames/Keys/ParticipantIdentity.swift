import CSodium

/// The secret side of a participant identity (DESIGN.md §4): an Ed25519 signing key pair and an X25519
/// key pair whose public key the signing key vouches for. The gateway has one too (it is the key
/// manager of `standard` meetings).
///
/// Everything comes from one 32-octet seed, the only secret to store:
/// ```
/// signing seed   = BLAKE2b-256(key: seed, "dialgate identity v1 signing seed")    → crypto_sign_seed_keypair
/// agreement seed = BLAKE2b-256(key: seed, "dialgate identity v1 agreement seed")  → crypto_box_seed_keypair
/// ```
/// The secret keys live in `SecretBytes` (wiped in `deinit`). No method signs caller-chosen bytes: the
/// types that need a signature (`SignedEpochManifest`) build their own labelled message.
public final class ParticipantIdentity: Sendable {
    /// Octets of the seed.
    public static let seedLength = 32

    static let signingSeedLabel = Array("dialgate identity v1 signing seed".utf8)
    static let agreementSeedLabel = Array("dialgate identity v1 agreement seed".utf8)

    /// What others see and pin.
    public let publicIdentity: PublicIdentity
    private let seed: SecretBytes
    private let signingSecretKey: SecretBytes
    private let agreementSecretKey: SecretBytes

    /// The identity derived from `seed` (deterministic; for stored identities and tests). The caller
    /// wipes its copy of the seed.
    public convenience init(seed bytes: [UInt8]) throws(FramesError) {
        try Sodium.ensureInitialized()
        guard bytes.count == Self.seedLength else { throw .wrongKeyLength(expected: Self.seedLength, actual: bytes.count) }
        try self.init(seed: SecretBytes(copying: bytes))
    }

    /// A new identity from libsodium's CSPRNG (`randombytes_buf`).
    public static func generate() throws(FramesError) -> ParticipantIdentity {
        try Sodium.ensureInitialized()
        return try ParticipantIdentity(seed: SecretBytes.random(count: seedLength))
    }

    private init(seed: SecretBytes) throws(FramesError) {
        self.seed = seed
        let signingSeed = seed.withUnsafeBytes { seed in
            SecretBytes(count: Blake2b.length) { Blake2b.hash(key: seed, [Self.signingSeedLabel], into: $0) }
        }
        let agreementSeed = seed.withUnsafeBytes { seed in
            SecretBytes(count: Blake2b.length) { Blake2b.hash(key: seed, [Self.agreementSeedLabel], into: $0) }
        }
        var signingKey = [UInt8](repeating: 0, count: PublicIdentity.signingKeyLength)
        let signingSecretKey = SecretBytes(count: Int(crypto_sign_SECRETKEYBYTES)) { secret in
            signingSeed.withUnsafeBytes { seed in
                _ = crypto_sign_seed_keypair(
                    &signingKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    seed.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        var agreementKey = [UInt8](repeating: 0, count: PublicIdentity.agreementKeyLength)
        let agreementSecretKey = SecretBytes(count: Int(crypto_box_SECRETKEYBYTES)) { secret in
            agreementSeed.withUnsafeBytes { seed in
                _ = crypto_box_seed_keypair(
                    &agreementKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    seed.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        var signature = [UInt8](repeating: 0, count: PublicIdentity.signatureLength)
        let message = PublicIdentity.agreementKeyMessage(agreementKey)
        signingSecretKey.withUnsafeBytes { secret in
            _ = crypto_sign_detached(
                &signature, nil, message, UInt64(message.count), secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        self.signingSecretKey = signingSecretKey
        self.agreementSecretKey = agreementSecretKey
        publicIdentity = try PublicIdentity(signingKey: signingKey, agreementKey: agreementKey, agreementKeySignature: signature)
    }

    /// The fingerprint of `publicIdentity`.
    public var fingerprint: IdentityFingerprint { publicIdentity.fingerprint }

    /// A copy of the seed, for the state store (the one secret that recreates this identity). The caller
    /// wipes it after writing it out.
    public func exportSeed() -> [UInt8] { seed.bytes }

    /// Ed25519 detached signature of `message`. Internal: callers sign typed, labelled messages only.
    func signature(of message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: PublicIdentity.signatureLength)
        let length = UInt64(message.count)
        message.withNonNullPointer { message in
            signingSecretKey.withUnsafeBytes { secret in
                _ = crypto_sign_detached(&signature, nil, message, length, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return signature
    }

    /// Opens a `crypto_box_seal` box sealed to this identity's X25519 key; nil when it does not open.
    func openSealedBox(_ ciphertext: [UInt8]) -> SecretBytes? {
        let overhead = crypto_box_sealbytes()
        guard ciphertext.count > overhead else { return nil }
        var opened = false
        let plaintext = SecretBytes(count: ciphertext.count - overhead) { output in
            agreementSecretKey.withUnsafeBytes { secret in
                opened =
                    crypto_box_seal_open(
                        output.baseAddress!.assumingMemoryBound(to: UInt8.self), ciphertext, UInt64(ciphertext.count),
                        publicIdentity.agreementKey, secret.baseAddress!.assumingMemoryBound(to: UInt8.self)) == 0
            }
        }
        return opened ? plaintext : nil
    }
}
