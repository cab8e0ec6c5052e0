/// One RTCP packet inside a compound packet (RFC 3550 §6.4–§6.7).
public enum RTCPPacket: Sendable, Hashable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case goodbye(RTCPGoodbye)
    case application(RTCPApplicationDefined)
    /// Feedback, XR and other types, passed through as bytes.
    case unknown(RTCPUnknownPacket)

    /// RFC 3550 §6.4.1: the common header is 4 bytes (V, P, count, PT, length).
    public static let headerSize = 4

    public var packetType: UInt8 {
        switch self {
        case .senderReport: return RTCPSenderReport.packetType
        case .receiverReport: return RTCPReceiverReport.packetType
        case .sourceDescription: return RTCPSourceDescription.packetType
        case .goodbye: return RTCPGoodbye.packetType
        case .application: return RTCPApplicationDefined.packetType
        case .unknown(let packet): return packet.packetType
        }
    }

    /// Bytes on the wire including the common header.
    public var serializedSize: Int { Self.headerSize + bodySize }

    private var bodySize: Int {
        switch self {
        case .senderReport(let packet): return packet.bodySize
        case .receiverReport(let packet): return packet.bodySize
        case .sourceDescription(let packet): return packet.bodySize
        case .goodbye(let packet): return packet.bodySize
        case .application(let packet): return packet.bodySize
        case .unknown(let packet): return packet.body.count
        }
    }

    private var count: Int {
        switch self {
        case .senderReport(let packet): return packet.count
        case .receiverReport(let packet): return packet.count
        case .sourceDescription(let packet): return packet.count
        case .goodbye(let packet): return packet.count
        case .application(let packet): return packet.count
        case .unknown(let packet): return Int(packet.count)
        }
    }

    /// Parses one packet's body given its common-header fields; `body` excludes header and padding.
    init(packetType: UInt8, count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        switch packetType {
        case RTCPSenderReport.packetType: self = .senderReport(try RTCPSenderReport(count: count, body: body))
        case RTCPReceiverReport.packetType: self = .receiverReport(try RTCPReceiverReport(count: count, body: body))
        case RTCPSourceDescription.packetType:
            self = .sourceDescription(try RTCPSourceDescription(count: count, body: body))
        case RTCPGoodbye.packetType: self = .goodbye(try RTCPGoodbye(count: count, body: body))
        case RTCPApplicationDefined.packetType:
            self = .application(try RTCPApplicationDefined(count: count, body: body))
        default:
            self = .unknown(RTCPUnknownPacket(packetType: packetType, count: UInt8(truncatingIfNeeded: count), body: Array(body)))
        }
    }

    func validate() throws(RTPError) {
        switch self {
        case .senderReport(let packet): try packet.validate()
        case .receiverReport(let packet): try packet.validate()
        case .sourceDescription(let packet): try packet.validate()
        case .goodbye(let packet): try packet.validate()
        case .application(let packet): try packet.validate()
        case .unknown(let packet): try packet.validate()
        }
        // RFC 3550 §6.4.1: the length field is 16 bits of 32-bit words minus one.
        try checkField("RTCP packet length (words - 1)", serializedSize / 4 - 1, limit: Int(UInt16.max))
    }

    func write<S: ByteSink>(to sink: inout S) {
        sink.write(RTPHeader.version << 6 | UInt8(truncatingIfNeeded: count))
        sink.write(packetType)
        sink.write(UInt16(truncatingIfNeeded: serializedSize / 4 - 1))
        switch self {
        case .senderReport(let packet): packet.writeBody(to: &sink)
        case .receiverReport(let packet): packet.writeBody(to: &sink)
        case .sourceDescription(let packet): packet.writeBody(to: &sink)
        case .goodbye(let packet): packet.writeBody(to: &sink)
        case .application(let packet): packet.writeBody(to: &sink)
        case .unknown(let packet): sink.write(contentsOf: packet.body)
        }
    }
}
