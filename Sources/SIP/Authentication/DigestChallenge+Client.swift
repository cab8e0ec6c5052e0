/// The client's side of digest authentication: reading a server's challenge and answering it
/// (RFC 3261 §22.2–22.4, RFC 7616 §3.3–3.4, RFC 8760 §2.4). The gateway is a client when it
/// registers with a provider.
extension DigestChallenge {
    /// Parses a `WWW-Authenticate` or `Proxy-Authenticate` value (RFC 7616 §3.3). `qop` is a quoted
    /// list (`"auth,auth-int"`): `auth` is taken when listed; a list without `auth` is unsupported.
    /// A missing `algorithm` means MD5. Unknown parameters (`domain`, `charset`, ...) are ignored.
    /// Throws on anything that cannot be answered: another scheme, a missing `realm` or `nonce`,
    /// an algorithm this gateway does not compute, `auth-int` only.
    public init(parsing text: String) throws(DigestError) {
        guard text.utf8.count <= DigestCredentials.maxHeaderLength else {
            throw .headerTooLong(limit: DigestCredentials.maxHeaderLength)
        }
        let parameters = try DigestParameterScanner.scan(Array(text.utf8))
        guard let realm = parameters["realm"] else { throw .missingParameter("realm") }
        guard let nonce = parameters["nonce"] else { throw .missingParameter("nonce") }
        var algorithm = DigestAlgorithm.md5
        if let name = parameters["algorithm"] {
            guard let parsed = DigestAlgorithm(parsing: name) else { throw .unsupportedAlgorithm(name) }
            algorithm = parsed
        }
        var qop: DigestQop?
        if let list = parameters["qop"] {
            let offered = list.split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
            guard offered.contains(DigestQop.auth.rawValue) else { throw .unsupportedQop(list) }
            qop = .auth
        }
        // RFC 8760 §2.6.1: only MD5 keeps the form without qop.
        if qop == nil, algorithm != .md5 { throw .qopRequired(algorithm) }
        self.init(
            realm: realm, nonce: nonce, opaque: parameters["opaque"], algorithm: algorithm,
            stale: parameters["stale"]?.lowercased() == "true", qop: qop)
    }

    /// The challenge to answer among those of one response: the strongest algorithm this gateway
    /// computes (RFC 8760 §2.4: a UAC uses the topmost one it supports; servers list the strongest
    /// first, and this does not trust that order). Values that do not parse are skipped; nil when
    /// none can be answered, with the first reason.
    public static func preferred(among values: [String]) -> Result<DigestChallenge, DigestError> {
        var best: DigestChallenge?
        var firstError: DigestError?
        for value in values {
            do throws(DigestError) {
                let challenge = try DigestChallenge(parsing: value)
                if best.map({ challenge.algorithm.strength > $0.algorithm.strength }) ?? true { best = challenge }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let best { return .success(best) }
        return .failure(firstError ?? .missingParameter("WWW-Authenticate"))
    }

    /// The credentials that answer this challenge for `method` on `uri` (RFC 7616 §3.4): with
    /// `qop=auth`, `cnonce` and the nonce count `nc` (the how-many-th request under this nonce,
    /// from 1) enter the hash.
    public func answer(
        username: String, password: String, method: String, uri: String, cnonce: String, nonceCount: UInt32
    ) -> DigestCredentials {
        var credentials = DigestCredentials(
            username: username, realm: realm, nonce: nonce, uri: uri, response: "", algorithm: algorithm, opaque: opaque)
        if let qop {
            credentials.qop = qop
            credentials.cnonce = cnonce
            let hex = String(nonceCount, radix: 16)
            credentials.nonceCount = String(repeating: "0", count: max(0, 8 - hex.count)) + hex
        }
        credentials.response = credentials.expectedResponse(password: password, method: method)
        return credentials
    }
}
