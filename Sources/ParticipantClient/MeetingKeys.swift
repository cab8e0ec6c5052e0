import Frames
import Meetings

/// One client's keys in one meeting (DESIGN.md §4): checks every `epoch` the gateway relays against the
/// key managers it accepts, opens the secret sealed to this identity, and installs the epoch in an
/// `EpochKeyRing` (current and previous epoch, one SFrame key per sender). In an `e2ee` meeting the host's
/// client (or a co-host the host named, while the host is away) is the key manager: `makeEpoch` makes
/// the next epoch, installs it here and returns the `rekey` the gateway relays.
///
/// Whom it accepts:
/// - `standard`: the gateway named in `welcome.keyManager`, and the host when this client is the host;
/// - `e2ee`: the host, whose identity is ours when we are the host and otherwise the one `welcome`
///   names (checked against `expectedHost` when the person was given the host's fingerprint), and the
///   co-hosts the host's newest manifest names (`welcome.delegation` for a late joiner).
///
/// Pure (no sockets, no clocks) and owned by one actor, like the key ring it holds; not `Sendable`.
public final class MeetingKeys {
    public let identity: ParticipantIdentity
    public let meetingID: String
    public let mode: MeetingMode
    /// The gateway's identity from `welcome`, when the meeting is `standard`.
    public let keyManager: PublicIdentity?
    /// The meeting's host identity as this client knows it (`e2ee`; nil for a guest of a `standard` meeting,
    /// and for a guest who joined before the gateway had seen the host, until the host arrives).
    public private(set) var host: PublicIdentity?
    /// The SFrame keys of the installed epochs; `ring.ownSender` protects what this client sends.
    public let ring: EpochKeyRing
    /// Verification state: the last accepted epoch, its mode, and the co-hosts the host named.
    public private(set) var verifier: EpochManifestVerifier
    /// The newest epoch number seen anywhere (ours, relayed, or `welcome.epoch`): a new epoch goes above it.
    public private(set) var newestEpoch: UInt64

    private let makeSecret: @Sendable (UInt64) throws(FramesError) -> EpochSecret
    private let expectedHost: IdentityFingerprint?

    /// Keys for a client `welcome` admitted as `role`. `expectedHost` is the host fingerprint the person
    /// was given (e.g. in the invitation); `makeSecret` makes each epoch's secret when this client manages
    /// the keys (random unless a test must recognise it). Throws `protocolViolation` when the key
    /// manager's identity does not verify, or the host is not the one expected.
    public init(
        identity: ParticipantIdentity, welcome: Welcome, role: ParticipantRole, expectedHost: IdentityFingerprint? = nil,
        makeSecret: @escaping @Sendable (UInt64) throws(FramesError) -> EpochSecret = { _ throws(FramesError) in
            try EpochSecret.random()
        }
    ) throws(ParticipantClientError) {
        var named: PublicIdentity?
        if let keys = welcome.keyManager {
            do throws(FramesError) {
                named = try PublicIdentity(keys)
            } catch {
                throw .protocolViolation("the key manager's identity in welcome does not verify: \(error)")
            }
        }
        let host: PublicIdentity?
        switch (welcome.mode, role) {
        case (.standard, .host), (.e2ee, .host):
            host = identity.publicIdentity
            if welcome.mode == .e2ee, let named, named.fingerprint != identity.fingerprint {
                throw .protocolViolation("welcome names \(named.fingerprint) as the host, but we are the host")
            }
        case (.standard, .guest):
            host = nil
        case (.e2ee, .guest):
            host = named
        }
        if let expectedHost, welcome.mode == .e2ee, let host, host.fingerprint != expectedHost {
            throw .protocolViolation("the gateway names \(host.fingerprint) as the host, not the expected \(expectedHost)")
        }
        self.expectedHost = expectedHost
        self.identity = identity
        self.meetingID = welcome.meeting
        self.mode = welcome.mode
        self.keyManager = welcome.mode == .standard ? named : nil
        self.host = host
        self.ring = EpochKeyRing(localIdentity: identity.fingerprint)
        self.verifier = EpochManifestVerifier(meetingID: welcome.meeting, host: host, gateway: self.keyManager)
        self.newestEpoch = welcome.epoch ?? 0
        self.makeSecret = makeSecret
        if welcome.mode == .e2ee, role == .guest, let delegation = welcome.delegation {
            do throws(FramesError) {
                try verifier.adoptDelegation(SignedEpochManifest(canonicalEncoding: delegation.manifest, signature: delegation.signature))
            } catch {
                throw .protocolViolation("welcome's delegation does not verify: \(error)")
            }
        }
    }

    /// A guest of an `e2ee` meeting who joined before the gateway had seen the host learns the host's
    /// identity when the host joins (the roster entry with `role` host), trusted as `welcome`'s would
    /// have been and checked against `expectedHost`. Nothing changes once a host is known.
    public func learnHost(from participant: Participant) throws(ParticipantClientError) {
        guard mode == .e2ee, host == nil, participant.role == .host, let keys = participant.identity else { return }
        let identity: PublicIdentity
        do throws(FramesError) { identity = try PublicIdentity(keys) } catch {
            throw .protocolViolation("the host's identity in the roster does not verify: \(error)")
        }
        if let expectedHost, identity.fingerprint != expectedHost {
            throw .protocolViolation("the gateway names \(identity.fingerprint) as the host, not the expected \(expectedHost)")
        }
        host = identity
        verifier = EpochManifestVerifier(
            meetingID: meetingID, host: identity, gateway: keyManager, currentEpoch: verifier.currentEpoch,
            currentMode: verifier.currentMode)
    }

    /// Whether any epoch is installed (frames can be sent and opened).
    public var hasKeys: Bool { ring.current != nil }

    /// Whether this client is the host (by identity).
    public var isHost: Bool { host?.fingerprint == identity.fingerprint }

    /// Verifies an `epoch` message, opens its secret and installs it. All or nothing: on error the keys
    /// and the verifier are unchanged, and the error says why (`epochRefused`). `participants` are the
    /// identities in the roster (a co-host's signature is checked against its identity).
    @discardableResult
    public func install(_ announcement: EpochAnnouncement, participants: [PublicIdentity] = []) throws(ParticipantClientError)
        -> EpochInfo
    {
        do throws(FramesError) {
            let signed = try SignedEpochManifest(canonicalEncoding: announcement.manifest, signature: announcement.signature)
            guard signed.manifest.epoch == announcement.epoch else {
                throw FramesError.malformedEncoding(
                    .epochManifest, reason: "announced as epoch \(announcement.epoch), the manifest says \(signed.manifest.epoch)")
            }
            let verified = try verifier.verify(signed, participants: participants)
            let sealed = try SealedEpochSecret(encoded: announcement.sealedSecret)
            try ring.install(verified, sealed: sealed, identity: identity)
            // Verified above and installed: accepting cannot fail now, it only moves the epoch forward.
            _ = try verifier.accept(signed, participants: participants)
            newestEpoch = max(newestEpoch, announcement.epoch)
            return EpochInfo(verified, localIdentity: identity.fingerprint, roster: participants)
        } catch {
            throw .epochRefused(epoch: announcement.epoch, error)
        }
    }

    /// Whether this client manages the keys now (`e2ee` only): the host does whenever it is here; while
    /// the host is away, the first co-host in the roster (join order) that the host named does.
    /// `present` is the roster, in join order.
    public func managesKeys(present: [Participant]) -> Bool {
        guard mode == .e2ee else { return false }
        if isHost { return true }
        let identities = present.compactMap(\.verifiedIdentity)
        guard let host, !identities.contains(where: { $0.fingerprint == host.fingerprint }) else { return false }
        return identities.first { verifier.coHosts.contains($0.fingerprint) }?.fingerprint == identity.fingerprint
    }

    /// As the key manager of an `e2ee` meeting: a new epoch for everyone in `present` (app participants
    /// whose identity verifies; phones cannot be in an `e2ee` epoch), a fresh secret sealed to each, our
    /// own manifest installed here. The host names `coHosts` (fingerprints of participants present); a
    /// co-host keeps the host's list, as clients require. Returns the `rekey` for the gateway.
    ///
    /// `downgradedFor`: the host's consent to a downgrade (issue 7). The epoch is `standard`, the gateway
    /// is a key holder (its copy of the secret is `rekey.gatewaySealedSecret`) and every phone leg here
    /// is a sender, so the gateway can mix for the phones; everyone can see from the signed manifest
    /// that the gateway held this epoch's key.
    public func makeEpoch(
        present: [Participant], reason: EpochManifest.Reason, coHosts: [IdentityFingerprint] = [],
        downgradedFor gateway: PublicIdentity? = nil
    ) throws(ParticipantClientError) -> (Rekey, EpochInfo) {
        guard mode == .e2ee else { throw .misuse("the gateway manages the keys of a standard meeting") }
        if gateway != nil, !isHost { throw .misuse("only the host consents to the gateway holding the key") }
        var members: [(participant: Participant, identity: PublicIdentity)] = []
        for participant in present where participant.kind == .app {
            guard let identity = participant.verifiedIdentity else { continue }
            if members.contains(where: { $0.identity.fingerprint == identity.fingerprint }) { continue }
            members.append((participant, identity))
        }
        if !members.contains(where: { $0.identity.fingerprint == identity.fingerprint }) {
            throw .misuse("we are not in the roster we were given")
        }
        let holders = members.map(\.identity.fingerprint) + (gateway.map { [$0.fingerprint] } ?? [])
        let phones = gateway == nil ? [] : present.filter { $0.kind == .phone }
        // The host names co-hosts among those here; a co-host repeats the host's list as it is.
        let deputies = isHost ? coHosts.filter { $0 != gateway?.fingerprint && holders.contains($0) } : verifier.coHosts
        let epoch = max(newestEpoch, verifier.currentEpoch ?? 0) + 1
        do throws(FramesError) {
            let secret = try makeSecret(epoch)
            let manifest = try EpochManifest(
                meetingID: meetingID, epoch: epoch, mode: gateway == nil ? .e2ee : .standard, keyManager: identity.fingerprint,
                keyHolders: holders, coHosts: deputies,
                senders: members.map {
                    EpochManifest.Sender(
                        senderIndex: UInt64($0.participant.senderIndex.rawValue), source: .participant($0.identity.fingerprint))
                } + phones.map { EpochManifest.Sender(senderIndex: UInt64($0.senderIndex.rawValue), source: .phone) },
                reason: reason, secret: secret)
            let signed = try SignedEpochManifest(signing: manifest, as: identity)
            var deliveries: [Rekey.Delivery] = []
            for member in members where member.identity.fingerprint != identity.fingerprint {
                let sealed = try SealedEpochSecret(sealing: secret, for: signed, to: member.identity)
                deliveries.append(Rekey.Delivery(participant: member.participant.id, sealedSecret: sealed.encoded))
            }
            // Our own epoch goes through the same verifier as anyone's, so a co-host that is no longer
            // allowed to sign finds out here rather than from every other client.
            let verified = try verifier.verify(signed, participants: members.map(\.identity))
            try ring.install(verified, secret: secret)
            _ = try verifier.accept(signed, participants: members.map(\.identity))
            newestEpoch = epoch
            var gatewaySealed: [UInt8]?
            if let gateway { gatewaySealed = try SealedEpochSecret(sealing: secret, for: signed, to: gateway).encoded }
            let rekey = Rekey(
                epoch: epoch, manifest: signed.canonicalEncoding, signature: signed.signature, sealed: deliveries,
                gatewaySealedSecret: gatewaySealed)
            return (rekey, EpochInfo(verified, localIdentity: identity.fingerprint, roster: members.map(\.identity)))
        } catch {
            throw .epochRefused(epoch: epoch, error)
        }
    }
}

extension Participant {
    /// The roster entry's public identity, when it has one whose agreement key's signature verifies
    /// (phones have none; a broken one counts as none).
    var verifiedIdentity: PublicIdentity? { identity.flatMap { try? PublicIdentity($0) } }
}
