/// The fingerprint of a participant identity: what people compare and what manifests list.
///
/// ```
/// fingerprint = BLAKE2b-256("dialgate fingerprint v1" || Ed25519 public key || X25519 public key)
/// ```
/// Both keys are 32 octets, so the input is unambiguous; it covers the signing key and the agreement key
/// (DESIGN.md §4: "a fingerprint covers both").
///
/// Shown as 64 lowercase hex digits in 16 groups of 4, separated by spaces
/// (`"3f2a 9c01 … 7be4"`): all 256 bits, so two fingerprints that look the same are the same. Parsing
/// (`init(parsing:)`) accepts upper or lower case with any spaces, so a pasted or typed value works.
public struct IdentityFingerprint: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Octets in a fingerprint.
    public static let length = 32
    static let label = Array("dialgate fingerprint v1".utf8)

    /// The 32 octets.
    public let bytes: [UInt8]

    /// A fingerprint from its 32 octets.
    public init(bytes: [UInt8]) throws(FramesError) {
        guard bytes.count == Self.length else { throw .wrongKeyLength(expected: Self.length, actual: bytes.count) }
        self.bytes = bytes
    }

    init(uncheckedBytes bytes: [UInt8]) {
        precondition(bytes.count == Self.length)
        self.bytes = bytes
    }

    /// Parses the display form, or the 64 hex digits without spaces.
    public init(parsing text: String) throws(FramesError) {
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars where scalar != " " {
            switch scalar.value {
            case 0x30...0x39: digits.append(UInt8(scalar.value - 0x30))
            case 0x41...0x46: digits.append(UInt8(scalar.value - 0x41 + 10))
            case 0x61...0x66: digits.append(UInt8(scalar.value - 0x61 + 10))
            default: throw .malformedEncoding(.fingerprint, reason: "'\(scalar.escaped(asASCII: true))' is not a hex digit")
            }
        }
        guard digits.count == 2 * Self.length else {
            throw .malformedEncoding(.fingerprint, reason: "\(digits.count) hex digits, \(2 * Self.length) expected")
        }
        self.bytes = stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// The fingerprint of an Ed25519 and an X25519 public key.
    static func of(signingKey: [UInt8], agreementKey: [UInt8]) -> IdentityFingerprint {
        IdentityFingerprint(uncheckedBytes: Blake2b.hash(label, signingKey, agreementKey))
    }

    /// 64 lowercase hex digits, no spaces.
    public var hex: String { bytes.map { hexByte($0) }.joined() }

    /// 16 groups of 4 hex digits separated by spaces.
    public var description: String {
        stride(from: 0, to: bytes.count, by: 2).map { hexByte(bytes[$0]) + hexByte(bytes[$0 + 1]) }.joined(separator: " ")
    }

    public static func < (lhs: IdentityFingerprint, rhs: IdentityFingerprint) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
}
