import Frames
import Meetings

/// One client's keys in one meeting (DESIGN.md §4): checks every `epoch` the gateway relays against the
/// key manager it accepts, opens the secret sealed to this identity, and installs the epoch in an
/// `EpochKeyRing` (current and previous epoch, one SFrame key per sender).
///
/// Whom it accepts: in a `standard` meeting the gateway named in `welcome.keyManager`, and the host
/// when this client is the host (it knows its own key). A guest does not know the host's public keys
/// (the roster shows fingerprints only), so it accepts no `e2ee` manifest and no downgrade.
///
/// Pure (no sockets, no clocks) and owned by one actor, like the key ring it holds; not `Sendable`.
public final class MeetingKeys {
    public let identity: ParticipantIdentity
    public let meetingID: String
    /// The gateway's identity from `welcome`, when the meeting is `standard`.
    public let keyManager: PublicIdentity?
    /// The SFrame keys of the installed epochs; `ring.ownSender` protects what this client sends.
    public let ring: EpochKeyRing
    /// Verification state: the last accepted epoch and its mode.
    public private(set) var verifier: EpochManifestVerifier

    /// Keys for a client that joined `meetingID` as `role`, with the key manager `welcome` named.
    /// Throws `protocolViolation` when that identity's keys do not verify.
    public init(
        identity: ParticipantIdentity, meetingID: String, mode: MeetingMode, role: ParticipantRole, keyManager: IdentityKeys?
    ) throws(ParticipantClientError) {
        var gateway: PublicIdentity?
        if let keyManager, mode == .standard {
            do throws(FramesError) {
                gateway = try PublicIdentity(keyManager)
            } catch {
                throw .protocolViolation("the key manager's identity in welcome does not verify: \(error)")
            }
        }
        self.identity = identity
        self.meetingID = meetingID
        self.keyManager = gateway
        self.ring = EpochKeyRing(localIdentity: identity.fingerprint)
        self.verifier = EpochManifestVerifier(
            meetingID: meetingID, host: role == .host ? identity.publicIdentity : nil, gateway: gateway)
    }

    /// Keys for the client `welcome` admitted.
    public convenience init(identity: ParticipantIdentity, welcome: Welcome, role: ParticipantRole) throws(ParticipantClientError) {
        try self.init(identity: identity, meetingID: welcome.meeting, mode: welcome.mode, role: role, keyManager: welcome.keyManager)
    }

    /// Whether any epoch is installed (frames can be sent and opened).
    public var hasKeys: Bool { ring.current != nil }

    /// Verifies an `epoch` message, opens its secret and installs it. All or nothing: on error the keys
    /// and the verifier are unchanged, and the error says why (`epochRefused`).
    @discardableResult
    public func install(_ announcement: EpochAnnouncement) throws(ParticipantClientError) -> EpochInfo {
        do throws(FramesError) {
            let signed = try SignedEpochManifest(canonicalEncoding: announcement.manifest, signature: announcement.signature)
            guard signed.manifest.epoch == announcement.epoch else {
                throw FramesError.malformedEncoding(
                    .epochManifest, reason: "announced as epoch \(announcement.epoch), the manifest says \(signed.manifest.epoch)")
            }
            let verified = try verifier.verify(signed)
            let sealed = try SealedEpochSecret(encoded: announcement.sealedSecret)
            try ring.install(verified, sealed: sealed, identity: identity)
            // Verified above and installed: accepting cannot fail now, it only moves the epoch forward.
            _ = try verifier.accept(signed)
            return EpochInfo(verified, localIdentity: identity.fingerprint)
        } catch {
            throw .epochRefused(epoch: announcement.epoch, error)
        }
    }
}
