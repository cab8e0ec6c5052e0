/// What went wrong in the frame-protection core (libsodium, HKDF, SFrame).
///
/// The one error type of the `Frames` module. Each case says what it means for the call:
/// - per-frame cases (`truncatedHeader` ... `authenticationFailed`) mean "drop this frame, keep the
///   call": they are what hostile or damaged input produces, and must never end a call by themselves;
/// - `unknownKeyID` usually means the receiver has not yet installed the sender's key for a new epoch
///   (drop the frame; the key arrives with the epoch manifest);
/// - `counterExhausted` means the sender must be re-keyed (a new epoch) before it sends again;
/// - `sodiumUnavailable` / `aesGCMUnavailable` mean the participant service cannot run on this machine
///   (DESIGN.md §4: refuse to start, with this message).
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
        }
    }
}
