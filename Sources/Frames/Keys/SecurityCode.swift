/// The short code every participant shows for an epoch, so people can compare it aloud (DESIGN.md §4):
/// if everyone reads the same code, everyone has the same manifest, hence the same key holders (whose
/// fingerprints cover their keys), mode and key manager.
///
/// Six groups of five decimal digits (`"05815 98241 30012 77164 42907 18833"`), after Signal's safety
/// numbers: 30 digits, about 99.7 bits.
/// ```
/// digest  = BLAKE2b-256("dialgate security code v1" || manifest hash)
/// group i = big-endian integer of digest[5i ..< 5i+5] (40 bits) mod 100000, zero-padded to 5 digits
/// ```
/// (2^40 is not a multiple of 100000; the bias is below 10^-7 per group.) It changes with every epoch,
/// as Zoom's does when someone joins or leaves.
public struct SecurityCode: Hashable, Sendable, CustomStringConvertible {
    /// Groups in a code.
    public static let groupCount = 6
    /// Digits in a group.
    public static let digitsPerGroup = 5
    static let label = Array("dialgate security code v1".utf8)

    /// The groups, each `digitsPerGroup` digits.
    public let groups: [String]

    /// The code of the manifest with this hash.
    public init(manifestHash: ManifestHash) {
        let digest = Blake2b.hash(Self.label, manifestHash.bytes)
        groups = (0..<Self.groupCount).map { group in
            let value = digest[5 * group..<5 * group + 5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 100_000
            let digits = String(value)
            return String(repeating: "0", count: Self.digitsPerGroup - digits.count) + digits
        }
    }

    /// The groups separated by spaces.
    public var description: String { groups.joined(separator: " ") }
}
