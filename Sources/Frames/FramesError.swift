/// What went wrong in the frame-protection core (libsodium, HKDF, SFrame).
///
/// The one error type of the `Frames` module. Each case says what it means for the call:
/// - per-frame cases (`truncatedHeader` ... `authenticationFailed`) mean "drop this frame, keep the
///   call": they are what hostile or damaged input produces, and must never end a call by themselves;
/// - `unknownKeyID` usually means the receiver has not yet installed the sender's key for a new epoch
///   (drop the frame; the key arrives with the epoch manifest);
/// - `counterExhausted` means the sender must be re-keyed (a new epoch) before it sends again;
/// - `sodiumUnavailable` / `aesGCMUnavailable` mean the participant service cannot run on this machine
///   (DESIGN.md §4: refuse to start, with this message);
/// - key-management cases (`malformedEncoding` ... `notAKeyHolder`) mean "refuse this identity, manifest or
///   sealed secret, keep the keys you have, and show the reason": a client never moves to an epoch it
///   could not verify, and these are what a forging or replaying server produces (issue 6 tamper tests).
public enum FramesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `sodium_init()` failed.
    case sodiumUnavailable
    /// libsodium's AES-256-GCM needs AES-NI and CLMUL, which this CPU lacks.
    case aesGCMUnavailable
    /// A key or secret is shorter than the construction accepts.
    case keyTooShort(minimum: Int, actual: Int)
    /// HKDF-Expand was asked for more than 255 × HashLen octets (RFC 5869 §2.3).
    case hkdfOutputTooLong(requested: Int, maximum: Int)
    /// The frame ends inside the SFrame header (RFC 9605 §4.3): `needed` octets, `available` present.
    case truncatedHeader(needed: Int, available: Int)
    /// A KID or CTR was carried in more octets than needed, or in the extended form although it fits in
    /// the config byte; RFC 9605 §4.3 says the value MUST use the minimum encoding.
    case nonMinimalHeader(field: SFrameHeader.Field)
    /// The frame is too short to hold the header and the AEAD tag.
    case truncatedFrame(length: Int, minimum: Int)
    /// No key is installed for this KID.
    case unknownKeyID(UInt64)
    /// A key is already installed for this KID; remove it first (re-installing would reset the replay window).
    case duplicateKeyID(UInt64)
    /// This (KID, CTR) was already accepted: a replayed frame.
    case replayedFrame(keyID: UInt64, counter: UInt64)
    /// The counter is older than the replay window can tell apart (`newest` is the highest accepted).
    case counterTooOld(keyID: UInt64, counter: UInt64, newest: UInt64)
    /// The AEAD tag did not verify: wrong key, or the header, metadata or ciphertext was altered.
    case authenticationFailed(keyID: UInt64, counter: UInt64)
    /// The sender has used every counter value for this key (RFC 9605 §9.1: never reuse a (KID, CTR)).
    case counterExhausted(keyID: UInt64)

    /// Which key-management encoding a decoding error is about.
    public enum Encoding: String, Sendable, CustomStringConvertible {
        case publicIdentity = "public identity"
        case fingerprint = "identity fingerprint"
        case epochManifest = "epoch manifest"
        case signedEpochManifest = "signed epoch manifest"
        case sealedEpochSecret = "sealed epoch secret"
        public var description: String { rawValue }
    }

    /// The bytes are not a valid encoding of `encoding` (truncated, wrong magic or version, trailing
    /// octets, a field out of range, or not the canonical form).
    case malformedEncoding(Encoding, reason: String)
    /// A key, signature or secret has the wrong fixed length.
    case wrongKeyLength(expected: Int, actual: Int)
    /// The identity's X25519 key is not signed by its Ed25519 key: the identity is forged or altered.
    case badIdentitySignature
    /// A manifest's fields break an invariant (duplicate holder or sender, a sender who holds no key, a
    /// phone sender in an `e2ee` epoch, text that is not printable ASCII, a list that is too long).
    case invalidManifest(reason: String)
    /// A sender index does not fit beside the epoch bits of the KID.
    case senderIndexOutOfRange(UInt64)
    /// The manifest's Ed25519 signature does not verify under the key it names as its key manager.
    case badManifestSignature
    /// The manifest names (and is signed by) a key manager this client does not accept for it.
    case unexpectedManifestSigner(signer: IdentityFingerprint, expected: [IdentityFingerprint])
    /// The manifest's epoch is not greater than the current one: stale or replayed.
    case staleEpoch(epoch: UInt64, current: UInt64)
    /// The manifest is for another meeting.
    case wrongMeeting(expected: String, actual: String)
    /// An `e2ee` manifest lists the gateway as a key holder: the meeting would not be end-to-end encrypted.
    case gatewayHoldsE2EEKey(epoch: UInt64)
    /// A co-host's manifest names other co-hosts than the host's: only the host names co-hosts.
    case coHostChangedCoHosts(epoch: UInt64)
    /// crypto_box_seal failed (the recipient's X25519 key is unusable, e.g. a low-order point).
    case sealingFailed
    /// The sealed secret does not open with this identity's key: sealed to someone else, or altered.
    case sealedSecretUnopenable
    /// The sealed secret opened, but it was sealed for another manifest (a replayed or swapped secret).
    case manifestHashMismatch
    /// The epoch secret does not match the commitment in the signed manifest: not the key manager's secret.
    case secretCommitmentMismatch(epoch: UInt64)
    /// This identity is not among the manifest's key holders.
    case notAKeyHolder(epoch: UInt64)

    public var description: String {
        switch self {
        case .sodiumUnavailable:
            "libsodium could not be initialised (sodium_init failed)"
        case .aesGCMUnavailable:
            "AES-256-GCM is not available: libsodium needs a CPU with AES-NI and CLMUL for SFrame's cipher suite"
        case .keyTooShort(let minimum, let actual):
            "key is \(actual) octets; at least \(minimum) are required"
        case .hkdfOutputTooLong(let requested, let maximum):
            "HKDF-Expand cannot produce \(requested) octets (at most \(maximum), RFC 5869 §2.3)"
        case .truncatedHeader(let needed, let available):
            "SFrame header truncated: needs \(needed) octets, frame has \(available)"
        case .nonMinimalHeader(let field):
            "SFrame header \(field) is not minimally encoded (RFC 9605 §4.3)"
        case .truncatedFrame(let length, let minimum):
            "SFrame frame of \(length) octets is shorter than header plus tag (\(minimum) octets)"
        case .unknownKeyID(let keyID):
            "no SFrame key for KID \(keyID)"
        case .duplicateKeyID(let keyID):
            "an SFrame key for KID \(keyID) is already installed"
        case .replayedFrame(let keyID, let counter):
            "replayed SFrame frame: KID \(keyID) CTR \(counter) was already received"
        case .counterTooOld(let keyID, let counter, let newest):
            "SFrame frame too old: KID \(keyID) CTR \(counter) is outside the replay window (newest \(newest))"
        case .authenticationFailed(let keyID, let counter):
            "SFrame frame failed authentication (KID \(keyID) CTR \(counter)): altered, or the wrong key"
        case .counterExhausted(let keyID):
            "SFrame counter exhausted for KID \(keyID): the sender must be re-keyed"
        case .malformedEncoding(let encoding, let reason):
            "malformed \(encoding): \(reason)"
        case .wrongKeyLength(let expected, let actual):
            "key is \(actual) octets; exactly \(expected) are required"
        case .badIdentitySignature:
            "identity refused: its X25519 key is not signed by its Ed25519 key"
        case .invalidManifest(let reason):
            "epoch manifest refused: \(reason)"
        case .senderIndexOutOfRange(let index):
            "sender index \(index) does not fit in a KID beside 8 epoch bits"
        case .badManifestSignature:
            "epoch manifest refused: bad signature"
        case .unexpectedManifestSigner(let signer, let expected) where expected.isEmpty:
            "epoch manifest refused: signed by \(signer), and no key manager is accepted for it (the host's identity is unknown)"
        case .unexpectedManifestSigner(let signer, let expected):
            "epoch manifest refused: signed by \(signer), expected \(expected.map(\.description).joined(separator: " or "))"
        case .staleEpoch(let epoch, let current):
            "epoch manifest refused: epoch \(epoch) is not after the current epoch \(current)"
        case .wrongMeeting(let expected, let actual):
            "epoch manifest refused: it is for meeting \(actual), not \(expected)"
        case .gatewayHoldsE2EEKey(let epoch):
            "epoch manifest refused: e2ee epoch \(epoch) lists the gateway as a key holder"
        case .coHostChangedCoHosts(let epoch):
            "epoch manifest refused: co-host's epoch \(epoch) names other co-hosts than the host named"
        case .sealingFailed:
            "could not seal the epoch secret to the recipient's X25519 key"
        case .sealedSecretUnopenable:
            "sealed epoch secret does not open with this identity: sealed to someone else, or altered"
        case .manifestHashMismatch:
            "sealed epoch secret refused: it was sealed for another manifest"
        case .secretCommitmentMismatch(let epoch):
            "epoch secret refused: it does not match the commitment signed in the manifest of epoch \(epoch)"
        case .notAKeyHolder(let epoch):
            "this identity is not a key holder of epoch \(epoch)"
        }
    }
}
