/// A URI as SIP carries it: in the Request-URI, in name-addr/addr-spec header values.
///
/// `sip`/`sips` URIs (RFC 3261 §19.1) and `tel` URIs (RFC 3966) are parsed into parts; any other
/// scheme keeps its opaque text so that a request with one can still be answered (416).
public struct SIPURI: Hashable, Sendable {
    public enum Scheme: Hashable, Sendable {
        case sip, sips, tel
        case other(String)
    }

    public var scheme: Scheme
    /// The user part, %-escapes decoded (RFC 3261 §19.1.2: `sips%3Auser%40example.com` is the
    /// user `sips:user@example.com`). For `tel` URIs, the telephone number.
    public var user: String?
    public var password: String?
    /// Host name, IPv4 address, or IPv6 reference without brackets. Empty for `tel` and others.
    public var host: String
    public var port: Int?
    /// URI parameters (`;transport=tcp;lr`) in order; a parameter without `=` has a nil value.
    public var parameters: [SIPParameter]
    /// URI headers (`?Route=...`), %-escapes decoded.
    public var headers: [SIPParameter]
    /// For schemes other than sip/sips/tel: everything after the colon, verbatim.
    public var opaque: String?

    public init(
        scheme: Scheme, user: String? = nil, password: String? = nil, host: String = "", port: Int? = nil,
        parameters: [SIPParameter] = [], headers: [SIPParameter] = [], opaque: String? = nil
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = opaque
    }

    public func parameter(_ name: String) -> String?? {
        parameters.first { $0.name.caseInsensitiveCompare(name) }.map(\.value)
    }
}

/// A `name[=value]` pair, used for URI parameters, URI headers, and header parameters.
public struct SIPParameter: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension String {
    /// ASCII case-insensitive comparison (SIP tokens and parameter names, RFC 3261 §7.3.1).
    @inlinable
    func caseInsensitiveCompare(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
