/// One participant's SFrame keys across epochs: for each verified epoch it derives every sender's key
/// (`EpochSecret.senderBaseKey` for the sender's KID) into one `SFrameReceiver`, and makes a fresh
/// `SFrameSender` (counter from 0) for each sender that is this participant: its own participant entry,
/// and, for the gateway (`sendsForPhones`), every phone leg.
///
/// It keeps the current epoch and the previous one: frames sent just before a re-key still open, while
/// this participant's own senders switch to the new epoch at once. Installing epoch N+1 drops the keys of
/// epoch N-1 and older. The previous epoch is dropped early when its KIDs would collide with the new
/// epoch's (epochs a multiple of 256 apart: `SFrameKeyID` carries 8 epoch bits).
///
/// Owned by one event loop or actor, like the sender and receiver it holds; not `Sendable`.
public final class EpochKeyRing {
    /// A frame that opened: its plaintext, who sent it, and in which epoch.
    public struct ReceivedFrame: Equatable, Sendable {
        public let plaintext: [UInt8]
        public let sender: EpochManifest.Sender
        public let epoch: UInt64
        public let keyID: SFrameKeyID
    }

    /// The identity this ring belongs to.
    public let localIdentity: IdentityFingerprint
    /// Whether this ring also sends for phone senders (the gateway in `standard` epochs).
    public let sendsForPhones: Bool
    /// The newest installed epoch.
    public private(set) var current: VerifiedEpochManifest?
    /// The epoch before it, kept for late frames (nil when dropped).
    public private(set) var previous: VerifiedEpochManifest?

    private let receiver: SFrameReceiver
    /// The current epoch's local senders, by sender index.
    private var senders: [UInt64: SFrameSender] = [:]

    public init(localIdentity: IdentityFingerprint, sendsForPhones: Bool = false, suite: SFrameCipherSuite = .aes256GCMSHA512) {
        self.localIdentity = localIdentity
        self.sendsForPhones = sendsForPhones
        self.receiver = SFrameReceiver(suite: suite)
    }

    /// Installs a verified epoch with its secret. All or nothing: on error the ring is unchanged.
    /// Throws `staleEpoch` unless the epoch is after the current one, `notAKeyHolder` when this identity
    /// is not a key holder, and `secretCommitmentMismatch` when `secret` is not the manifest's.
    public func install(_ verified: VerifiedEpochManifest, secret: EpochSecret) throws(FramesError) {
        let manifest = verified.manifest
        if let current, manifest.epoch <= current.manifest.epoch {
            throw .staleEpoch(epoch: manifest.epoch, current: current.manifest.epoch)
        }
        guard manifest.isKeyHolder(localIdentity) else { throw .notAKeyHolder(epoch: manifest.epoch) }
        guard secret.commitment == manifest.secretCommitment else { throw .secretCommitmentMismatch(epoch: manifest.epoch) }
        guard Sodium.hasHardwareAESGCM else { throw .aesGCMUnavailable }

        var keys: [SFrameKeys] = []
        var newSenders: [UInt64: SFrameSender] = [:]
        for sender in manifest.senders {
            let keyID = manifest.keyID(of: sender)
            var baseKey = try secret.senderBaseKey(keyID: keyID, suite: receiver.suite)
            defer { SecretBytes.wipe(&baseKey) }
            let senderKeys = try SFrameKeys(baseKey: baseKey, keyID: keyID.rawValue, suite: receiver.suite)
            keys.append(senderKeys)
            if isLocal(sender) { newSenders[sender.senderIndex] = try SFrameSender(keys: senderKeys) }
        }

        // Past this point nothing fails: the new KIDs are free once the colliding epochs are gone.
        if let previous { removeKeys(of: previous.manifest) }
        previous = nil
        if let current {
            if SFrameKeyID.matchesEpochBits(current.manifest.epoch, manifest.epoch) {
                removeKeys(of: current.manifest)
            } else {
                previous = current
            }
        }
        for senderKeys in keys { try receiver.addKey(senderKeys) }
        current = verified
        senders = newSenders
    }

    /// Opens `sealed` with `identity` for `verified`, then installs the epoch.
    public func install(_ verified: VerifiedEpochManifest, sealed: SealedEpochSecret, identity: ParticipantIdentity) throws(FramesError) {
        try install(verified, secret: sealed.open(with: identity, for: verified))
    }

    /// This participant's own sender in the current epoch (its participant entry), if it is a sender.
    public var ownSender: SFrameSender? {
        guard let manifest = current?.manifest else { return nil }
        return manifest.senders.first { $0.source == .participant(localIdentity) }.flatMap { senders[$0.senderIndex] }
    }

    /// The current epoch's local sender with `senderIndex` (own entry, or a phone leg when `sendsForPhones`).
    public func sender(senderIndex: UInt64) -> SFrameSender? { senders[senderIndex] }

    /// The KIDs that have a key, over the epochs kept.
    public var installedKeyIDs: [SFrameKeyID] { receiver.keyIDs.map(SFrameKeyID.init(rawValue:)) }

    /// A frame that opened into the caller's buffer (`unprotect(_:metadata:into:)`): who sent it, and in
    /// which epoch.
    public struct OpenedFrame: Equatable, Sendable {
        public let sender: EpochManifest.Sender
        public let epoch: UInt64
        public let keyID: SFrameKeyID
    }

    /// Opens a frame from any sender of the current or previous epoch.
    public func unprotect(_ frame: [UInt8], metadata: [UInt8] = []) throws(FramesError) -> ReceivedFrame {
        var plaintext: [UInt8] = []
        let opened = try unprotect(frame, metadata: metadata, into: &plaintext)
        return ReceivedFrame(plaintext: plaintext, sender: opened.sender, epoch: opened.epoch, keyID: opened.keyID)
    }

    /// Opens a frame from any sender of the current or previous epoch and appends its plaintext to
    /// `plaintext`, which may be reused across frames: once it has grown, opening allocates nothing (the
    /// media path). On any error `plaintext` is left as it was.
    public func unprotect(_ frame: [UInt8], metadata: [UInt8] = [], into plaintext: inout [UInt8]) throws(FramesError) -> OpenedFrame {
        let start = plaintext.count
        let header = try receiver.unprotect(frame, metadata: metadata, into: &plaintext)
        let keyID = SFrameKeyID(rawValue: header.keyID)
        // The current epoch, then the previous one (no array of the two: this runs per frame).
        if let manifest = current?.manifest, let sender = manifest.sender(keyID: keyID) {
            return OpenedFrame(sender: sender, epoch: manifest.epoch, keyID: keyID)
        }
        if let manifest = previous?.manifest, let sender = manifest.sender(keyID: keyID) {
            return OpenedFrame(sender: sender, epoch: manifest.epoch, keyID: keyID)
        }
        // Unreachable: the receiver holds keys only for the senders of the kept epochs.
        plaintext.removeSubrange(start...)
        throw .unknownKeyID(header.keyID)
    }

    private func isLocal(_ sender: EpochManifest.Sender) -> Bool {
        switch sender.source {
        case .participant(let fingerprint): fingerprint == localIdentity
        case .phone: sendsForPhones
        }
    }

    private func removeKeys(of manifest: EpochManifest) {
        for sender in manifest.senders { receiver.removeKey(keyID: manifest.keyID(of: sender).rawValue) }
    }
}

extension SFrameKeyID {
    /// Whether two epochs put the same bits into KIDs.
    static func matchesEpochBits(_ a: UInt64, _ b: UInt64) -> Bool {
        UInt8(truncatingIfNeeded: a) == UInt8(truncatingIfNeeded: b)
    }
}
