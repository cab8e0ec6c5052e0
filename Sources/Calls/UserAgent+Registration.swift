import Dialplan
import SIP

extension SIPTransport {
    /// The transport a dialplan names.
    public init(_ choice: SIPTransportChoice) {
        switch choice {
        case .udp: self = .udp
        case .tcp: self = .tcp
        case .tls: self = .tls
        }
    }
}

/// A trunk's registration as the adapter resolved it: the trunk's `register` settings and the
/// registrar's address (a host name is resolved by the adapter, which owns I/O).
public struct RegistrationTarget: Hashable, Sendable {
    public var trunk: String
    public var settings: TrunkRegistration
    public var registrar: SIPPeer

    public init(trunk: String, settings: TrunkRegistration, registrar: SIPPeer) {
        self.trunk = trunk
        self.settings = settings
        self.registrar = registrar
    }
}

/// One registration as operators see it (`dialgatectl trunks`, `status`).
public struct RegistrationFacts: Sendable, Equatable {
    public var trunk: String
    public var registrar: SIPPeer
    public var addressOfRecord: String
    public var state: OutboundRegistration.State
    public var expiresAt: SIPInstant?
    /// The next refresh or retry.
    public var nextAttemptAt: SIPInstant?
    public var lastResult: String?
    public var consecutiveFailures: Int
    public var registeredSince: SIPInstant?
}

/// Outbound registration to providers (RFC 3261 §10): the user agent runs each trunk's
/// `OutboundRegistration` over its own client transactions.
extension UserAgent {
    /// Registrations in force now, by trunk; ones being removed are not listed.
    public var registrationFacts: [RegistrationFacts] {
        registrations.values.filter { $0.state != .unregistering }.sorted { $0.trunk < $1.trunk }.map(Self.facts)
    }

    static func facts(_ registration: OutboundRegistration) -> RegistrationFacts {
        RegistrationFacts(
            trunk: registration.trunk, registrar: registration.registrar, addressOfRecord: registration.addressOfRecord,
            state: registration.state, expiresAt: registration.expiresAt, nextAttemptAt: registration.deadline,
            lastResult: registration.lastResult, consecutiveFailures: registration.consecutiveFailures,
            registeredSince: registration.registeredSince)
    }

    /// The registrations the plan asks for now (after start, and after each reload). New ones
    /// start; gone or changed ones remove their binding (`Expires: 0`); unchanged ones go on.
    public mutating func register(_ targets: [RegistrationTarget], now: SIPInstant) -> [UserAgentAction] {
        var actions: [UserAgentAction] = []
        var wanted = Dictionary(targets.map { ($0.trunk, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, registration) in registrations where registration.state != .unregistering {
            if let target = wanted[registration.trunk], target.settings == registration.settings, target.registrar == registration.registrar
            {
                wanted.removeValue(forKey: registration.trunk)
            } else {
                actions += feed(.stop, to: id, now: now)
            }
        }
        for target in wanted.values.sorted(by: { $0.trunk < $1.trunk }) {
            let id = nextRegistrationID
            nextRegistrationID += 1
            registrations[id] = OutboundRegistration(
                trunk: target.trunk, settings: target.settings, registrar: target.registrar, random: &random)
            actions += feed(.start, to: id, now: now)
        }
        return actions
    }

    /// Registrations held, being made or being removed.
    public var registrationCount: Int { registrations.count }

    /// Live calls per trunk.
    public var callsByTrunk: [String: Int] { calls.countByTrunk }

    /// Removes every binding (the gateway stops): providers stop sending calls here at once
    /// instead of until the bindings expire.
    public mutating func unregisterAll(now: SIPInstant) -> [UserAgentAction] {
        registrations.keys.sorted().flatMap { feed(.stop, to: $0, now: now) }
    }

    /// The earliest registration deadline (a handful of registrations: a scan is enough).
    var nextRegistrationDeadline: SIPInstant? {
        registrations.values.compactMap(\.deadline).min()
    }

    mutating func fireRegistrationTimers(now: SIPInstant) -> [UserAgentAction] {
        let due = registrations.filter { ($0.value.deadline ?? .distantFuture) <= now }.keys.sorted()
        return due.flatMap { feed(.timer, to: $0, now: now) }
    }

    /// The final response to one of our REGISTERs; nil when the transaction is not a REGISTER.
    mutating func registrationAnswered(_ response: SIPResponse, key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction]? {
        guard let id = registerTransactions[key] else { return nil }
        guard response.isFinal else { return [] }
        registerTransactions.removeValue(forKey: key)
        return feed(.response(response), to: id, now: now)
    }

    /// Timer F or a transport error on a REGISTER; nil when the transaction is not a REGISTER.
    mutating func registrationFailed(_ key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction]? {
        guard let id = registerTransactions.removeValue(forKey: key) else { return nil }
        return feed(.noResponse("no response from the registrar"), to: id, now: now)
    }

    /// Feeds one registration and sends the REGISTER it asks for, on a new client transaction; a
    /// registration that is done is forgotten.
    private mutating func feed(_ event: OutboundRegistration.Event, to id: Int, now: SIPInstant) -> [UserAgentAction] {
        guard var registration = registrations[id] else { return [] }
        let before = (registration.state, registration.lastResult, registration.consecutiveFailures)
        let attempt = registration.handle(event, now: now, random: &random)
        registrations[id] = registration
        // A change worth a log line: a new state, a new outcome, or one more failure in a row.
        let after = (registration.state, registration.lastResult, registration.consecutiveFailures)
        let changed: [UserAgentAction] = before != after ? [.registrationChanged(Self.facts(registration))] : []
        guard let attempt else {
            if registration.state == .unregistered { forget(id) }
            return changed
        }
        // Only the latest REGISTER of a registration is waited for.
        for (key, owner) in registerTransactions where owner == id { registerTransactions.removeValue(forKey: key) }
        let branch = UserAgent.branch(using: &random)
        let host = settings.advertisedHost.contains(":") ? "[\(settings.advertisedHost)]" : settings.advertisedHost
        // Our sent-by is the port of the transport the request goes on (RFC 3261 §18.1.1).
        let transport = registration.registrar.transport
        let sentBy = "\(host):\(transport == .tls ? settings.sipTLSPort ?? settings.sipPort : settings.sipPort)"
        let request = registration.request(attempt, branch: branch, sentBy: sentBy, contactHost: sentBy, product: settings.product)
        // A branch we made always has the cookie, so the key exists.
        let key = SIPTransactionKey(branch: branch, sentBy: sentBy, method: .register)!
        registerTransactions[key] = id
        return changed
            + apply(
                transactions.send(
                    request: request, key: key, to: registration.registrar, reliability: transport.isReliable ? .reliable : .unreliable,
                    now: now), now: now)
    }

    private mutating func forget(_ id: Int) {
        registrations.removeValue(forKey: id)
        for (key, owner) in registerTransactions where owner == id { registerTransactions.removeValue(forKey: key) }
    }

    /// The registered trunks whose registrar is at `address`, for the trunk choice of an INVITE.
    var registeredSources: [RegisteredSource] {
        registrations.values.filter { $0.state != .unregistering && $0.state != .unregistered }.compactMap { registration in
            AddressRange.addressBytes(registration.registrar.host).map {
                RegisteredSource(trunk: registration.trunk, address: $0, contactUser: registration.settings.contactUserPart)
            }
        }
    }
}

/// A registrar's address as a source of calls for its trunk (`register`): the provider's calls
/// come from where we register, to the Contact user we registered.
public struct RegisteredSource: Hashable, Sendable {
    public var trunk: String
    public var address: [UInt8]
    public var contactUser: String

    public init(trunk: String, address: [UInt8], contactUser: String) {
        self.trunk = trunk
        self.address = address
        self.contactUser = contactUser
    }
}
