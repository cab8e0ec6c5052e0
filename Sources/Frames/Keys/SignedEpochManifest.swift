/// An epoch manifest's canonical encoding with the key manager's Ed25519 detached signature over it.
///
/// The signed message is the canonical encoding itself; it starts with `"dialgate epoch manifest"`, so
/// it can never be mistaken for an identity signature (`"dialgate identity v1" || key`). Decoding checks
/// the structure only: whether the signature is good, and whether its signer is one this client
/// accepts, is `EpochManifestVerifier`'s job.
///
/// `encoded` is `canonical encoding || signature (64 octets)`; the canonical encoding delimits itself.
public struct SignedEpochManifest: Hashable, Sendable {
    /// The decoded manifest.
    public let manifest: EpochManifest
    /// The octets that were signed.
    public let canonicalEncoding: [UInt8]
    /// Ed25519 detached signature over `canonicalEncoding`.
    public let signature: [UInt8]

    /// Signs `manifest` as its key manager. Throws `unexpectedManifestSigner` when `keyManager` is not
    /// the manifest's key manager.
    public init(signing manifest: EpochManifest, as keyManager: ParticipantIdentity) throws(FramesError) {
        guard manifest.keyManager == keyManager.fingerprint else {
            throw .unexpectedManifestSigner(signer: keyManager.fingerprint, expected: [manifest.keyManager])
        }
        self.manifest = manifest
        self.canonicalEncoding = manifest.canonicalEncoding
        self.signature = keyManager.signature(of: canonicalEncoding)
    }

    /// A received manifest and signature (not yet verified).
    public init(canonicalEncoding: [UInt8], signature: [UInt8]) throws(FramesError) {
        guard signature.count == PublicIdentity.signatureLength else {
            throw .malformedEncoding(.signedEpochManifest, reason: "signature is \(signature.count) octets, 64 expected")
        }
        self.manifest = try EpochManifest(canonicalEncoding: canonicalEncoding)
        self.canonicalEncoding = canonicalEncoding
        self.signature = signature
    }

    /// `canonical encoding || signature`.
    public var encoded: [UInt8] { canonicalEncoding + signature }

    /// Splits and decodes `encoded` (not yet verified).
    public init(encoded: [UInt8]) throws(FramesError) {
        let signatureLength = PublicIdentity.signatureLength
        guard encoded.count > signatureLength else {
            throw .malformedEncoding(.signedEpochManifest, reason: "\(encoded.count) octets is too short")
        }
        try self.init(
            canonicalEncoding: Array(encoded.dropLast(signatureLength)), signature: Array(encoded.suffix(signatureLength)))
    }

    /// The manifest hash (over the canonical encoding as received).
    public var hash: ManifestHash { ManifestHash(canonicalEncoding: canonicalEncoding) }

    /// Whether the signature verifies under `identity`'s signing key.
    func isSigned(by identity: PublicIdentity) -> Bool {
        identity.verify(signature: signature, message: canonicalEncoding)
    }
}
