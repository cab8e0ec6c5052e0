import Foundation

/// What `dialgatectl status` shows: the daemon's version, its bound listeners and call counts.
public struct GatewayStatus: Codable, Sendable, Hashable {
    /// One bound socket of the daemon.
    public struct Listener: Codable, Sendable, Hashable {
        /// `sip-udp`, `sip-tcp`, `sip-tls`, `participants`, `metrics`, `control`, ...
        public var kind: String
        /// The bound address as `host:port` (after port 0 was resolved), or a socket path.
        public var address: String

        public init(kind: String, address: String) {
            self.kind = kind
            self.address = address
        }
    }

    /// The daemon's version string.
    public var version: String
    public var startedAt: Date
    public var uptimeSeconds: Double
    public var listeners: [Listener]
    /// Calls not yet ended.
    public var activeCalls: Int
    /// Calls seen since start.
    public var totalCalls: Int
    /// True after SIGTERM: new calls get 503 while live ones finish (DESIGN.md §3).
    public var draining: Bool

    public init(
        version: String, startedAt: Date, uptimeSeconds: Double, listeners: [Listener],
        activeCalls: Int, totalCalls: Int, draining: Bool
    ) {
        self.version = version
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.listeners = listeners
        self.activeCalls = activeCalls
        self.totalCalls = totalCalls
        self.draining = draining
    }
}
