/// What a client checks before it accepts an epoch (DESIGN.md §4, issue 6): that the manifest is signed by
/// a key manager it accepts for the manifest's mode, is for its meeting, and moves the epoch forward.
///
/// Whom it accepts:
/// - an `e2ee` manifest: the host (its identity is fixed when the meeting is created), or, while the
///   host is not in the meeting, a co-host the host named in its newest manifest (`coHosts`). A co-host's manifest must
///   name the same co-hosts: only the host names them, so every chain of trust starts at the host;
/// - a `standard` manifest that changes the mode (the current epoch is `e2ee`, i.e. a downgrade): the host
///   only, since only the host may consent to the gateway holding the key;
/// - any other `standard` manifest: the host or the gateway (the gateway manages `standard` epochs).
///
/// A guest of a `standard` meeting may not know the host's identity (the roster carries fingerprints,
/// not keys): with `host` nil it accepts `standard` manifests from the gateway only, and refuses every
/// `e2ee` manifest and every downgrade, since only the host may sign those.
///
/// An `e2ee` manifest that lists the gateway among its key holders is refused: it would not be end-to-end
/// encrypted whoever signed it.
///
/// Checks run signature-first: the signer must be acceptable and the signature good before any field of
/// the manifest is believed, so any altered octet is reported as a bad signature.
/// A value type: `accept` returns the verified manifest and moves `currentEpoch` forward.
public struct EpochManifestVerifier: Sendable {
    /// The meeting this client is in.
    public let meetingID: String
    /// The host identity pinned for the meeting; nil when this client does not know it (a guest of a
    /// `standard` meeting), so that only the gateway's `standard` manifests are accepted.
    public let host: PublicIdentity?
    /// The gateway's identity, when this client accepts `standard` epochs from it.
    public let gateway: PublicIdentity?
    /// The last accepted epoch, nil before the first.
    public private(set) var currentEpoch: UInt64?
    /// The last accepted epoch's mode, nil before the first.
    public private(set) var currentMode: EpochManifest.Mode?
    /// The co-hosts named by the newest host-signed manifest seen (accepted, or adopted as a delegation).
    public private(set) var coHosts: [IdentityFingerprint] = []
    /// The epoch of that manifest, nil before one.
    public private(set) var delegationEpoch: UInt64?

    public init(
        meetingID: String, host: PublicIdentity?, gateway: PublicIdentity?, currentEpoch: UInt64? = nil,
        currentMode: EpochManifest.Mode? = nil
    ) {
        self.meetingID = meetingID
        self.host = host
        self.gateway = gateway
        self.currentEpoch = currentEpoch
        self.currentMode = currentMode
    }

    /// The key managers whose signature this client accepts for a manifest of `mode`, now. `participants`
    /// are the public identities in the meeting (the roster's): a co-host's signature can only be
    /// checked against its identity, and co-hosts sign only while the host is not among them.
    public func acceptedSigners(for mode: EpochManifest.Mode, participants: [PublicIdentity] = []) -> [PublicIdentity] {
        let host = host.map { [$0] } ?? []
        let hostIsHere = participants.contains { $0.fingerprint == host.first?.fingerprint }
        return switch (mode, currentMode) {
        case (.e2ee, _):
            host + (hostIsHere ? [] : participants.filter { coHosts.contains($0.fingerprint) && $0.fingerprint != host.first?.fingerprint })
        case (.standard, .e2ee): host
        case (.standard, .standard), (.standard, nil): host + (gateway.map { [$0] } ?? [])
        }
    }

    /// Verifies `signed` without changing state (`participants`: see `acceptedSigners`).
    public func verify(_ signed: SignedEpochManifest, participants: [PublicIdentity] = []) throws(FramesError) -> VerifiedEpochManifest {
        let manifest = signed.manifest
        let accepted = acceptedSigners(for: manifest.mode, participants: participants)
        guard let signer = accepted.first(where: { $0.fingerprint == manifest.keyManager }) else {
            throw .unexpectedManifestSigner(signer: manifest.keyManager, expected: accepted.map(\.fingerprint))
        }
        guard signed.isSigned(by: signer) else { throw .badManifestSignature }
        guard manifest.meetingID == meetingID else { throw .wrongMeeting(expected: meetingID, actual: manifest.meetingID) }
        if signer.fingerprint != host?.fingerprint, manifest.mode == .e2ee, manifest.coHosts != coHosts {
            throw .coHostChangedCoHosts(epoch: manifest.epoch)
        }
        if let currentEpoch, manifest.epoch <= currentEpoch { throw .staleEpoch(epoch: manifest.epoch, current: currentEpoch) }
        if manifest.mode == .e2ee, let gateway, manifest.isKeyHolder(gateway.fingerprint) {
            throw .gatewayHoldsE2EEKey(epoch: manifest.epoch)
        }
        return VerifiedEpochManifest(signed: signed, signer: signer)
    }

    /// Verifies `signed` and makes its epoch the current one; a host-signed manifest also replaces the
    /// co-hosts.
    public mutating func accept(_ signed: SignedEpochManifest, participants: [PublicIdentity] = []) throws(FramesError)
        -> VerifiedEpochManifest
    {
        let verified = try verify(signed, participants: participants)
        currentEpoch = verified.manifest.epoch
        currentMode = verified.manifest.mode
        if verified.signer.fingerprint == host?.fingerprint { adopt(verified.manifest) }
        return verified
    }

    /// Learns who the co-hosts are from the host's newest manifest, without installing its epoch: a
    /// client that joins while the host is away gets it from the gateway (`welcome.delegation`), since
    /// its keys will come from a co-host. The manifest must be the host's, for this meeting, and not
    /// older than the delegation already known.
    public mutating func adoptDelegation(_ signed: SignedEpochManifest) throws(FramesError) {
        guard let host else { throw .unexpectedManifestSigner(signer: signed.manifest.keyManager, expected: []) }
        guard signed.manifest.keyManager == host.fingerprint else {
            throw .unexpectedManifestSigner(signer: signed.manifest.keyManager, expected: [host.fingerprint])
        }
        guard signed.isSigned(by: host) else { throw .badManifestSignature }
        guard signed.manifest.meetingID == meetingID else {
            throw .wrongMeeting(expected: meetingID, actual: signed.manifest.meetingID)
        }
        if let delegationEpoch, signed.manifest.epoch < delegationEpoch {
            throw .staleEpoch(epoch: signed.manifest.epoch, current: delegationEpoch)
        }
        adopt(signed.manifest)
    }

    private mutating func adopt(_ manifest: EpochManifest) {
        coHosts = manifest.coHosts
        delegationEpoch = manifest.epoch
    }
}
