/// The SFrame header (RFC 9605 §4.3): a config byte, then the KID and CTR when they do not fit in it.
///
/// ```
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+------------+------------+
/// |X|  K  |Y|  C  |   KID...   |   CTR...   |
/// +-+-+-+-+-+-+-+-+------------+------------+
/// ```
/// A value 0–7 sits in K (or C) with X (or Y) clear; a larger one follows the config byte big-endian in
/// the minimum number of octets, with X (or Y) set and K (or C) holding that length minus one.
/// The decoder accepts only that minimal form, so each (KID, CTR) has exactly one header.
public struct SFrameHeader: Hashable, Sendable {
    /// Which header field a decoding error is about.
    public enum Field: String, Sendable, CustomStringConvertible {
        case keyID = "KID"
        case counter = "CTR"
        public var description: String { rawValue }
    }

    /// The longest header: config byte, 8-octet KID, 8-octet CTR.
    public static let maximumLength = 17

    /// KID: selects the key (RFC 9605 §4.4.1).
    public var keyID: UInt64
    /// CTR: the per-key frame counter the nonce is built from (RFC 9605 §4.4.3).
    public var counter: UInt64

    public init(keyID: UInt64, counter: UInt64) {
        self.keyID = keyID
        self.counter = counter
    }

    /// Octets this header takes on the wire.
    public var encodedLength: Int { 1 + Self.extendedLength(keyID) + Self.extendedLength(counter) }

    /// Appends the encoded header to `buffer` (which the caller may reuse across frames).
    public func encode(into buffer: inout [UInt8]) {
        let kidLength = Self.extendedLength(keyID)
        let ctrLength = Self.extendedLength(counter)
        let k = kidLength == 0 ? UInt8(truncatingIfNeeded: keyID) : 0x08 | UInt8(kidLength - 1)
        let c = ctrLength == 0 ? UInt8(truncatingIfNeeded: counter) : 0x08 | UInt8(ctrLength - 1)
        buffer.append(k << 4 | c)
        Self.appendBigEndian(keyID, length: kidLength, to: &buffer)
        Self.appendBigEndian(counter, length: ctrLength, to: &buffer)
    }

    /// The encoded header as a new array.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedLength)
        encode(into: &bytes)
        return bytes
    }

    /// Decodes the header at the start of `bytes`; returns it with the number of octets it took.
    /// Any input either decodes or throws a typed error (never traps).
    public static func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(FramesError) -> (header: SFrameHeader, length: Int) {
        let result =
            bytes.withContiguousStorageIfAvailable { octets in
                Result { () throws(FramesError) in try decode(UnsafeRawBufferPointer(octets)) }
            }
            ?? Array(bytes).withUnsafeBytes { octets in Result { () throws(FramesError) in try decode(octets) } }
        return try result.get()
    }

    /// Decodes the header at the start of `bytes` (the per-frame path: no generics, no allocation).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FramesError) -> (header: SFrameHeader, length: Int) {
        guard !bytes.isEmpty else { throw .truncatedHeader(needed: 1, available: 0) }
        let config = bytes[0]
        let x = config & 0x80 != 0
        let k = (config >> 4) & 0x07
        let y = config & 0x08 != 0
        let c = config & 0x07
        let kidLength = x ? Int(k) + 1 : 0
        let ctrLength = y ? Int(c) + 1 : 0
        let length = 1 + kidLength + ctrLength
        guard bytes.count >= length else { throw .truncatedHeader(needed: length, available: bytes.count) }

        let keyID = x ? try readExtended(bytes, from: 1, length: kidLength, field: .keyID) : UInt64(k)
        let counter = y ? try readExtended(bytes, from: 1 + kidLength, length: ctrLength, field: .counter) : UInt64(c)
        return (SFrameHeader(keyID: keyID, counter: counter), length)
    }

    /// Octets after the config byte for `value`: 0 when it fits in 3 bits, else its minimal big-endian size.
    static func extendedLength(_ value: UInt64) -> Int {
        value < 8 ? 0 : (64 - value.leadingZeroBitCount + 7) / 8
    }

    private static func appendBigEndian(_ value: UInt64, length: Int, to buffer: inout [UInt8]) {
        var shift = (length - 1) * 8
        while shift >= 0 {
            buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    /// Reads an extended KID/CTR and insists on the minimal encoding (RFC 9605 §4.3 "MUST be encoded
    /// with the minimum number of bytes"): no leading zero octet, and not a value 0–7.
    private static func readExtended(
        _ bytes: UnsafeRawBufferPointer, from start: Int, length: Int, field: Field
    ) throws(FramesError) -> UInt64 {
        var value: UInt64 = 0
        for index in start..<start + length { value = value << 8 | UInt64(bytes[index]) }
        guard extendedLength(value) == length else { throw .nonMinimalHeader(field: field) }
        return value
    }
}

extension SFrameHeader: CustomStringConvertible {
    public var description: String { "SFrameHeader(KID \(keyID), CTR \(counter))" }
}
