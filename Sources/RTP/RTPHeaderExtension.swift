/// The RTP header extension (RFC 3550 §5.3.1): a 16-bit profile-defined identifier and a body whose
/// length is a whole number of 32-bit words.
///
/// The body is kept as raw bytes; RFC 8285 one-byte (`0xBEDE`) and two-byte (`0x100x`) element views
/// are in `RTPHeaderExtension+Elements.swift`. Parsing from an array slices it (no copy).
public struct RTPHeaderExtension: Sendable, Hashable {
    /// RFC 3550 §5.3.1: "defined by profile", the first 16 bits of the extension.
    public var profile: UInt16
    /// The extension body, without the 4-byte extension header. Its length must be a multiple of 4.
    public var data: ArraySlice<UInt8>

    /// RFC 3550 §5.3.1: the length field counts 32-bit words, in 16 bits.
    public static let maximumDataLength = Int(UInt16.max) * 4

    public init(profile: UInt16, data: ArraySlice<UInt8>) {
        self.profile = profile
        self.data = data
    }

    public init(profile: UInt16, data: [UInt8]) {
        self.init(profile: profile, data: data[...])
    }

    /// Bytes on the wire: the 4-byte extension header plus the body.
    public var serializedSize: Int { 4 + data.count }
}
