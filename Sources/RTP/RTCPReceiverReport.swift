/// An RTCP receiver report, packet type 201 (RFC 3550 §6.4.2).
public struct RTCPReceiverReport: Sendable, Hashable {
    public static let packetType: UInt8 = 201
    /// RFC 3550 §6.4.2: RC is 5 bits.
    public static let maximumReportBlocks = 31

    /// The sender of this report.
    public var ssrc: UInt32
    public var reportBlocks: [RTCPReportBlock]
    public var profileExtension: [UInt8]

    public init(ssrc: UInt32, reportBlocks: [RTCPReportBlock] = [], profileExtension: [UInt8] = []) {
        self.ssrc = ssrc
        self.reportBlocks = reportBlocks
        self.profileExtension = profileExtension
    }

    init(count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        let needed = 4 + count * RTCPReportBlock.size
        guard body.count >= needed else {
            throw .rtcpCountMismatch(packetType: Self.packetType, count: count, bodyLength: body.count)
        }
        ssrc = body.readUInt32(at: 0)
        reportBlocks = (0..<count).map { RTCPReportBlock(reading: body, at: 4 + $0 * RTCPReportBlock.size) }
        profileExtension = Array(body[needed...])
    }

    var count: Int { reportBlocks.count }
    var bodySize: Int { 4 + reportBlocks.count * RTCPReportBlock.size + profileExtension.count }

    func validate() throws(RTPError) {
        try checkField("RR report block count", reportBlocks.count, limit: Self.maximumReportBlocks)
        try checkProfileExtension(profileExtension)
    }

    func writeBody<S: ByteSink>(to sink: inout S) {
        sink.write(ssrc)
        for block in reportBlocks { block.write(to: &sink) }
        sink.write(contentsOf: profileExtension)
    }
}
