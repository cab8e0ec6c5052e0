/// Where the parts of an RTP datagram lie, found without copying anything.
///
/// `RTPPacket(parsing:)` builds on this; an adapter that only needs the header and the payload's
/// offsets in its own receive buffer can use it directly. The header's `headerExtension` is left nil:
/// its body is at `extensionDataRange`.
public struct RTPPacketLayout: Sendable, Hashable {
    public var header: RTPHeader
    /// The extension's "defined by profile" field, meaningful when `extensionDataRange` is not nil.
    public var extensionProfile: UInt16
    /// Offsets of the extension body (after its 4-byte header), if the X bit is set.
    public var extensionDataRange: Range<Int>?
    /// Offsets of the payload, padding excluded.
    public var payloadRange: Range<Int>
    /// RFC 3550 §5.1: padding octets including the count octet; 0 when the P bit is clear.
    public var paddingLength: UInt8

    /// Validates and locates the parts of an RTP packet (RFC 3550 §5.1, §5.3.1, A.1 header checks).
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTPError) {
        let count = bytes.count
        guard count >= RTPHeader.fixedSize else {
            throw .truncated(what: "RTP fixed header", needed: RTPHeader.fixedSize, available: count)
        }
        let first = bytes[0]
        let version = first >> 6
        guard version == RTPHeader.version else { throw .unsupportedVersion(version) }
        let hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)
        let second = bytes[1]

        var offset = RTPHeader.fixedSize
        guard csrcCount * 4 <= count - offset else { throw .csrcOverrun(count: csrcCount, available: count - offset) }
        var csrcs: [UInt32] = []
        if csrcCount > 0 {
            csrcs.reserveCapacity(csrcCount)
            for index in 0..<csrcCount { csrcs.append(bytes.readUInt32(at: offset + 4 * index)) }
            offset += 4 * csrcCount
        }

        var extensionProfile: UInt16 = 0
        var extensionDataRange: Range<Int>?
        if hasExtension {
            guard count - offset >= 4 else {
                throw .truncated(what: "RTP header extension header", needed: 4, available: count - offset)
            }
            extensionProfile = bytes.readUInt16(at: offset)
            let length = Int(bytes.readUInt16(at: offset + 2)) * 4
            offset += 4
            guard length <= count - offset else { throw .extensionOverrun(declared: length, available: count - offset) }
            extensionDataRange = offset..<(offset + length)
            offset += length
        }

        var end = count
        var paddingLength: UInt8 = 0
        if hasPadding {
            // RFC 3550 §5.1: the last octet counts the padding, itself included; it cannot be 0 and
            // cannot reach into the header.
            let padding = bytes[count - 1]
            guard padding > 0, Int(padding) <= count - offset else {
                throw .paddingOverrun(padding: Int(padding), available: count - offset)
            }
            paddingLength = padding
            end = count - Int(padding)
        }

        self.header = RTPHeader(
            marker: second & 0x80 != 0, payloadType: second & 0x7F, sequenceNumber: bytes.readUInt16(at: 2),
            timestamp: bytes.readUInt32(at: 4), ssrc: bytes.readUInt32(at: 8), csrcs: csrcs)
        self.extensionProfile = extensionProfile
        self.extensionDataRange = extensionDataRange
        self.payloadRange = offset..<end
        self.paddingLength = paddingLength
    }
}
