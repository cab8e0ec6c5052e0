import Foundation

/// One trunk as `dialgatectl trunks` shows it: where its calls come from, how many are up, and its
/// registration with the provider when it has one.
public struct TrunkSnapshot: Codable, Sendable, Hashable {
    public var name: String
    /// The `from` ranges, as written.
    public var sources: [String]
    /// Whether calls must authenticate with digest (`auth`).
    public var authenticates: Bool
    public var activeCalls: Int
    /// `max-calls`, when set.
    public var maxCalls: Int?
    public var registration: RegistrationSnapshot?

    public init(
        name: String, sources: [String], authenticates: Bool, activeCalls: Int, maxCalls: Int? = nil,
        registration: RegistrationSnapshot? = nil
    ) {
        self.name = name
        self.sources = sources
        self.authenticates = authenticates
        self.activeCalls = activeCalls
        self.maxCalls = maxCalls
        self.registration = registration
    }
}

/// A trunk's registration with its provider's registrar (RFC 3261 §10).
public struct RegistrationSnapshot: Codable, Sendable, Hashable {
    public var trunk: String
    /// Where REGISTERs go, `udp:host:port` (the registrar's address as resolved).
    public var registrar: String
    /// `sip:USER@DOMAIN`.
    public var addressOfRecord: String
    /// `registering`, `registered`, `refreshing`, `failed`, `unregistering`, `unregistered`.
    public var state: String
    /// When the provider drops the binding unless refreshed.
    public var expiresAt: Date?
    /// The next refresh or retry.
    public var nextAttemptAt: Date?
    /// `200 OK (granted 600 s)`, `403 Forbidden`, `no response from the registrar`, ...
    public var lastResult: String?
    public var consecutiveFailures: Int
    public var registeredSince: Date?

    public init(
        trunk: String, registrar: String, addressOfRecord: String, state: String, expiresAt: Date? = nil, nextAttemptAt: Date? = nil,
        lastResult: String? = nil, consecutiveFailures: Int = 0, registeredSince: Date? = nil
    ) {
        self.trunk = trunk
        self.registrar = registrar
        self.addressOfRecord = addressOfRecord
        self.state = state
        self.expiresAt = expiresAt
        self.nextAttemptAt = nextAttemptAt
        self.lastResult = lastResult
        self.consecutiveFailures = consecutiveFailures
        self.registeredSince = registeredSince
    }
}
