/// One digest challenge, the value of a `WWW-Authenticate` (401) or `Proxy-Authenticate` (407)
/// header field (RFC 3261 §22.1, RFC 7616 §3.3):
/// `Digest realm="...", nonce="...", opaque="...", algorithm=SHA-256, qop="auth"[, stale=true]`.
public struct DigestChallenge: Hashable, Sendable, CustomStringConvertible {
    public var realm: String
    public var nonce: String
    /// Echoed by the client; carries nothing here (nonces are self-validating), so optional.
    public var opaque: String?
    public var algorithm: DigestAlgorithm
    /// The credentials' nonce had expired but their response was right: the client may retry with
    /// this nonce without asking the user again (RFC 7616 §3.3 `stale`).
    public var stale: Bool
    /// `auth` when the server offers it; nil for a challenge without `qop` (the RFC 2069 form,
    /// which only MD5 keeps). The gateway's own challenges always offer `auth`.
    public var qop: DigestQop?

    public init(
        realm: String, nonce: String, opaque: String? = nil, algorithm: DigestAlgorithm, stale: Bool = false, qop: DigestQop? = .auth
    ) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.algorithm = algorithm
        self.stale = stale
        self.qop = qop
    }

    /// One challenge per algorithm, strongest first and without repeats (RFC 8760 §2.3: the UAS
    /// adds one header field per algorithm in its order of preference). All share the nonce, as
    /// in RFC 7616 §3.9.1.
    public static func challenges(
        realm: String, nonce: String, opaque: String? = nil, algorithms: [DigestAlgorithm] = [.sha256, .md5],
        stale: Bool = false
    ) -> [DigestChallenge] {
        var seen: Set<DigestAlgorithm> = []
        return algorithms.filter { seen.insert($0).inserted }
            .sorted { $0.strength > $1.strength }
            .map { DigestChallenge(realm: realm, nonce: nonce, opaque: opaque, algorithm: $0, stale: stale) }
    }

    /// The header field value. The gateway's challenges always offer `qop="auth"` (RFC 8760 §2.6.1).
    public var description: String {
        var out = "Digest realm=\(DigestEncoding.quote(realm)), nonce=\(DigestEncoding.quote(nonce))"
        if let opaque { out += ", opaque=\(DigestEncoding.quote(opaque))" }
        out += ", algorithm=\(algorithm.rawValue)"
        if let qop { out += ", qop=\"\(qop.rawValue)\"" }
        if stale { out += ", stale=true" }
        return out
    }
}
