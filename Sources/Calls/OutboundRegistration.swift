import Dialplan
import SIP

/// One trunk's registration with its provider's registrar (RFC 3261 §10.2): REGISTER, answer the
/// digest challenge (§22.2, RFC 7616, RFC 8760), refresh before the binding expires, back off after
/// failures (RFC 5626 §4.5), and remove the binding (`Expires: 0`) when the trunk goes away.
///
/// Pure and event-driven: `handle(_:now:random:)` is the one place where the state changes; it
/// says which REGISTER to send, and `deadline` says when it wants `.timer`. The user agent builds
/// the request with `request(_:branch:sentBy:contact:)` and runs its client transaction.
public struct OutboundRegistration: Sendable {
    public enum State: String, Hashable, Sendable {
        /// A REGISTER is out and no binding is known to exist.
        case registering
        /// The registrar holds our binding until `expiresAt`.
        case registered
        /// Registered, and a refresh is out.
        case refreshing
        /// The last attempt failed; the next one is at `deadline`.
        case failed
        /// `Expires: 0` is out.
        case unregistering
        /// Not registered and not trying (before `start`, after `stop`).
        case unregistered
    }

    public enum Event: Sendable {
        case start
        /// The final response to our latest REGISTER.
        case response(SIPResponse)
        /// Our latest REGISTER got no final response (Timer F) or could not be sent.
        case noResponse(String)
        /// `deadline` has come.
        case timer
        /// The trunk is gone or the gateway stops: remove the binding.
        case stop
    }

    /// What to send: a REGISTER asking for `expires` seconds, with credentials when answering (or
    /// anticipating) a challenge.
    public struct Attempt: Hashable, Sendable {
        public var expires: Int
        public var sequence: UInt32
        public var credentials: Credentials?
    }

    /// `Authorization` (after a 401) or `Proxy-Authorization` (after a 407), and its value.
    public struct Credentials: Hashable, Sendable {
        public var header: String
        public var value: DigestCredentials
    }

    /// RFC 5626 §4.5 back-off: wait a random 50–100 % of `min(maxWait, baseWait · 2^failures)`.
    public static let baseWait: Duration = .seconds(30)
    public static let maxWait: Duration = .seconds(1800)
    /// Longest Retry-After honoured (RFC 3261 §20.33); a longer one waits this long.
    public static let maxRetryAfter: Duration = .seconds(3600)
    /// Challenges answered in a row without success before the attempt counts as failed (a
    /// registrar that challenges every answer must not make us loop).
    static let maxChallengesPerAttempt = 3

    public let trunk: String
    public let settings: TrunkRegistration
    /// Where REGISTERs go: the registrar's address as the adapter resolved it.
    public let registrar: SIPPeer
    public private(set) var state: State = .unregistered
    /// When the registrar will drop our binding unless refreshed; nil when none is known.
    public private(set) var expiresAt: SIPInstant?
    /// When `.timer` is due: the refresh, or the retry after a failure.
    public private(set) var deadline: SIPInstant?
    /// The last outcome, for operators: `200 OK (granted 600 s)`, `403 Forbidden`, `no response`.
    public private(set) var lastResult: String?
    public private(set) var consecutiveFailures = 0
    /// Registered since (the latest transition into `registered` from elsewhere).
    public private(set) var registeredSince: SIPInstant?

    /// RFC 3261 §10.2: one Call-ID for all registrations of this AOR from this client, and CSeq
    /// rising by one with each REGISTER.
    let callID: String
    let fromTag: String
    var sequence: UInt32 = 0
    /// The interval asked for; raised by a 423's Min-Expires (§10.2.8).
    var requestedExpires: Int
    /// The challenge we answer, and how many requests have used its nonce (`nc`).
    var challenge: (header: String, value: DigestChallenge)?
    var nonceCount: UInt32 = 0
    /// The nonce the outstanding request answered, if any: a 401 for that same nonce (not stale)
    /// means the credentials are wrong.
    var answeredNonce: String?
    var challengesThisAttempt = 0

    public init(trunk: String, settings: TrunkRegistration, registrar: SIPPeer, random: inout some RandomNumberGenerator) {
        self.trunk = trunk
        self.settings = settings
        self.registrar = registrar
        self.callID = UserAgent.hex(random.next(), digits: 16) + "@dialgate"
        self.fromTag = UserAgent.hex(random.next(), digits: 16)
        self.requestedExpires = Int(settings.expires.components.seconds)
    }

    /// The address-of-record, `sip:USER@DOMAIN` (RFC 3261 §10.2: To and From).
    public var addressOfRecord: String { "sip:\(settings.user)@\(Self.bracketed(settings.aorDomain))" }

    /// The registrar's Request-URI: the AOR's domain, without a user (§10.2); the registrar's port
    /// when the domain is the registrar itself.
    var registrarURI: String {
        let host = Self.bracketed(settings.aorDomain)
        guard settings.domain == nil, settings.registrarPort != 5060 else { return "sip:\(host)" }
        return "sip:\(host):\(settings.registrarPort)"
    }

    // MARK: - Events

    /// The one place where the registration changes state. Returns the REGISTER to send, if any.
    public mutating func handle(_ event: Event, now: SIPInstant, random: inout some RandomNumberGenerator) -> Attempt? {
        switch (event, state) {
        case (.start, .unregistered), (.start, .failed):
            state = .registering
            challengesThisAttempt = 0
            return attempt(expires: requestedExpires, now: now, random: &random)

        case (.timer, .registered):
            guard let deadline, deadline <= now else { return nil }
            state = .refreshing
            challengesThisAttempt = 0
            return attempt(expires: requestedExpires, now: now, random: &random)
        case (.timer, .failed):
            guard let deadline, deadline <= now else { return nil }
            state = expiresAt.map { $0 > now } == true ? .refreshing : .registering
            challengesThisAttempt = 0
            return attempt(expires: requestedExpires, now: now, random: &random)

        case (.response(let response), .registering), (.response(let response), .refreshing):
            return responded(response, now: now, random: &random)
        case (.response(let response), .unregistering)
        where [401, 407].contains(response.statusCode) && challengesThisAttempt < Self.maxChallengesPerAttempt:
            // The removal is challenged like any REGISTER: answered once.
            return responded(response, now: now, random: &random)
        case (.response, .unregistering), (.noResponse, .unregistering):
            state = .unregistered
            expiresAt = nil
            deadline = nil
            if case .response(let response) = event { lastResult = "\(response.statusCode) \(response.reasonPhrase) (unregistered)" }
            return nil
        case (.noResponse(let reason), .registering), (.noResponse(let reason), .refreshing):
            fail(reason, now: now, random: &random)
            return nil

        case (.stop, .failed) where expiresAt.map { $0 > now } == true, (.stop, .registered), (.stop, .refreshing), (.stop, .registering):
            // §10.2.2: Expires 0 removes the binding; sent even while a REGISTER is out, since
            // that one may have created it.
            state = .unregistering
            deadline = nil
            challengesThisAttempt = Self.maxChallengesPerAttempt - 1
            return attempt(expires: 0, now: now, random: &random)
        case (.stop, .failed), (.stop, .unregistered):
            state = .unregistered
            deadline = nil
            expiresAt = nil
            return nil

        case (.start, _), (.timer, _), (.response, _), (.noResponse, _), (.stop, .unregistering):
            // A late answer to a request we no longer wait for, or a repeated command: nothing to do.
            return nil
        }
    }

    /// A final response to the REGISTER out (§10.2.4–§10.2.8).
    private mutating func responded(_ response: SIPResponse, now: SIPInstant, random: inout some RandomNumberGenerator) -> Attempt? {
        let status = response.statusCode
        switch status {
        case 200..<300:
            let granted = grantedExpires(response)
            guard granted > 0 else {
                fail("\(status) \(response.reasonPhrase) without our binding", now: now, random: &random)
                return nil
            }
            if state == .registering || registeredSince == nil { registeredSince = now }
            state = .registered
            consecutiveFailures = 0
            expiresAt = now + .seconds(granted)
            // Refresh with time to spare: halfway for short bindings, five minutes ahead for long.
            deadline = now + .seconds(granted - min(granted / 2, 300))
            lastResult = "\(status) \(response.reasonPhrase) (granted \(granted) s)"
            return nil
        case 401, 407:
            let header = status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate"
            switch DigestChallenge.preferred(among: response.headers.values(header)) {
            case .failure(let error):
                fail("\(status) with a challenge we cannot answer: \(error.reason)", now: now, random: &random)
                return nil
            case .success(let offered):
                // The same nonce we just answered, not stale: the registrar refused the password.
                if offered.nonce == answeredNonce, !offered.stale {
                    fail("\(status) \(response.reasonPhrase): credentials refused (wrong user or password?)", now: now, random: &random)
                    return nil
                }
                challengesThisAttempt += 1
                guard challengesThisAttempt <= Self.maxChallengesPerAttempt else {
                    fail(
                        "\(status) \(response.reasonPhrase): challenged \(challengesThisAttempt) times in a row", now: now, random: &random)
                    return nil
                }
                challenge = (status == 401 ? "Authorization" : "Proxy-Authorization", offered)
                nonceCount = 0
                return attempt(expires: state == .unregistering ? 0 : requestedExpires, now: now, random: &random)
            }
        case 423:
            // §10.2.8: ask again with at least the registrar's Min-Expires.
            let minimum = response.headers["Min-Expires"].flatMap { Int($0.trimmedSpaces) } ?? 0
            guard minimum > requestedExpires, minimum <= 86400 else {
                fail("423 Interval Too Brief without a usable Min-Expires", now: now, random: &random)
                return nil
            }
            requestedExpires = minimum
            return attempt(expires: requestedExpires, now: now, random: &random)
        default:
            var retryAfter: Duration?
            if status == 503 || status == 500, let value = response.headers["Retry-After"],
                let seconds = Int(value.prefix { $0.isNumber }), seconds > 0
            {
                retryAfter = min(.seconds(seconds), Self.maxRetryAfter)
            }
            fail("\(status) \(response.reasonPhrase)", now: now, random: &random, retryAfter: retryAfter)
            return nil
        }
    }

    /// The attempt failed: wait before the next (RFC 5626 §4.5), or what Retry-After says. A
    /// binding that has not expired yet stays known (`expiresAt`): the provider may still route to us.
    private mutating func fail(_ reason: String, now: SIPInstant, random: inout some RandomNumberGenerator, retryAfter: Duration? = nil) {
        guard state != .unregistering else {
            // A removal that fails is not retried: the binding expires on its own.
            (state, lastResult, expiresAt, deadline) = (.unregistered, reason, nil, nil)
            return
        }
        consecutiveFailures += 1
        lastResult = reason
        state = .failed
        answeredNonce = nil
        if let expires = expiresAt, expires <= now { expiresAt = nil }
        if let retryAfter {
            deadline = now + retryAfter
            return
        }
        let exponent = min(consecutiveFailures, 16)
        let ceiling = min(Self.maxWait, Self.baseWait * (1 << exponent))
        let milliseconds = ceiling.components.seconds * 1000
        deadline = now + .milliseconds(Int64.random(in: (milliseconds / 2)...milliseconds, using: &random))
    }

    /// A REGISTER with the next CSeq; with credentials when a challenge is known (a refresh under
    /// the same nonce counts `nc` up, RFC 7616 §3.4, so most refreshes need no new challenge).
    private mutating func attempt(expires: Int, now: SIPInstant, random: inout some RandomNumberGenerator) -> Attempt {
        // While a REGISTER is out its transaction keeps time (Timer F ends it with `.noResponse`).
        deadline = nil
        sequence += 1
        var attempt = Attempt(expires: expires, sequence: sequence)
        if let (header, offered) = challenge {
            nonceCount += 1
            let credentials = offered.answer(
                username: settings.digestUser, password: settings.password, method: "REGISTER", uri: registrarURI,
                cnonce: UserAgent.hex(random.next(), digits: 16), nonceCount: nonceCount)
            attempt.credentials = Credentials(header: header, value: credentials)
            answeredNonce = offered.nonce
        } else {
            answeredNonce = nil
        }
        return attempt
    }

    /// §10.2.4: the `expires` of our Contact in the 2xx, else its `Expires` header, else what we asked.
    func grantedExpires(_ response: SIPResponse) -> Int {
        let contactUser = settings.contactUserPart
        for value in response.headers.values("Contact") {
            for contact in UserAgent.splitCommaList(value) {
                guard let address = try? SIPNameAddress(parsing: contact), address.uri.user == contactUser,
                    let expires = address.parameters.first(where: { $0.name.lowercased() == "expires" })?.value ?? nil,
                    let seconds = Int(expires.trimmedSpaces)
                else { continue }
                return seconds
            }
        }
        if let expires = response.headers["Expires"], let seconds = Int(expires.trimmedSpaces) { return seconds }
        return requestedExpires
    }

    // MARK: - The request

    /// The REGISTER for `attempt` (§10.2): our Contact, `Expires`, the same Call-ID and From tag
    /// every time.
    public func request(_ attempt: Attempt, branch: String, sentBy: String, contactHost: String, product: String) -> SIPRequest {
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/\(registrar.transport.rawValue) \(sentBy);branch=\(branch);rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", "<\(addressOfRecord)>;tag=\(fromTag)")
        headers.add("To", "<\(addressOfRecord)>")
        headers.add("Call-ID", callID)
        headers.add("CSeq", "\(attempt.sequence) REGISTER")
        // Over a stream the Contact names it, so the provider's calls come back the same way.
        let transport = registrar.transport == .udp ? "" : ";transport=\(registrar.transport.rawValue.lowercased())"
        headers.add("Contact", "<sip:\(settings.contactUserPart)@\(contactHost)\(transport)>")
        headers.add("Expires", String(attempt.expires))
        if let credentials = attempt.credentials { headers.add(credentials.header, credentials.value.description) }
        headers.add("Allow", UserAgent.allowHeader)
        headers.add("User-Agent", product)
        // The Request-URI parses: it is built from a checked host and port.
        let uri = (try? SIPURI(parsing: registrarURI)) ?? SIPURI(scheme: .sip, host: settings.aorDomain)
        return SIPRequest(method: .register, uri: uri, headers: headers)
    }

    static func bracketed(_ host: String) -> String { host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host }
}
