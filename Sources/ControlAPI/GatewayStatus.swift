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
    /// Meetings with someone in them (app or phone), and how many participants they hold.
    public var activeMeetings: Int?
    public var participants: Int?
    /// The dialplan (and policy) in force, and how the last reload went.
    public var dialplan: DialplanStatus?
    /// Trunks' registrations with their providers (`register`); nil or empty when none.
    public var registrations: [RegistrationSnapshot]?

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

/// The dialplan in force, as `dialgatectl status` shows it.
public struct DialplanStatus: Codable, Sendable, Hashable {
    /// The plan's generation: 1 at start, one more per accepted reload.
    public var version: Int
    /// When this generation was loaded.
    public var loadedAt: Date
    public var files: [String]
    public var routes: Int
    public var trunks: Int
    /// BLAKE2b of every file's text, first 12 hex digits: the same on two gateways with the same files.
    public var fingerprint: String
    /// Policy profiles and tiers, and a fingerprint of the files that declare them: what changes when,
    /// and only when, someone edits the policy.
    public var policyProfiles: Int
    public var tiers: Int
    public var policyFingerprint: String
    /// The last reload (SIGHUP or `dialgatectl reload`), accepted or refused; nil before any.
    public var lastReload: ReloadAttempt?

    public init(
        version: Int, loadedAt: Date, files: [String], routes: Int, trunks: Int, fingerprint: String, policyProfiles: Int, tiers: Int,
        policyFingerprint: String, lastReload: ReloadAttempt? = nil
    ) {
        self.version = version
        self.loadedAt = loadedAt
        self.files = files
        self.routes = routes
        self.trunks = trunks
        self.fingerprint = fingerprint
        self.policyProfiles = policyProfiles
        self.tiers = tiers
        self.policyFingerprint = policyFingerprint
        self.lastReload = lastReload
    }

    /// One reload attempt.
    public struct ReloadAttempt: Codable, Sendable, Hashable {
        public var at: Date
        /// `SIGHUP` or `dialgatectl reload`.
        public var trigger: String
        public var accepted: Bool
        /// Why it was refused (`file:line:column: message`), at most the first ten.
        public var errors: [String]

        public init(at: Date, trigger: String, accepted: Bool, errors: [String]) {
            self.at = at
            self.trigger = trigger
            self.accepted = accepted
            self.errors = errors
        }
    }
}
