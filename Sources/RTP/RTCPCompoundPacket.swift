/// An RTCP compound packet (RFC 3550 §6.1): one datagram holding several RTCP packets, the first of
/// them an SR or RR.
public struct RTCPCompoundPacket: Sendable, Hashable {
    /// Bound on packets per compound packet, so hostile input cannot make us build huge arrays.
    /// A real one holds two or three (RR/SR, SDES, perhaps BYE; §6.1).
    public static let maximumPackets = 32

    public var packets: [RTCPPacket]

    public init(packets: [RTCPPacket]) { self.packets = packets }

    /// Parses and validates a compound packet per RFC 3550 A.2: version 2 on every packet, lengths
    /// adding up to the datagram, padding only on the last packet, and (unless `requireReportFirst` is
    /// false, for RFC 5506 reduced-size RTCP) SR or RR first.
    public init(parsing bytes: UnsafeRawBufferPointer, requireReportFirst: Bool = true) throws(RTPError) {
        var packets: [RTCPPacket] = []
        var offset = 0
        guard bytes.count >= RTCPPacket.headerSize else {
            throw .truncated(what: "RTCP header", needed: RTCPPacket.headerSize, available: bytes.count)
        }
        while offset < bytes.count {
            let remaining = bytes.count - offset
            guard remaining >= RTCPPacket.headerSize else {
                throw .truncated(what: "RTCP header", needed: RTCPPacket.headerSize, available: remaining)
            }
            let first = bytes[offset]
            let version = first >> 6
            guard version == RTPHeader.version else { throw .unsupportedVersion(version) }
            let hasPadding = first & 0x20 != 0
            let count = Int(first & 0x1F)
            let packetType = bytes[offset + 1]
            if packets.isEmpty, requireReportFirst,
                packetType != RTCPSenderReport.packetType, packetType != RTCPReceiverReport.packetType
            {
                throw .rtcpCompoundMustStartWithReport(firstPacketType: packetType)
            }
            let length = (Int(bytes.readUInt16(at: offset + 2)) + 1) * 4
            guard length <= remaining else {
                throw .rtcpLengthOverrun(packetType: packetType, declared: length, available: remaining)
            }
            var bodyEnd = offset + length
            if hasPadding {
                // RFC 3550 A.2: "padding bit (P) should be zero for all but the last packet".
                guard offset + length == bytes.count else { throw .rtcpPaddingNotLast(packetType: packetType) }
                let padding = Int(bytes[bodyEnd - 1])
                guard padding > 0, padding <= length - RTCPPacket.headerSize else {
                    throw .paddingOverrun(padding: padding, available: length - RTCPPacket.headerSize)
                }
                bodyEnd -= padding
            }
            guard packets.count < Self.maximumPackets else {
                throw .tooMany(what: "RTCP packets in a compound packet", count: packets.count + 1, limit: Self.maximumPackets)
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + RTCPPacket.headerSize)..<bodyEnd])
            packets.append(try RTCPPacket(packetType: packetType, count: count, body: body))
            offset += length
        }
        self.packets = packets
    }

    public init(parsing bytes: [UInt8], requireReportFirst: Bool = true) throws(RTPError) {
        self = try bytes.withRawBytes { raw throws(RTPError) in
            try RTCPCompoundPacket(parsing: raw, requireReportFirst: requireReportFirst)
        }
    }

    public init(parsing bytes: ArraySlice<UInt8>, requireReportFirst: Bool = true) throws(RTPError) {
        self = try bytes.withRawBytes { raw throws(RTPError) in
            try RTCPCompoundPacket(parsing: raw, requireReportFirst: requireReportFirst)
        }
    }

    /// Bytes on the wire.
    public var serializedSize: Int { packets.reduce(0) { $0 + $1.serializedSize } }

    private func validate() throws(RTPError) {
        try checkField("RTCP packets in a compound packet", packets.count, limit: Self.maximumPackets)
        for packet in packets { try packet.validate() }
    }

    /// Appends the compound packet to `buffer`. No padding is written (SRTCP does not need it).
    public func serialize(into buffer: inout [UInt8]) throws(RTPError) {
        try validate()
        try ArraySink.append(to: &buffer, reserving: serializedSize) { (sink: inout ArraySink) throws(RTPError) in
            for packet in packets { packet.write(to: &sink) }
        }
    }

    /// Writes the compound packet at the start of `buffer`; returns the number of bytes written.
    @discardableResult
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) throws(RTPError) -> Int {
        try validate()
        let size = serializedSize
        guard size <= buffer.count else { throw .bufferTooSmall(needed: size, available: buffer.count) }
        var sink = RawSink(base: buffer)
        for packet in packets { packet.write(to: &sink) }
        return sink.offset
    }

    public func serialized() throws(RTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        try serialize(into: &bytes)
        return bytes
    }
}
