/// BLAKE2b-256 of an epoch manifest's canonical encoding: what sealed secrets are bound to and what the
/// security code is derived from.
public struct ManifestHash: Hashable, Sendable, CustomStringConvertible {
    /// Octets of the hash.
    public static let length = 32

    /// The 32 octets.
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.length)
        self.bytes = bytes
    }

    /// The hash of `canonicalEncoding` (no label: the encoding begins with its own).
    init(canonicalEncoding: [UInt8]) {
        self.init(bytes: Blake2b.hash(canonicalEncoding))
    }

    /// 64 lowercase hex digits.
    public var description: String { bytes.map { hexByte($0) }.joined() }
}
