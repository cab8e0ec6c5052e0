/// An RTCP BYE, packet type 203 (RFC 3550 §6.6): sources leaving, with an optional reason.
public struct RTCPGoodbye: Sendable, Hashable {
    public static let packetType: UInt8 = 203
    /// RFC 3550 §6.6: SC is 5 bits.
    public static let maximumSources = 31
    /// RFC 3550 §6.6: the reason's length is one octet.
    public static let maximumReasonLength = 255

    public var sources: [UInt32]
    /// UTF-8 reason text, if present (§6.6: "optional").
    public var reason: [UInt8]?

    public init(sources: [UInt32], reason: [UInt8]? = nil) {
        self.sources = sources
        self.reason = reason
    }

    public init(sources: [UInt32], reasonText: String) {
        self.init(sources: sources, reason: Array(reasonText.utf8))
    }

    public var reasonText: String? { reason.map { String(decoding: $0, as: UTF8.self) } }

    init(count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        guard body.count >= count * 4 else {
            throw .rtcpCountMismatch(packetType: Self.packetType, count: count, bodyLength: body.count)
        }
        sources = (0..<count).map { body.readUInt32(at: $0 * 4) }
        let offset = count * 4
        if offset < body.count {
            let length = Int(body[offset])
            guard body.count - offset - 1 >= length else {
                throw .truncated(what: "BYE reason", needed: length, available: body.count - offset - 1)
            }
            reason = Array(body[(offset + 1)..<(offset + 1 + length)])
        } else {
            reason = nil
        }
    }

    var count: Int { sources.count }
    var bodySize: Int {
        guard let reason else { return sources.count * 4 }
        return sources.count * 4 + ((1 + reason.count + 3) & ~3)
    }

    func validate() throws(RTPError) {
        try checkField("BYE source count", sources.count, limit: Self.maximumSources)
        if let reason { try checkField("BYE reason length", reason.count, limit: Self.maximumReasonLength) }
    }

    func writeBody<S: ByteSink>(to sink: inout S) {
        for source in sources { sink.write(source) }
        if let reason {
            sink.write(UInt8(truncatingIfNeeded: reason.count))
            sink.write(contentsOf: reason)
            sink.writeZeros(((1 + reason.count + 3) & ~3) - 1 - reason.count)
        }
    }
}
