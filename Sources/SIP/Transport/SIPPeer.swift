/// The SIP transports the gateway speaks (RFC 3261 §18, and TLS: §26, RFC 5630).
public enum SIPTransport: String, Hashable, Sendable, CaseIterable {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"

    /// Stream transports frame by Content-Length and need no retransmissions (RFC 3261 §17).
    public var isReliable: Bool { self != .udp }
}

/// Where a SIP message came from or goes to: a transport, an IP address and port, and for stream
/// transports the connection it arrived on (responses reuse it, RFC 3261 §18.2.2).
public struct SIPPeer: Hashable, Sendable, CustomStringConvertible {
    public var transport: SIPTransport
    /// An IP address literal (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// The adapter's identifier of the stream connection, if any.
    public var connection: UInt64?

    public init(transport: SIPTransport, host: String, port: Int, connection: UInt64? = nil) {
        self.transport = transport
        self.host = host
        self.port = port
        self.connection = connection
    }

    /// `host:port`, with IPv6 addresses in brackets.
    public var hostPort: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public var description: String { "\(transport.rawValue.lowercased()):\(hostPort)" }
}
