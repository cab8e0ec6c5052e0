import Dialplan
import SIP

/// Digest authentication of a new call (RFC 3261 §22.2 as a UAS, RFC 7616, RFC 8760).
extension UserAgent {
    /// What the INVITE's credentials decide for a trunk with an `auth` block.
    enum AuthenticationOutcome: Equatable {
        /// The trunk has no `auth` block, or the caller proved a password as this user.
        case admitted(username: String?)
        /// No usable credentials yet, or a stale nonce: answer 401 with fresh challenges.
        case challenge(stale: Bool)
        /// Answer with this status; `reason` is for the security log only.
        case refused(status: Int, reason: String)
    }

    /// The trunk a call from `address` belongs to: the first whose `from` holds it; otherwise a
    /// phone trunk (`auth` only), preferring the one whose accounts hold the username the
    /// INVITE's credentials name, so that several phone trunks can each have their own realm.
    func trunk(forSource address: [UInt8]?, invite: SIPRequest) -> Trunk? {
        Self.trunk(forSource: address, invite: invite, in: dialplan.document, registered: registeredSources)
    }

    /// The same choice for any plan: the adapter's TLS client-certificate gate must pick the trunk
    /// the user agent will pick. A registrar's address is the most specific source there is (a
    /// single address), so a trunk we register with takes its registrar's calls; when several
    /// registrations share a registrar, the Request-URI's user (our Contact user) tells them apart.
    public static func trunk(
        forSource address: [UInt8]?, invite: SIPRequest, in document: DialplanDocument, registered: [RegisteredSource] = []
    ) -> Trunk? {
        if let address {
            let viaRegistrar = registered.filter { $0.address == address }
            let chosen = viaRegistrar.first { $0.contactUser == invite.uri.user } ?? viaRegistrar.first
            if let chosen, let trunk = document.trunk(named: chosen.trunk) { return trunk }
        }
        if let address, let trunk = document.trunk(forSource: address) { return trunk }
        let phoneTrunks = document.phoneTrunks
        let usernames = invite.headers.values("Authorization").compactMap { try? DigestCredentials(parsing: $0).username }
        return phoneTrunks.first { trunk in
            trunk.authentication?.credentials.contains { usernames.contains($0.user) } == true
        } ?? phoneTrunks.first
    }

    /// Why a new call on `trunk` from `peer` is refused for mutual TLS (`tls-client-cert required`),
    /// or nil when the trunk does not ask for it or the connection's certificate was verified.
    func clientCertificateRefusal(trunk: Trunk, peer: SIPPeer) -> String? {
        guard trunk.clientCertificate != nil else { return nil }
        guard peer.transport == .tls else {
            return "trunk \(trunk.name) requires TLS with a client certificate, not \(peer.transport.rawValue)"
        }
        guard let connection = peer.connection, verifiedConnections[connection] != nil else {
            return "trunk \(trunk.name) requires a client certificate and the TLS client sent none"
        }
        return nil
    }

    /// The TLS handshake on stream connection `connection` verified the client's certificate
    /// (against the authorities of the trunks that could take its calls); `certificate` says whose.
    public mutating func connectionVerified(_ connection: UInt64, certificate: String) {
        verifiedConnections[connection] = certificate
    }

    /// A stream connection closed: its verification goes with it (its identifier is not reused, but
    /// the table must not grow).
    public mutating func connectionClosed(_ connection: UInt64) {
        verifiedConnections.removeValue(forKey: connection)
    }

    /// Judges the INVITE's `Authorization` for `trunk`. Failures count against the source in the
    /// entry guard, so that password guessing meets the same lock-out as passcode guessing.
    mutating func authenticate(_ invite: SIPRequest, trunk: Trunk, source: String, now: SIPInstant) -> AuthenticationOutcome {
        guard let authentication = trunk.authentication else { return .admitted(username: nil) }
        if entryGuard.isLocked(source: source, now: now) {
            return .refused(status: 403, reason: "source \(source) is locked out after repeated failures")
        }
        let verifier = digestVerifier(for: authentication)
        // RFC 3261 §22.4: a request may carry credentials for several realms; ours is the one.
        let values = invite.headers.values("Authorization")
        guard !values.isEmpty else { return .challenge(stale: false) }
        var ours: DigestCredentials?
        var firstError: DigestError?
        for value in values {
            do throws(DigestError) {
                let credentials = try DigestCredentials(parsing: value)
                if credentials.realm == verifier.realm, ours == nil { ours = credentials }
            } catch {
                firstError = firstError ?? error
            }
        }
        guard let credentials = ours else {
            if let firstError { return refusal(firstError, source: source, now: now) }
            // Credentials for other realms only: the client has not answered our challenge yet.
            return .challenge(stale: false)
        }
        guard UserAgent.digestURI(credentials.uri, names: invite.uri) else {
            return refusal(.uriMismatch(received: credentials.uri, expected: invite.uri.description), source: source, now: now)
        }
        let verdict = verifier.verify(credentials, method: invite.method.token, now: unixSeconds(now)) { user in
            authentication.credentials.first { $0.user == user }?.password
        }
        switch verdict {
        case .accepted(let username): return .admitted(username: username)
        case .stale: return .challenge(stale: true)
        case .rejected(let error): return refusal(error, source: source, now: now)
        }
    }

    /// The `WWW-Authenticate` values of a 401 for `trunk`: one challenge per algorithm, strongest
    /// first, sharing one new nonce (RFC 8760 §2.4).
    mutating func challenges(for trunk: Trunk, stale: Bool, now: SIPInstant) -> [String] {
        guard let authentication = trunk.authentication else { return [] }
        return digestVerifier(for: authentication).challenges(now: unixSeconds(now), stale: stale, random: &random)
            .map(\.description)
    }

    /// RFC 7616 §3.4.6: the digest `uri` must name this request's target. Compared as URIs
    /// (RFC 3261 §19.1.4), since clients write the same URI differently; a `uri` without a user
    /// part naming this gateway's host and port is accepted too, because sipp and several SBCs
    /// send that. Either way the response hash covers the `uri` as sent, so it cannot be altered.
    static func digestURI(_ text: String, names requestURI: SIPURI) -> Bool {
        guard let uri = try? SIPURI(parsing: text) else { return false }
        if uri == requestURI { return true }
        return uri.user == nil && uri.scheme == requestURI.scheme && uri.host.lowercased() == requestURI.host.lowercased()
            && uri.port == requestURI.port
    }

    private mutating func refusal(_ error: DigestError, source: String, now: SIPInstant) -> AuthenticationOutcome {
        // A header that does not parse is a broken client, not a guess; wrong answers are guesses.
        if error.statusCode != 400 {
            _ = entryGuard.recordFailure(source: source, meeting: nil, now: now)
        }
        // 401 comes with a fresh challenge (a client with the right password can still succeed);
        // an unknown user and a wrong password both get 403 and look the same on the wire.
        return .refused(status: error.statusCode, reason: error.reason)
    }

    private func digestVerifier(for authentication: DigestAuthentication) -> DigestVerifier {
        let algorithms = authentication.algorithms.map { algorithm -> DigestAlgorithm in
            switch algorithm {
            case .sha256: .sha256
            case .md5: .md5
            }
        }
        return DigestVerifier(realm: authentication.realm ?? settings.advertisedHost, nonces: digestNonces, algorithms: algorithms)
    }

    /// Nonces carry wall-clock seconds; their lifetime is checked against the same clock.
    private func unixSeconds(_ instant: SIPInstant) -> Int64 {
        Int64(settings.wallClock(instant).timeIntervalSince1970.rounded(.down))
    }
}
