/// The AEAD key and salt of one KID (RFC 9605 §4.4.2), and dialgate's per-sender base keys.
///
/// RFC 9605 §4.4.2, with the suite's hash (SHA-512 for AES_256_GCM_SHA512_128):
/// ```
/// sframe_secret = HKDF-Extract("", base_key)
/// sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || KID || suite, Nk)
/// sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || KID || suite, Nn)
/// ```
/// with KID as 8 octets and the suite as 2 octets, both big-endian.
public struct SFrameKeys: Sendable {
    /// The shortest base key accepted: 128 bits (RFC 9605 Appendix C.3 uses 16 octets).
    public static let minimumBaseKeyLength = 16
    /// The shortest epoch secret accepted: DESIGN.md §4 epoch secrets are 32 random octets.
    public static let minimumEpochSecretLength = 32

    /// The cipher suite these keys are for.
    public let suite: SFrameCipherSuite
    /// The KID these keys belong to (it is part of the derivation).
    public let keyID: UInt64
    /// sframe_key: the AEAD key (Nk octets).
    public let key: [UInt8]
    /// sframe_salt: XORed with the counter to form the nonce (Nn octets).
    public let salt: [UInt8]

    /// Derives sframe_key and sframe_salt for `keyID` from `baseKey` (RFC 9605 §4.4.2).
    public init(baseKey: [UInt8], keyID: UInt64, suite: SFrameCipherSuite = .aes256GCMSHA512) throws(FramesError) {
        guard baseKey.count >= Self.minimumBaseKeyLength else {
            throw .keyTooShort(minimum: Self.minimumBaseKeyLength, actual: baseKey.count)
        }
        let secret = try HKDFSHA512.extract(salt: [], inputKeyMaterial: baseKey)
        self.suite = suite
        self.keyID = keyID
        self.key = try HKDFSHA512.expand(
            pseudoRandomKey: secret, info: Self.label("SFrame 1.0 Secret key ", keyID: keyID, suite: suite), length: suite.keyLength)
        self.salt = try HKDFSHA512.expand(
            pseudoRandomKey: secret, info: Self.label("SFrame 1.0 Secret salt ", keyID: keyID, suite: suite),
            length: suite.nonceLength)
    }

    /// The base key of one sender (one KID) in one epoch: the single construction the gateway and every
    /// client use (DESIGN.md §4, after RFC 9605 §5.2).
    ///
    /// ```
    /// epoch_prk = HKDF-Extract("", epoch_secret)
    /// base_key  = HKDF-Expand(epoch_prk, "dialgate SFrame 1.0 sender base key " || KID || suite, Nk)
    /// ```
    /// KID is 8 octets and the suite 2 octets, big-endian, as in the RFC 9605 §4.4.2 labels; the hash is
    /// the suite's (SHA-512); Nk is the suite's key length (32), as RFC 9605 §5.2 sizes its MLS base key.
    ///
    /// Why this shape: RFC 9605 §5.2 exports one base key per MLS epoch and relies on the KID in the
    /// §4.4.2 labels to separate senders. dialgate has no MLS exporter; the epoch secret (32 random
    /// octets sealed to each key holder) takes its place. Deriving a distinct base key per KID as well
    /// keeps two senders apart even if a KID were ever reused across epochs with the same secret, and
    /// the "dialgate" label prefix keeps this step apart from the RFC's own labels. The epoch number
    /// is not an input: each epoch has a fresh random secret. Each sender has its own KID and runs its
    /// own counter from 0, so no (key, nonce) pair is ever used twice (RFC 9605 §9.1).
    public static func senderBaseKey(
        epochSecret: [UInt8], keyID: UInt64, suite: SFrameCipherSuite = .aes256GCMSHA512
    ) throws(FramesError) -> [UInt8] {
        guard epochSecret.count >= minimumEpochSecretLength else {
            throw .keyTooShort(minimum: minimumEpochSecretLength, actual: epochSecret.count)
        }
        let prk = try HKDFSHA512.extract(salt: [], inputKeyMaterial: epochSecret)
        return try HKDFSHA512.expand(
            pseudoRandomKey: prk, info: label("dialgate SFrame 1.0 sender base key ", keyID: keyID, suite: suite),
            length: suite.keyLength)
    }

    /// `prefix || KID (8 octets, big-endian) || suite (2 octets, big-endian)`.
    static func label(_ prefix: String, keyID: UInt64, suite: SFrameCipherSuite) -> [UInt8] {
        var label = Array(prefix.utf8)
        label.reserveCapacity(label.count + 10)
        for shift in stride(from: 56, through: 0, by: -8) { label.append(UInt8(truncatingIfNeeded: keyID >> UInt64(shift))) }
        label.append(UInt8(suite.rawValue >> 8))
        label.append(UInt8(truncatingIfNeeded: suite.rawValue))
        return label
    }
}
