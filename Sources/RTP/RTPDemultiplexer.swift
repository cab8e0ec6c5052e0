/// Tells apart what arrives on one port: RTP, RTCP (rtcp-mux, RFC 5761 §4) and STUN (RFC 7983 §7).
public enum RTPDemultiplexer {
    /// What a datagram is, by its first two octets.
    public enum Kind: Sendable, Hashable {
        case rtp
        case rtcp
        case stun
        /// Anything else, including DTLS (first octet 20–63, RFC 7983) and version ≠ 2.
        case other
    }

    /// RFC 5761 §4: RTCP packet types 192–223 (SR 200, RR 201, ...) land in the RTP M+PT octet as
    /// marker 1 and payload type 64–95, which RTP must therefore not use when multiplexed.
    public static let rtcpPacketTypes: ClosedRange<UInt8> = 192...223

    /// Classifies one datagram. RFC 7983 §7: first octet 0–3 is STUN, 128–191 is RTP/RTCP.
    public static func classify(_ bytes: UnsafeRawBufferPointer) -> Kind {
        guard let first = bytes.first else { return .other }
        switch first {
        case 0...3:
            // RFC 5389 §6: 20-byte header; checking the magic cookie avoids false positives.
            guard bytes.count >= 20, bytes.readUInt32(at: 4) == 0x2112_A442 else { return .other }
            return .stun
        case 128...191:
            guard bytes.count >= 2 else { return .other }
            if rtcpPacketTypes.contains(bytes[1]) {
                return bytes.count >= 8 ? .rtcp : .other  // RFC 3550 §6.4: header + SSRC at least
            }
            return bytes.count >= RTPHeader.fixedSize ? .rtp : .other
        default:
            return .other
        }
    }

    /// Classifies one datagram held in an array or slice.
    public static func classify<C: Collection>(_ bytes: C) -> Kind where C.Element == UInt8 {
        if let kind = bytes.withContiguousStorageIfAvailable({ classify(UnsafeRawBufferPointer($0)) }) {
            return kind
        }
        return Array(bytes).withUnsafeBytes { classify($0) }
    }
}
