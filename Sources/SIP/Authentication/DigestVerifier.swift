/// What to do with a request's digest credentials.
public enum DigestVerdict: Hashable, Sendable {
    /// The user proved the password; the request goes on as this user.
    case accepted(username: String)
    /// Right password, expired nonce: answer 401 (or 407) with `challenges(stale: true)` so the
    /// client retries without asking the user again (RFC 7616 §3.3 `stale`).
    case stale
    /// Not accepted; `DigestError.statusCode` says how to answer, `reason` what to log.
    case rejected(DigestError)
}

/// The UAS side of digest authentication for one realm (RFC 3261 §22.2, §22.3; RFC 7616; RFC 8760):
/// makes challenges and judges credentials, with nonces from a stateless `DigestNonceIssuer`.
/// Pure: the caller passes the time, the randomness and the password lookup.
///
/// Replay: `nc` is not tracked (that would need per-nonce state), so within the nonce lifetime a
/// captured Authorization for the same method and `uri` is accepted again. Pass `requestURI` so
/// that at least it cannot be reused against another target.
public struct DigestVerifier: Sendable {
    public var realm: String
    public var nonces: DigestNonceIssuer
    /// Algorithms offered and accepted; challenges list them strongest first.
    public var algorithms: [DigestAlgorithm]
    /// Accept MD5 credentials without `qop` (the RFC 2069 form, RFC 2617 §3.2.2.1), which many SIP
    /// phones still send. SHA-256 always requires `qop=auth` (RFC 8760 §2.6.1).
    public var acceptsMD5WithoutQop: Bool
    /// Sent in challenges and echoed by clients; not checked (it carries no state here).
    public var opaque: String?

    public init(
        realm: String, nonces: DigestNonceIssuer, algorithms: [DigestAlgorithm] = [.sha256, .md5],
        acceptsMD5WithoutQop: Bool = true, opaque: String? = nil
    ) {
        self.realm = realm
        self.nonces = nonces
        self.algorithms = algorithms
        self.acceptsMD5WithoutQop = acceptsMD5WithoutQop
        self.opaque = opaque
    }

    /// Fresh challenges, one per algorithm, strongest first, sharing one new nonce: the
    /// `WWW-Authenticate` (or `Proxy-Authenticate`) values of a 401 (407).
    public func challenges(now: Int64, stale: Bool = false, random: inout some RandomNumberGenerator) -> [DigestChallenge] {
        DigestChallenge.challenges(
            realm: realm, nonce: nonces.makeNonce(now: now, random: &random), opaque: opaque, algorithms: algorithms,
            stale: stale)
    }

    /// Parses an `Authorization` (or `Proxy-Authorization`) value and judges it; a value that
    /// does not parse is `.rejected` with the parse error.
    public func verify(
        authorization: String, method: String, requestURI: String? = nil, now: Int64, password: (String) -> String?
    ) -> DigestVerdict {
        do throws(DigestError) {
            let credentials = try DigestCredentials(parsing: authorization)
            return verify(credentials, method: method, requestURI: requestURI, now: now, password: password)
        } catch {
            return .rejected(error)
        }
    }

    /// Judges credentials for a request with `method` (e.g. `INVITE`; for ACK and CANCEL the
    /// method of the request itself, RFC 3261 §22.1) at `now` (the nonce issuer's epoch).
    /// `password` returns the user's password, or `nil` for an unknown user. When `requestURI`
    /// is given, the digest `uri` must equal it exactly (RFC 7616 §3.4.6).
    ///
    /// Order matters: the response is checked before staleness, since `stale=true` is only for a
    /// request whose response was right (RFC 7616 §3.3).
    public func verify(
        _ credentials: DigestCredentials, method: String, requestURI: String? = nil, now: Int64,
        password: (String) -> String?
    ) -> DigestVerdict {
        guard algorithms.contains(credentials.algorithm) else {
            return .rejected(.unsupportedAlgorithm(credentials.algorithm.rawValue))
        }
        guard credentials.realm == realm else {
            return .rejected(.realmMismatch(received: credentials.realm, expected: realm))
        }
        if credentials.qop != nil {
            // RFC 7616 §3.4: cnonce and nc MUST be sent with qop.
            guard credentials.cnonce != nil else { return .rejected(.missingParameter("cnonce")) }
            guard credentials.nonceCount != nil else { return .rejected(.missingParameter("nc")) }
        } else if credentials.algorithm != .md5 || !acceptsMD5WithoutQop {
            return .rejected(.qopRequired(credentials.algorithm))
        }
        if let requestURI, credentials.uri != requestURI {
            return .rejected(.uriMismatch(received: credentials.uri, expected: requestURI))
        }
        let validity = nonces.validate(credentials.nonce, now: now)
        guard validity != .invalid else { return .rejected(.nonceInvalid) }

        // An unknown user costs the same hashing as a known one, so timing does not tell them apart.
        let knownPassword = password(credentials.username)
        let expected = credentials.expectedResponse(password: knownPassword ?? "", method: method)
        let matches = DigestEncoding.constantTimeEquals(
            Array(expected.utf8), Array(credentials.response.lowercased().utf8))
        guard knownPassword != nil else { return .rejected(.unknownUser(credentials.username)) }
        guard matches else { return .rejected(.wrongResponse(username: credentials.username)) }
        return validity == .stale ? .stale : .accepted(username: credentials.username)
    }
}
