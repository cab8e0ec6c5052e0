/// Why digest credentials were not accepted (RFC 3261 §22, RFC 7616).
///
/// `reason` is for the operator's log and may name the user; it must not go on the wire, where
/// an unknown user and a wrong password have to look the same. `statusCode` says how to answer.
public enum DigestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The header value does not follow RFC 7616 §3.4 / RFC 3261 §25.1 `credentials`; the
    /// associated value says where.
    case malformed(String)
    /// The credentials use another scheme (e.g. `Basic`, forbidden in SIP by RFC 3261 §22.1).
    case notDigest(scheme: String)
    /// The header value exceeds `DigestCredentials.maxHeaderLength` octets.
    case headerTooLong(limit: Int)
    /// One parameter value exceeds `DigestCredentials.maxValueLength` octets.
    case valueTooLong(parameter: String, limit: Int)
    /// A parameter appears twice (RFC 7616 §3.4: each at most once).
    case duplicateParameter(String)
    /// A parameter the computation needs is absent (RFC 7616 §3.4; `cnonce` and `nc` with `qop`).
    case missingParameter(String)
    /// An algorithm this gateway does not compute or does not accept (RFC 7616 §3.3).
    case unsupportedAlgorithm(String)
    /// A `qop` other than `auth`.
    case unsupportedQop(String)
    /// `userhash=true` (RFC 7616 §3.4.4): usernames are looked up in the clear only.
    case unsupportedUserhash
    /// No `qop` with an algorithm that requires it: only MD5 keeps the RFC 2069 form
    /// (RFC 7616 §3.4, RFC 8760 §2.6.1).
    case qopRequired(DigestAlgorithm)
    /// The credentials are for another protection space (RFC 3261 §22.1).
    case realmMismatch(received: String, expected: String)
    /// `uri` differs from the Request-URI (RFC 7616 §3.4.6): a replay against another target.
    case uriMismatch(received: String, expected: String)
    /// The nonce was not issued with this gateway's secret, or is not a nonce at all.
    case nonceInvalid
    /// No password is configured for the username.
    case unknownUser(String)
    /// The response does not match: usually a wrong password.
    case wrongResponse(username: String)

    /// A sentence for the operator's log, with peer-supplied text escaped and shortened.
    public var reason: String {
        func show(_ text: String) -> String { "\"\(DigestEncoding.printable(text))\"" }
        switch self {
        case .malformed(let problem): return "malformed credentials: \(problem)"
        case .notDigest(let scheme): return "authentication scheme \(show(scheme)) is not Digest"
        case .headerTooLong(let limit): return "credentials longer than \(limit) octets"
        case .valueTooLong(let parameter, let limit):
            return "parameter \(show(parameter)) longer than \(limit) octets"
        case .duplicateParameter(let name): return "parameter \(show(name)) given twice"
        case .missingParameter(let name): return "parameter \(show(name)) missing"
        case .unsupportedAlgorithm(let name): return "algorithm \(show(name)) not supported"
        case .unsupportedQop(let name): return "qop \(show(name)) not supported (only auth)"
        case .unsupportedUserhash: return "userhash=true not supported"
        case .qopRequired(let algorithm): return "algorithm \(algorithm.rawValue) requires qop=auth"
        case .realmMismatch(let received, let expected):
            return "realm \(show(received)) is not this gateway's realm \(show(expected))"
        case .uriMismatch(let received, let expected):
            return "digest uri \(show(received)) differs from the Request-URI \(show(expected))"
        case .nonceInvalid: return "nonce not issued by this gateway (forged, corrupted, or from before a secret change)"
        case .unknownUser(let username): return "unknown user \(show(username))"
        case .wrongResponse(let username): return "wrong response for user \(show(username)) (wrong password?)"
        }
    }

    /// The suggested answer: 400 for a header that does not parse; 403 Forbidden for an unknown
    /// user or a wrong password (the same code for both); 401 with a fresh challenge otherwise
    /// (RFC 3261 §22.2), since a client with the right password can still succeed.
    public var statusCode: Int {
        switch self {
        case .malformed, .headerTooLong, .valueTooLong, .duplicateParameter, .missingParameter: return 400
        case .unknownUser, .wrongResponse: return 403
        case .notDigest, .unsupportedAlgorithm, .unsupportedQop, .unsupportedUserhash, .qopRequired, .realmMismatch,
            .uriMismatch, .nonceInvalid:
            return 401
        }
    }

    public var description: String { "\(statusCode) \(reason)" }
}
