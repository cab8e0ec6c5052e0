/// What one epoch of a meeting's keys is (DESIGN.md §4): the meeting, the epoch number, the mode, who
/// manages and who holds the key, which senders have which KID, and why the epoch began. The key
/// manager signs its canonical encoding (`SignedEpochManifest`); clients verify it
/// (`EpochManifestVerifier`) before they use the epoch's secret.
///
/// A value is always valid and normalized: `init` sorts key holders by fingerprint and senders by index,
/// and refuses what breaks an invariant:
/// - meeting ID and reason: 1–64 octets of visible ASCII (no spaces), so that equal strings have
///   equal octets (Swift compares `String`s by canonical equivalence, the hash by octets);
/// - 1–`maximumKeyHolders` key holders, no duplicates, the key manager among them (it made the secret);
/// - co-hosts (DESIGN.md §4, issue 6: who may manage an `e2ee` meeting's keys while its host is away), no
///   duplicates; a co-host's own manifests repeat the host's list as it is, so a named co-host who is
///   away (not a key holder of this epoch) stays named;
/// - up to `maximumSenders` senders with distinct indices that fit a KID; a participant sender must hold
///   the key; phone senders only in `standard` epochs (a phone's audio is encrypted by the gateway);
/// - the 32-octet commitment to the epoch secret (`EpochSecret.commitment`).
///
/// Canonical encoding (version 2), integers big-endian:
/// ```
/// "dialgate epoch manifest"   23 octets, ASCII (also separates the signature from other signatures)
/// version                     1 octet  = 2
/// meeting ID                  2-octet length, octets
/// epoch                       8 octets
/// mode                        1 octet  (1 standard, 2 e2ee)
/// key manager                 32 octets (fingerprint)
/// secret commitment           32 octets
/// key holders                 2-octet count, then 32 octets each, ascending
/// co-hosts                    2-octet count, then 32 octets each, ascending
/// senders                     2-octet count, then each: index (8 octets), kind (1 octet:
///                             1 participant + 32-octet fingerprint, 2 phone), ascending by index
/// reason                      2-octet length, octets
/// ```
/// Every field is fixed-length or length-prefixed, and the decoder accepts only this form (sorted,
/// no trailing octets): each manifest has exactly one encoding, so both sides compute the same hash.
public struct EpochManifest: Hashable, Sendable {
    /// Who manages the keys (DESIGN.md §1): the gateway in `standard`, the host's client in `e2ee`.
    public enum Mode: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case standard = 1
        case e2ee = 2

        public var description: String {
            switch self {
            case .standard: "standard"
            case .e2ee: "e2ee"
            }
        }
    }

    /// One sender of the epoch: its index (the high bits of its KID) and who it is.
    public struct Sender: Hashable, Sendable {
        /// Who sends under a KID.
        public enum Source: Hashable, Sendable {
            /// An app participant, by identity fingerprint.
            case participant(IdentityFingerprint)
            /// A phone leg: the gateway encrypts its audio (`standard` epochs only).
            case phone
        }

        public let senderIndex: UInt64
        public let source: Source

        public init(senderIndex: UInt64, source: Source) {
            self.senderIndex = senderIndex
            self.source = source
        }
    }

    /// Why the epoch began, as a short token (visible ASCII, no spaces).
    public struct Reason: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }

        public static let start: Reason = "start"
        public static let join: Reason = "join"
        public static let leave: Reason = "leave"
        public static let removal: Reason = "removal"
        public static let downgrade: Reason = "downgrade"
        public static let upgrade: Reason = "upgrade"
    }

    /// The most key holders one manifest lists.
    public static let maximumKeyHolders = 1024
    /// The most senders one manifest lists.
    public static let maximumSenders = 1024
    /// The longest meeting ID or reason, in octets.
    public static let maximumTextLength = 64

    public let meetingID: String
    /// Strictly increasing within a meeting.
    public let epoch: UInt64
    public let mode: Mode
    /// The identity that made the secret and signs this manifest.
    public let keyManager: IdentityFingerprint
    /// Everyone the secret is sealed to, ascending. Includes the gateway exactly when it holds the key.
    public let keyHolders: [IdentityFingerprint]
    /// Who may sign the next epochs while the host is away (named by the host; empty in most
    /// manifests), ascending.
    public let coHosts: [IdentityFingerprint]
    /// Ascending by index.
    public let senders: [Sender]
    public let reason: Reason
    /// `EpochSecret.commitment` of this epoch's secret.
    public let secretCommitment: [UInt8]

    /// Builds a manifest (sorting holders and senders); throws `invalidManifest` when an invariant fails.
    public init(
        meetingID: String, epoch: UInt64, mode: Mode, keyManager: IdentityFingerprint, keyHolders: [IdentityFingerprint],
        coHosts: [IdentityFingerprint] = [], senders: [Sender], reason: Reason, secretCommitment: [UInt8]
    ) throws(FramesError) {
        try Self.checkText(meetingID, "meeting ID")
        try Self.checkText(reason.rawValue, "reason")
        guard secretCommitment.count == Blake2b.length else {
            throw .invalidManifest(reason: "secret commitment is \(secretCommitment.count) octets, \(Blake2b.length) expected")
        }
        let holders = keyHolders.sorted()
        guard (1...Self.maximumKeyHolders).contains(holders.count) else {
            throw .invalidManifest(reason: "\(holders.count) key holders; 1 to \(Self.maximumKeyHolders) allowed")
        }
        guard zip(holders, holders.dropFirst()).allSatisfy({ $0 != $1 }) else {
            throw .invalidManifest(reason: "a key holder is listed twice")
        }
        guard holders.contains(keyManager) else { throw .invalidManifest(reason: "the key manager is not a key holder") }
        let holderSet = Set(holders)
        let deputies = coHosts.sorted()
        guard zip(deputies, deputies.dropFirst()).allSatisfy({ $0 != $1 }) else {
            throw .invalidManifest(reason: "a co-host is listed twice")
        }
        guard deputies.count <= Self.maximumKeyHolders else {
            throw .invalidManifest(reason: "\(deputies.count) co-hosts; at most \(Self.maximumKeyHolders) allowed")
        }
        let sorted = senders.sorted { $0.senderIndex < $1.senderIndex }
        guard sorted.count <= Self.maximumSenders else {
            throw .invalidManifest(reason: "\(sorted.count) senders; at most \(Self.maximumSenders) allowed")
        }
        guard zip(sorted, sorted.dropFirst()).allSatisfy({ $0.senderIndex != $1.senderIndex }) else {
            throw .invalidManifest(reason: "a sender index is listed twice")
        }
        for sender in sorted {
            guard sender.senderIndex <= SFrameKeyID.maximumSenderIndex else { throw .senderIndexOutOfRange(sender.senderIndex) }
            switch sender.source {
            case .participant(let fingerprint):
                guard holderSet.contains(fingerprint) else {
                    throw .invalidManifest(reason: "sender \(sender.senderIndex) is not a key holder")
                }
            case .phone:
                guard mode == .standard else { throw .invalidManifest(reason: "phone sender \(sender.senderIndex) in an e2ee epoch") }
            }
        }
        self.meetingID = meetingID
        self.epoch = epoch
        self.mode = mode
        self.keyManager = keyManager
        self.keyHolders = holders
        self.coHosts = deputies
        self.senders = sorted
        self.reason = reason
        self.secretCommitment = secretCommitment
    }

    /// A manifest committing to `secret`.
    public init(
        meetingID: String, epoch: UInt64, mode: Mode, keyManager: IdentityFingerprint, keyHolders: [IdentityFingerprint],
        coHosts: [IdentityFingerprint] = [], senders: [Sender], reason: Reason, secret: EpochSecret
    ) throws(FramesError) {
        try self.init(
            meetingID: meetingID, epoch: epoch, mode: mode, keyManager: keyManager, keyHolders: keyHolders, coHosts: coHosts,
            senders: senders, reason: reason, secretCommitment: secret.commitment)
    }

    /// The KID of `sender` in this epoch.
    public func keyID(of sender: Sender) -> SFrameKeyID {
        // Index range checked in init.
        try! SFrameKeyID(senderIndex: sender.senderIndex, epoch: epoch)
    }

    /// The sender whose KID is `keyID` in this epoch, if any.
    public func sender(keyID: SFrameKeyID) -> Sender? {
        guard keyID.matches(epoch: epoch) else { return nil }
        return senders.first { $0.senderIndex == keyID.senderIndex }
    }

    /// Whether `fingerprint` is a key holder.
    public func isKeyHolder(_ fingerprint: IdentityFingerprint) -> Bool {
        keyHolders.contains(fingerprint)
    }

    /// BLAKE2b-256 of the canonical encoding.
    public var hash: ManifestHash { ManifestHash(canonicalEncoding: canonicalEncoding) }

    private static func checkText(_ text: String, _ field: String) throws(FramesError) {
        let octets = text.utf8
        guard (1...maximumTextLength).contains(octets.count), octets.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidManifest(reason: "\(field) must be 1 to \(maximumTextLength) visible ASCII characters")
        }
    }
}
