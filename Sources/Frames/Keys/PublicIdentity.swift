import CSodium

/// The public side of a participant identity (DESIGN.md §4): an Ed25519 signing key, and an X25519
/// agreement key signed by it, so the fingerprint vouches for both.
///
/// The signed message is `"dialgate identity v1" || X25519 public key`. The label keeps this signature
/// apart from every other one the signing key makes (epoch manifests start with their own label), and
/// the key is fixed-length, so the message is unambiguous.
///
/// A value can only exist with a signature that verifies: `init` checks it.
public struct PublicIdentity: Hashable, Sendable {
    public static let signingKeyLength = Int(crypto_sign_PUBLICKEYBYTES)  // 32
    public static let agreementKeyLength = Int(crypto_box_PUBLICKEYBYTES)  // 32
    public static let signatureLength = Int(crypto_sign_BYTES)  // 64
    /// Version octet of `encoded`.
    public static let encodingVersion: UInt8 = 1
    /// Octets of `encoded`: version, signing key, agreement key, signature.
    public static let encodedLength = 1 + signingKeyLength + agreementKeyLength + signatureLength

    static let agreementKeyLabel = Array("dialgate identity v1".utf8)

    /// Ed25519 public key: verifies the agreement key and, for a key manager, epoch manifests.
    public let signingKey: [UInt8]
    /// X25519 public key: epoch secrets are sealed to it (`crypto_box_seal`).
    public let agreementKey: [UInt8]
    /// Ed25519 signature by `signingKey` over `"dialgate identity v1" || agreementKey`.
    public let agreementKeySignature: [UInt8]
    /// BLAKE2b-256 over both public keys (see `IdentityFingerprint`).
    public let fingerprint: IdentityFingerprint

    /// Checks the lengths and the signature; throws `badIdentitySignature` if it does not verify.
    public init(signingKey: [UInt8], agreementKey: [UInt8], agreementKeySignature: [UInt8]) throws(FramesError) {
        try Sodium.ensureInitialized()
        for (value, length) in [
            (signingKey, Self.signingKeyLength), (agreementKey, Self.agreementKeyLength), (agreementKeySignature, Self.signatureLength),
        ] where value.count != length {
            throw .wrongKeyLength(expected: length, actual: value.count)
        }
        guard Self.verify(signature: agreementKeySignature, message: Self.agreementKeyMessage(agreementKey), signingKey: signingKey) else {
            throw .badIdentitySignature
        }
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.agreementKeySignature = agreementKeySignature
        self.fingerprint = .of(signingKey: signingKey, agreementKey: agreementKey)
    }

    /// `version (1) || signing key (32) || agreement key (32) || signature (64)`: 129 octets.
    public var encoded: [UInt8] {
        [Self.encodingVersion] + signingKey + agreementKey + agreementKeySignature
    }

    /// Decodes and verifies `encoded`.
    public init(encoded: [UInt8]) throws(FramesError) {
        var reader = CanonicalReader(encoded, encoding: .publicIdentity)
        let version = try reader.readUInt8("version")
        guard version == Self.encodingVersion else { throw reader.failure("unsupported version \(version)") }
        let signingKey = try reader.read(count: Self.signingKeyLength, "signing key")
        let agreementKey = try reader.read(count: Self.agreementKeyLength, "agreement key")
        let signature = try reader.read(count: Self.signatureLength, "signature")
        try reader.expectEnd()
        try self.init(signingKey: signingKey, agreementKey: agreementKey, agreementKeySignature: signature)
    }

    /// Whether `signature` is this identity's Ed25519 signature of `message`.
    func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        Self.verify(signature: signature, message: message, signingKey: signingKey)
    }

    static func agreementKeyMessage(_ agreementKey: [UInt8]) -> [UInt8] { agreementKeyLabel + agreementKey }

    static func verify(signature: [UInt8], message: [UInt8], signingKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, signingKey.count == signingKeyLength else { return false }
        let length = UInt64(message.count)
        return message.withNonNullPointer { crypto_sign_verify_detached(signature, $0, length, signingKey) == 0 }
    }
}
