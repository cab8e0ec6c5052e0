/// An RTCP APP packet, packet type 204 (RFC 3550 §6.7), passed through untouched.
public struct RTCPApplicationDefined: Sendable, Hashable {
    public static let packetType: UInt8 = 204
    /// RFC 3550 §6.7: subtype is the 5-bit count field.
    public static let maximumSubtype: UInt8 = 31

    public var subtype: UInt8
    public var ssrc: UInt32
    /// Four ASCII characters (§6.7), as bytes.
    public var name: UInt32
    /// Application data, a multiple of 32 bits.
    public var data: [UInt8]

    public init(subtype: UInt8, ssrc: UInt32, name: UInt32, data: [UInt8]) {
        self.subtype = subtype
        self.ssrc = ssrc
        self.name = name
        self.data = data
    }

    init(count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        guard body.count >= 8 else { throw .truncated(what: "RTCP APP", needed: 8, available: body.count) }
        subtype = UInt8(truncatingIfNeeded: count)
        ssrc = body.readUInt32(at: 0)
        name = body.readUInt32(at: 4)
        data = Array(body[8...])
    }

    var count: Int { Int(subtype) }
    var bodySize: Int { 8 + data.count }

    func validate() throws(RTPError) {
        try checkField("APP subtype", Int(subtype), limit: Int(Self.maximumSubtype))
        try checkProfileExtension(data)
    }

    func writeBody<S: ByteSink>(to sink: inout S) {
        sink.write(ssrc)
        sink.write(name)
        sink.write(contentsOf: data)
    }
}

/// Any other RTCP packet type (RTPFB 205, PSFB 206, XR 207, ...), kept as bytes so a compound packet
/// can be parsed and forwarded whole.
public struct RTCPUnknownPacket: Sendable, Hashable {
    public var packetType: UInt8
    /// The 5-bit count/format field of the common header.
    public var count: UInt8
    /// Everything after the 4-byte common header, padding excluded; a multiple of 4 to serialize.
    public var body: [UInt8]

    public init(packetType: UInt8, count: UInt8, body: [UInt8]) {
        self.packetType = packetType
        self.count = count
        self.body = body
    }

    func validate() throws(RTPError) {
        try checkField("RTCP count field", Int(count), limit: 31)
        try checkProfileExtension(body)
    }
}
