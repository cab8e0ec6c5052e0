/// The RTP fixed header, CSRC list and optional header extension (RFC 3550 §5.1, §5.3.1).
///
/// The version is always 2 and not stored. Padding belongs to the packet, not the header: see
/// `RTPPacket.paddingLength`.
public struct RTPHeader: Sendable, Hashable {
    /// RFC 3550 §5.1: the only version this module reads or writes.
    public static let version: UInt8 = 2
    /// RFC 3550 §5.1: 12 octets before the CSRC list.
    public static let fixedSize = 12
    /// RFC 3550 §5.1: CC is 4 bits.
    public static let maximumCSRCCount = 15
    /// RFC 3550 §5.1: PT is 7 bits.
    public static let maximumPayloadType: UInt8 = 127

    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    /// Contributing sources, at most `maximumCSRCCount`. Empty arrays do not allocate.
    public var csrcs: [UInt32]
    public var headerExtension: RTPHeaderExtension?

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], headerExtension: RTPHeaderExtension? = nil
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
    }

    /// Bytes on the wire: fixed header, CSRCs and extension.
    public var serializedSize: Int {
        Self.fixedSize + 4 * csrcs.count + (headerExtension?.serializedSize ?? 0)
    }

    /// Checks that every field fits its wire field before anything is written.
    func validate() throws(RTPError) {
        try checkField("payload type", Int(payloadType), limit: Int(Self.maximumPayloadType))
        try checkField("CSRC count", csrcs.count, limit: Self.maximumCSRCCount)
        if let headerExtension {
            try checkField("header extension length", headerExtension.data.count, limit: RTPHeaderExtension.maximumDataLength)
            guard headerExtension.data.count % 4 == 0 else {
                throw .fieldOutOfRange(
                    field: "header extension length (multiple of 4)", value: headerExtension.data.count,
                    limit: RTPHeaderExtension.maximumDataLength)
            }
        }
    }

    /// Writes the header; `padding` sets the P bit.
    func write<S: ByteSink>(to sink: inout S, padding: Bool) {
        var first = Self.version << 6 | UInt8(truncatingIfNeeded: csrcs.count)
        if padding { first |= 0x20 }
        if headerExtension != nil { first |= 0x10 }
        sink.write(first)
        sink.write((marker ? 0x80 : 0) | payloadType)
        sink.write(sequenceNumber)
        sink.write(timestamp)
        sink.write(ssrc)
        for csrc in csrcs { sink.write(csrc) }
        if let headerExtension {
            sink.write(headerExtension.profile)
            sink.write(UInt16(truncatingIfNeeded: headerExtension.data.count / 4))
            sink.write(contentsOf: headerExtension.data)
        }
    }
}
