/// The secret of one epoch (DESIGN.md §4): 32 random octets from which every sender's SFrame base key
/// is derived (`SFrameKeys.senderBaseKey`). Held in wiped memory.
///
/// The key manager commits to it in the signed manifest (`commitment`), so a key holder accepts only the
/// key manager's secret: `crypto_box_seal` is anonymous, and without the commitment anyone who has a
/// copy of the signed manifest (the relaying server) could seal a secret of its own choosing to a client
/// with the right manifest hash, and then read whatever that client sends.
/// ```
/// commitment = BLAKE2b-256(key: epoch secret, "dialgate epoch secret commitment v1")
/// ```
public final class EpochSecret: Sendable {
    /// Octets of an epoch secret.
    public static let length = 32
    static let commitmentLabel = Array("dialgate epoch secret commitment v1".utf8)

    let storage: SecretBytes

    /// A fresh secret from libsodium's CSPRNG (`randombytes_buf`).
    public static func random() throws(FramesError) -> EpochSecret {
        try Sodium.ensureInitialized()
        return EpochSecret(storage: .random(count: length))
    }

    /// A given secret (tests, and the issue-6 canary that plants a known secret). The caller wipes its copy.
    public init(bytes: [UInt8]) throws(FramesError) {
        try Sodium.ensureInitialized()
        guard bytes.count == Self.length else { throw .wrongKeyLength(expected: Self.length, actual: bytes.count) }
        storage = SecretBytes(copying: bytes)
    }

    init(storage: SecretBytes) {
        precondition(storage.count == Self.length)
        self.storage = storage
    }

    /// The commitment the signed manifest carries (see the type's documentation). Reveals nothing of the
    /// secret.
    public var commitment: [UInt8] {
        storage.withUnsafeBytes { Blake2b.hash(key: $0, [Self.commitmentLabel]) }
    }

    /// The base key of the sender with `keyID` in this epoch (RFC 9605 §5.2 style, see `SFrameKeys`).
    public func senderBaseKey(keyID: SFrameKeyID, suite: SFrameCipherSuite = .aes256GCMSHA512) throws(FramesError) -> [UInt8] {
        var secret = storage.bytes
        defer { SecretBytes.wipe(&secret) }
        return try SFrameKeys.senderBaseKey(epochSecret: secret, keyID: keyID.rawValue, suite: suite)
    }

    /// The secret's octets (sealing; tests compare them through `@testable import`).
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }
}
