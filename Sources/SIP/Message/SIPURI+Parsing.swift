extension SIPURI {
    /// Parses a URI as it appears in a Request-URI or inside `<...>` of a header value.
    ///
    /// - `sip`/`sips` (RFC 3261 §19.1.1, §25.1): `scheme:[user[:password]@]host[:port][;params][?headers]`.
    ///   The user part may hold `;`, `?` and `/` (RFC 4475 §3.1.1.9): it ends at the first `@`,
    ///   which no later part may contain unescaped. User, password, parameters and headers have
    ///   their %-escapes decoded once (RFC 4475 §3.1.1.3: no recursive unescaping).
    /// - `tel` (RFC 3966 §3): the number goes to `user`, `;params` to `parameters`.
    /// - any other scheme: the text after the colon is kept verbatim in `opaque`, and the scheme
    ///   name as written (`sip`/`sips`/`tel` are matched case-insensitively).
    ///
    /// Whitespace anywhere is an error: a URI never contains LWS (RFC 4475 §3.1.2.8, §3.1.2.14).
    public init(parsing text: String) throws(SIPParseError) {
        try self.init(bytes: Array(text.utf8))
    }

    public init(parsing text: Substring) throws(SIPParseError) {
        try self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8]) throws(SIPParseError) {
        func fail(_ problem: String) -> SIPParseError {
            SIPParseError(.malformedURI, "Bad URI: \(problem)")
        }
        guard !bytes.isEmpty else { throw fail("empty") }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { throw fail("no scheme") }
        let schemeBytes = bytes[..<colon]
        guard let first = schemeBytes.first, SIPLexer.isAlpha(first),
            schemeBytes.allSatisfy({
                SIPLexer.isAlpha($0) || SIPLexer.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: ".")
            })
        else { throw fail("invalid scheme") }
        if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw fail("whitespace or control character in URI")
        }
        let schemeText = SIPLexer.string(schemeBytes)
        let rest = bytes[(colon + 1)...]
        switch schemeText.lowercased() {
        case "sip": self = try SIPURI.parseSIP(.sip, rest, fail)
        case "sips": self = try SIPURI.parseSIP(.sips, rest, fail)
        case "tel":
            // RFC 3966 §3: telephone-subscriber = number *par; parameters are ;name[=value].
            let semicolon = rest.firstIndex(of: UInt8(ascii: ";")) ?? rest.endIndex
            let number = rest[..<semicolon]
            guard !number.isEmpty else { throw fail("empty telephone number") }
            self.init(
                scheme: .tel, user: try SIPURI.unescape(number),
                parameters: try SIPURI.uriParameters(rest[semicolon...], fail))
        default:
            guard !rest.isEmpty else { throw fail("nothing after the scheme") }
            self.init(scheme: .other(schemeText), opaque: SIPLexer.string(rest))
        }
    }

    private static func parseSIP(
        _ scheme: Scheme, _ text: ArraySlice<UInt8>, _ fail: (String) -> SIPParseError
    ) throws(SIPParseError) -> SIPURI {
        var rest = text
        var user: String?
        var password: String?
        if let at = rest.firstIndex(of: UInt8(ascii: "@")) {
            let userinfo = rest[..<at]
            rest = rest[(at + 1)...]
            let colon = userinfo.firstIndex(of: UInt8(ascii: ":"))
            let userBytes = userinfo[..<(colon ?? userinfo.endIndex)]
            guard !userBytes.isEmpty else { throw fail("empty user part") }
            user = try unescape(userBytes)
            if let colon { password = try unescape(userinfo[(colon + 1)...]) }
        }
        // Host: IPv6 reference in brackets, or everything up to ':', ';' or '?'.
        var host: String
        if rest.first == UInt8(ascii: "[") {
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { throw fail("unterminated IPv6 reference") }
            let inner = rest[(rest.startIndex + 1)..<close]
            guard !inner.isEmpty,
                inner.allSatisfy({
                    SIPLexer.isDigit($0) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) || $0 == UInt8(ascii: ":")
                        || $0 == UInt8(ascii: ".")
                })
            else { throw fail("invalid IPv6 reference") }
            host = SIPLexer.string(inner)
            rest = rest[(close + 1)...]
        } else {
            let end =
                rest.firstIndex { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "?") }
                ?? rest.endIndex
            let hostBytes = rest[..<end]
            guard !hostBytes.isEmpty else { throw fail("empty host") }
            guard
                hostBytes.allSatisfy({
                    SIPLexer.isAlpha($0) || SIPLexer.isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                        || $0 == UInt8(ascii: "_")
                })
            else { throw fail("invalid character in host") }
            host = SIPLexer.string(hostBytes)
            rest = rest[end...]
        }
        var port: Int?
        if rest.first == UInt8(ascii: ":") {
            rest = rest.dropFirst()
            let end = rest.firstIndex { $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
            guard let value = SIPLexer.decimal(SIPLexer.string(rest[..<end]), maximum: 65_535) else {
                throw fail("invalid port")
            }
            port = value
            rest = rest[end...]
        }
        let question = rest.firstIndex(of: UInt8(ascii: "?")) ?? rest.endIndex
        let parameters = try uriParameters(rest[..<question], fail)
        var headers: [SIPParameter] = []
        if question < rest.endIndex {
            // RFC 3261 §19.1.1: headers = "?" header *( "&" header ), header = hname "=" hvalue.
            for item in rest[(question + 1)...].split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
                let equals = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
                guard equals > item.startIndex else { throw fail("empty URI header name") }
                let value = equals < item.endIndex ? try unescape(item[(equals + 1)...]) : ""
                headers.append(SIPParameter(try unescape(item[..<equals]), value))
            }
        }
        return SIPURI(
            scheme: scheme, user: user, password: password, host: host, port: port, parameters: parameters,
            headers: headers)
    }

    /// `;name[=value]` URI parameters, %-decoded. The text must start with `;` or be empty.
    private static func uriParameters(
        _ text: ArraySlice<UInt8>, _ fail: (String) -> SIPParseError
    ) throws(SIPParseError) -> [SIPParameter] {
        guard !text.isEmpty else { return [] }
        var result: [SIPParameter] = []
        for item in text.dropFirst().split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty URI parameter") }
            if let equals = item.firstIndex(of: UInt8(ascii: "=")) {
                guard equals > item.startIndex else { throw fail("URI parameter without a name") }
                result.append(SIPParameter(try unescape(item[..<equals]), try unescape(item[(equals + 1)...])))
            } else {
                result.append(SIPParameter(try unescape(item), nil))
            }
        }
        return result
    }

    /// Decodes %HH escapes (RFC 3261 §25.1 `escaped`). A `%` not followed by two hex digits is an
    /// error. Decoded octets that are not UTF-8 become U+FFFD.
    static func unescape(_ bytes: ArraySlice<UInt8>) throws(SIPParseError) -> String {
        guard bytes.contains(UInt8(ascii: "%")) else { return SIPLexer.string(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { throw SIPParseError(.malformedURI, "Bad URI: invalid %-escape") }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
