import Frames
import Meetings

/// What a person should see of an accepted key epoch: its number, mode, who holds the key, and the
/// security code everyone in the epoch compares aloud (DESIGN.md §4).
public struct EpochInfo: Sendable, Equatable {
    public let epoch: UInt64
    public let mode: MeetingMode
    /// Identities the epoch secret was sealed to (the gateway's included when it holds the key).
    public let keyHolders: Int
    /// Their fingerprints, ascending: compare with the roster to see who can read this epoch.
    public let keyHolderFingerprints: [IdentityFingerprint]
    /// Who the host named to manage the keys while it is away.
    public let coHosts: [IdentityFingerprint]
    /// Senders with a KID in this epoch (app participants and phone legs).
    public let senders: Int
    /// Whether the meeting's key manager that signed the manifest is among the key holders and is not
    /// this client: in a `standard` meeting, whether the gateway could read the audio (it can).
    public let keyManagerHoldsKey: Bool
    /// The fingerprint whose signature verified.
    public let signer: IdentityFingerprint
    /// Key holders that are not app participants in the roster when the epoch was installed: in an
    /// `e2ee` meeting's `standard` epoch, the gateway the host let hold the key for phone callers (issue 7);
    /// empty when nobody outside the meeting can read this epoch.
    public let keyHoldersOutsideRoster: [IdentityFingerprint]
    /// Why the epoch began (`start`, `join`, `leave`, ...).
    public let reason: String
    public let securityCode: SecurityCode

    init(_ verified: VerifiedEpochManifest, localIdentity: IdentityFingerprint, roster: [PublicIdentity]) {
        let manifest = verified.manifest
        epoch = manifest.epoch
        mode = manifest.mode == .e2ee ? .e2ee : .standard
        keyHolders = manifest.keyHolders.count
        keyHolderFingerprints = manifest.keyHolders
        coHosts = manifest.coHosts
        senders = manifest.senders.count
        keyManagerHoldsKey = manifest.keyManager != localIdentity && manifest.isKeyHolder(manifest.keyManager)
        signer = verified.signer.fingerprint
        let inRoster = Set(roster.map(\.fingerprint) + [localIdentity])
        keyHoldersOutsideRoster = manifest.keyHolders.filter { !inRoster.contains($0) }
        reason = manifest.reason.rawValue
        securityCode = verified.securityCode
    }
}
