/// A signed manifest that passed verification: its signature is good and its signer is one the client
/// accepts for it. Only `EpochManifestVerifier` (or the key manager itself, for its own manifests) makes
/// one, so key material is only ever installed for verified epochs (`SealedEpochSecret.open`,
/// `EpochKeyRing.install`).
public struct VerifiedEpochManifest: Hashable, Sendable {
    /// What was verified.
    public let signed: SignedEpochManifest
    /// The key manager whose signature verified.
    public let signer: PublicIdentity
    /// The manifest hash.
    public let hash: ManifestHash

    init(signed: SignedEpochManifest, signer: PublicIdentity) {
        self.signed = signed
        self.signer = signer
        self.hash = signed.hash
    }

    /// A manifest this identity signed itself (the key manager installing its own epoch). Checks the
    /// signature all the same.
    public init(ownManifest signed: SignedEpochManifest, keyManager: ParticipantIdentity) throws(FramesError) {
        guard signed.manifest.keyManager == keyManager.fingerprint else {
            throw .unexpectedManifestSigner(signer: signed.manifest.keyManager, expected: [keyManager.fingerprint])
        }
        guard signed.isSigned(by: keyManager.publicIdentity) else { throw .badManifestSignature }
        self.init(signed: signed, signer: keyManager.publicIdentity)
    }

    /// The manifest.
    public var manifest: EpochManifest { signed.manifest }

    /// The code everyone in this epoch shows (`SecurityCode`).
    public var securityCode: SecurityCode { SecurityCode(manifestHash: hash) }
}
