/// `a=rtcp:<port> [<nettype> <addrtype> <connection-address>]` (RFC 3605 §2.1): where the author
/// wants RTCP, when it is not on the RTP port + 1.
public struct SDPRtcpAttribute: Hashable, Sendable {
    public var port: UInt16
    public var connection: SDPConnection?

    public init(port: UInt16, connection: SDPConnection? = nil) {
        self.port = port
        self.connection = connection
    }

    /// Parses the attribute value (after `rtcp:`).
    public init(parsing value: String) throws(SDPAttributeError) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 1 || parts.count == 4, let port: UInt16 = SDPNumber.parse(parts[0]) else {
            throw SDPAttributeError(
                attribute: "rtcp", reason: "expected \"<port> [IN IP4|IP6 <address>]\", got \"\(value)\"")
        }
        self.port = port
        if parts.count == 4 {
            connection = SDPConnection(
                netType: String(parts[1]), addrType: SDPAddressType(String(parts[2])), address: String(parts[3]))
        }
    }

    /// The attribute value (after `rtcp:`).
    public var attributeValue: String {
        if let connection { "\(port) \(connection.fieldText)" } else { "\(port)" }
    }

    public var attribute: SDPAttribute { SDPAttribute(name: "rtcp", value: attributeValue) }
}
