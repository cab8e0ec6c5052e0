/// Everything that can go wrong while reading or writing RTP, RTCP and their payloads.
///
/// One error type for the module (STYLE.md habit 5). Each case says which structure failed and
/// carries the numbers a person needs to see why. For a call, any of these means "drop this datagram
/// and count it"; none of them is a reason to end the call.
public enum RTPError: Error, Sendable, Hashable {
    /// Fewer bytes than the structure needs (`what` names the structure, e.g. "RTP fixed header").
    case truncated(what: String, needed: Int, available: Int)
    /// The version field is not 2 (RFC 3550 §5.1, §6.4.1).
    case unsupportedVersion(UInt8)
    /// The CSRC count says more identifiers than the datagram holds (RFC 3550 §5.1).
    case csrcOverrun(count: Int, available: Int)
    /// The header extension's declared length runs past the end of the packet (RFC 3550 §5.3.1).
    case extensionOverrun(declared: Int, available: Int)
    /// The padding count (last octet) is 0 or larger than what follows the header (RFC 3550 §5.1).
    case paddingOverrun(padding: Int, available: Int)
    /// RFC 8285 header extension elements are malformed (bad id, length past the block).
    case malformedExtensionElement(String)
    /// A field value does not fit its wire field (serialization), e.g. payload type 200 in 7 bits.
    case fieldOutOfRange(field: String, value: Int, limit: Int)
    /// The caller's buffer is smaller than the serialized size.
    case bufferTooSmall(needed: Int, available: Int)
    /// An RTCP packet's length field runs past the end of the compound packet (RFC 3550 §6.4.1).
    case rtcpLengthOverrun(packetType: UInt8, declared: Int, available: Int)
    /// An RTCP packet's body is shorter than its count field requires (e.g. 3 report blocks in 30 bytes).
    case rtcpCountMismatch(packetType: UInt8, count: Int, bodyLength: Int)
    /// RFC 3550 §6.1 / A.2: a compound packet must begin with SR or RR.
    case rtcpCompoundMustStartWithReport(firstPacketType: UInt8)
    /// RFC 3550 A.2: only the last packet of a compound may have the padding bit.
    case rtcpPaddingNotLast(packetType: UInt8)
    /// A bounded list is longer than its named limit (RTCP compound packet count, SDES items).
    case tooMany(what: String, count: Int, limit: Int)
    /// An SDES chunk is not terminated by a null item inside its packet (RFC 3550 §6.5).
    case sdesUnterminated(source: UInt32)
    /// An RFC 4733 telephone-event payload is malformed.
    case malformedTelephoneEvent(String)
    /// An RFC 3389 comfort-noise payload is malformed.
    case malformedComfortNoise(String)
}

extension RTPError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let what, let needed, let available):
            return "\(what) truncated: needs \(needed) bytes, \(available) available"
        case .unsupportedVersion(let version):
            return "RTP/RTCP version \(version), expected 2"
        case .csrcOverrun(let count, let available):
            return "CSRC count \(count) exceeds packet (\(available) bytes after fixed header)"
        case .extensionOverrun(let declared, let available):
            return "header extension declares \(declared) bytes, \(available) available"
        case .paddingOverrun(let padding, let available):
            return "padding count \(padding) invalid for \(available) bytes after header"
        case .malformedExtensionElement(let reason):
            return "malformed header extension element: \(reason)"
        case .fieldOutOfRange(let field, let value, let limit):
            return "\(field) \(value) out of range (limit \(limit))"
        case .bufferTooSmall(let needed, let available):
            return "buffer too small: needs \(needed) bytes, \(available) available"
        case .rtcpLengthOverrun(let packetType, let declared, let available):
            return "RTCP packet type \(packetType) declares \(declared) bytes, \(available) available"
        case .rtcpCountMismatch(let packetType, let count, let bodyLength):
            return "RTCP packet type \(packetType) count \(count) does not fit body of \(bodyLength) bytes"
        case .rtcpCompoundMustStartWithReport(let first):
            return "RTCP compound packet starts with packet type \(first), not SR or RR"
        case .rtcpPaddingNotLast(let packetType):
            return "RTCP packet type \(packetType) has padding but is not last in the compound packet"
        case .tooMany(let what, let count, let limit):
            return "too many \(what): \(count) (limit \(limit))"
        case .sdesUnterminated(let source):
            return "SDES chunk for SSRC \(source) has no terminating null item"
        case .malformedTelephoneEvent(let reason):
            return "malformed telephone-event payload: \(reason)"
        case .malformedComfortNoise(let reason):
            return "malformed comfort-noise payload: \(reason)"
        }
    }
}
