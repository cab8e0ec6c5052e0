/// Digest credentials, the value of an `Authorization` or `Proxy-Authorization` header field
/// (RFC 3261 §22.2, RFC 7616 §3.4). Parse with `init(parsing:)`; check with `DigestVerifier`.
public struct DigestCredentials: Hashable, Sendable, CustomStringConvertible {
    public var username: String
    public var realm: String
    public var nonce: String
    /// `digest-uri`: the Request-URI as the client saw it (RFC 3261 §22.4).
    public var uri: String
    /// The client's response, hex digits as sent.
    public var response: String
    /// MD5 when the parameter is absent (RFC 7616 §3.4).
    public var algorithm: DigestAlgorithm
    public var cnonce: String?
    /// `nil` for the RFC 2069 form (no qop, no cnonce, no nc).
    public var qop: DigestQop?
    /// `nc`: eight hex digits, kept as sent since they enter the hash as sent (RFC 7616 §3.4).
    public var nonceCount: String?
    public var opaque: String?

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String, algorithm: DigestAlgorithm = .md5,
        cnonce: String? = nil, qop: DigestQop? = nil, nonceCount: String? = nil, opaque: String? = nil
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.cnonce = cnonce
        self.qop = qop
        self.nonceCount = nonceCount
        self.opaque = opaque
    }

    /// The response a client knowing `password` computes for these credentials and `method`
    /// (RFC 7616 §3.4.1): with `qop=auth`, `H(H(A1):nonce:nc:cnonce:qop:H(A2))`; without qop, the
    /// RFC 2069 form `H(H(A1):nonce:H(A2))` (RFC 2617 §3.2.2.1). `A1 = username:realm:password`,
    /// `A2 = method:uri`. A missing `nc` or `cnonce` counts as empty; the verifier rejects those first.
    public func expectedResponse(password: String, method: String) -> String {
        let ha1 = algorithm.hash("\(username):\(realm):\(password)")
        let ha2 = algorithm.hash("\(method):\(uri)")
        guard let qop else { return algorithm.hash("\(ha1):\(nonce):\(ha2)") }
        return algorithm.hash("\(ha1):\(nonce):\(nonceCount ?? ""):\(cnonce ?? ""):\(qop.rawValue):\(ha2)")
    }

    /// The header field value as a UAC sends it (RFC 7616 §3.4: `qop`, `nc` and `algorithm`
    /// unquoted).
    public var description: String {
        var out = "Digest username=\(DigestEncoding.quote(username)), realm=\(DigestEncoding.quote(realm))"
        out += ", nonce=\(DigestEncoding.quote(nonce)), uri=\(DigestEncoding.quote(uri))"
        out += ", response=\(DigestEncoding.quote(response)), algorithm=\(algorithm.rawValue)"
        if let cnonce { out += ", cnonce=\(DigestEncoding.quote(cnonce))" }
        if let qop { out += ", qop=\(qop.rawValue)" }
        if let nonceCount { out += ", nc=\(nonceCount)" }
        if let opaque { out += ", opaque=\(DigestEncoding.quote(opaque))" }
        return out
    }
}
