/// One Via value (RFC 3261 §20.42, §25.1 `via-parm`):
/// `SIP/2.0/UDP host[:port];branch=...;received=...;rport`.
///
/// The protocol name and version must be `SIP/2.0`; the transport is any token, upper-cased
/// (RFC 4475 §3.1.1.10: unknown transports are well-formed). LWS is allowed around `/`
/// (RFC 4475 §3.1.1.1). `branch`, `received` and `rport` are views over `parameters`.
public struct SIPVia: Hashable, Sendable, CustomStringConvertible {
    /// RFC 3581 `rport`: absent, asked for by the client (no value), or filled in by the server.
    public enum RPort: Hashable, Sendable {
        case absent, requested
        case value(Int)
    }

    /// Transport token, upper-cased: `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, or any other token.
    public var transport: String
    /// Host name, IPv4 address, or IPv6 address without brackets.
    public var host: String
    public var port: Int?
    /// `via-params` in order, including branch, received, rport, maddr, ttl.
    public var parameters: [SIPParameter]

    public init(transport: String, host: String, port: Int? = nil, parameters: [SIPParameter] = []) {
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The transaction identifier (RFC 3261 §17.2.3). `nil` when absent or written without value.
    public var branch: String? {
        get { parameters.value(of: "branch") ?? nil }
        set { parameters.set("branch", newValue.map { .some($0) }) }
    }

    /// The source address the server saw (RFC 3261 §18.2.1).
    public var received: String? {
        get { parameters.value(of: "received") ?? nil }
        set { parameters.set("received", newValue.map { .some($0) }) }
    }

    /// RFC 3581 §4: `rport` without value asks the server to fill in the source port.
    /// A value that is not a port number reads as `.requested`.
    public var rport: RPort {
        get {
            switch parameters.value(of: "rport") {
            case .none: return .absent
            case .some(.none): return .requested
            case .some(.some(let text)):
                if let port = SIPLexer.decimal(text, maximum: 65_535) { return .value(port) }
                return .requested
            }
        }
        set {
            switch newValue {
            case .absent: parameters.set("rport", nil)
            case .requested: parameters.set("rport", .some(nil))
            case .value(let port): parameters.set("rport", .some(String(port)))
            }
        }
    }

    /// `host[:port]`, with an IPv6 host in brackets (RFC 3261 §25.1 `sent-by`).
    public var sentBy: String {
        var out = host.contains(":") ? "[\(host)]" : host
        if let port { out += ":\(port)" }
        return out
    }

    /// `SIP/2.0/TRANSPORT sent-by;params`.
    public var description: String {
        var out = "SIP/2.0/\(transport) \(sentBy)"
        SIPLexer.append(parameters, to: &out)
        return out
    }

    /// Parses ONE Via value. A header line may hold several, comma-separated: use
    /// `SIPVia.parseList(_:)` or `SIPHeaders.vias()` for those.
    public init(parsing text: String) throws(SIPParseError) {
        let bytes = Array(text.utf8)
        func fail(_ problem: String) -> SIPParseError { .badHeader("Via", problem) }
        var index = 0
        func skipSpace() { while index < bytes.count, SIPLexer.isWhitespace(bytes[index]) { index += 1 } }
        func token() -> String {
            skipSpace()
            let start = index
            while index < bytes.count, SIPLexer.isTokenChar(bytes[index]) { index += 1 }
            return SIPLexer.string(bytes[start..<index])
        }
        func slash() throws(SIPParseError) {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "/") else { throw fail("malformed sent-protocol") }
            index += 1
        }
        // RFC 3261 §25.1: sent-protocol = protocol-name SLASH protocol-version SLASH transport.
        let name = token()
        try slash()
        let version = token()
        try slash()
        let transport = token()
        guard name.caseInsensitiveCompare("SIP"), version == "2.0" else {
            throw fail("protocol must be SIP/2.0")
        }
        guard !transport.isEmpty else { throw fail("missing transport") }
        skipSpace()
        // sent-by = host [ COLON port ]
        var host: String
        if index < bytes.count, bytes[index] == UInt8(ascii: "[") {
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")) else {
                throw fail("unterminated IPv6 reference")
            }
            host = SIPLexer.string(bytes[(index + 1)..<close])
            index = close + 1
        } else {
            let start = index
            while index < bytes.count,
                SIPLexer.isAlpha(bytes[index]) || SIPLexer.isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "-")
                    || bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "_")
            {
                index += 1
            }
            host = SIPLexer.string(bytes[start..<index])
        }
        guard !host.isEmpty else { throw fail("missing sent-by host") }
        skipSpace()
        var port: Int?
        if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
            index += 1
            skipSpace()
            let start = index
            while index < bytes.count, SIPLexer.isDigit(bytes[index]) { index += 1 }
            guard let value = SIPLexer.decimal(SIPLexer.string(bytes[start..<index]), maximum: 65_535) else {
                throw fail("invalid port")
            }
            port = value
        }
        let parameters = try SIPLexer.parameters(bytes[index...], header: "Via")
        self.init(transport: transport, host: host, port: port, parameters: parameters)
    }

    /// Parses a header line that may hold several comma-separated Via values.
    public static func parseList(_ text: String) throws(SIPParseError) -> [SIPVia] {
        var result: [SIPVia] = []
        for part in try SIPLexer.splitCommas(text, header: "Via") {
            guard !part.isEmpty else { throw SIPParseError.badHeader("Via", "empty value") }
            result.append(try SIPVia(parsing: part))
        }
        return result
    }
}
