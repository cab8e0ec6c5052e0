/// An RTCP sender report, packet type 200 (RFC 3550 §6.4.1).
public struct RTCPSenderReport: Sendable, Hashable {
    public static let packetType: UInt8 = 200
    /// RFC 3550 §6.4.1: RC is 5 bits.
    public static let maximumReportBlocks = 31

    public var ssrc: UInt32
    public var ntpTimestamp: NTPTimestamp
    /// The same instant as `ntpTimestamp`, in the RTP clock of this sender's media.
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reportBlocks: [RTCPReportBlock]
    /// Profile-specific extension after the report blocks (§6.4.1), kept as bytes.
    public var profileExtension: [UInt8]

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: [RTCPReportBlock] = [], profileExtension: [UInt8] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = reportBlocks
        self.profileExtension = profileExtension
    }

    init(count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        let needed = 24 + count * RTCPReportBlock.size
        guard body.count >= needed else {
            throw .rtcpCountMismatch(packetType: Self.packetType, count: count, bodyLength: body.count)
        }
        ssrc = body.readUInt32(at: 0)
        ntpTimestamp = NTPTimestamp(seconds: body.readUInt32(at: 4), fraction: body.readUInt32(at: 8))
        rtpTimestamp = body.readUInt32(at: 12)
        packetCount = body.readUInt32(at: 16)
        octetCount = body.readUInt32(at: 20)
        reportBlocks = (0..<count).map { RTCPReportBlock(reading: body, at: 24 + $0 * RTCPReportBlock.size) }
        profileExtension = Array(body[needed...])
    }

    var count: Int { reportBlocks.count }
    var bodySize: Int { 24 + reportBlocks.count * RTCPReportBlock.size + profileExtension.count }

    func validate() throws(RTPError) {
        try checkField("SR report block count", reportBlocks.count, limit: Self.maximumReportBlocks)
        try checkProfileExtension(profileExtension)
    }

    func writeBody<S: ByteSink>(to sink: inout S) {
        sink.write(ssrc)
        sink.write(ntpTimestamp.seconds)
        sink.write(ntpTimestamp.fraction)
        sink.write(rtpTimestamp)
        sink.write(packetCount)
        sink.write(octetCount)
        for block in reportBlocks { block.write(to: &sink) }
        sink.write(contentsOf: profileExtension)
    }
}

/// RFC 3550 §6.4.1: a profile extension is a whole number of 32-bit words.
func checkProfileExtension(_ bytes: [UInt8]) throws(RTPError) {
    guard bytes.count % 4 == 0 else {
        throw .fieldOutOfRange(field: "RTCP profile extension length (multiple of 4)", value: bytes.count, limit: 0)
    }
}
