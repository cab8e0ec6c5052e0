/// A `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route,
/// Record-Route, Refer-To (RFC 3261 §20.10, §25.1).
///
/// In the `addr-spec` form (no angle brackets) every `;param` after the URI is a header
/// parameter, not a URI parameter (RFC 3261 §20.10; RFC 4475 §3.3.12 `cparam01` vs §3.3.13
/// `cparam02`). A URI with `?headers` must then be in brackets (RFC 4475 §3.1.2.13).
public struct SIPNameAddress: Hashable, Sendable, CustomStringConvertible {
    /// The display name, unquoted (quoted-pairs resolved), or nil when absent.
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters in order (`tag`, `expires`, `q`, ...). Quoted values keep their quotes.
    public var parameters: [SIPParameter]

    public init(displayName: String? = nil, uri: SIPURI, parameters: [SIPParameter] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The dialog tag (RFC 3261 §19.3).
    public var tag: String? {
        get { parameters.value(of: "tag") ?? nil }
        set { parameters.set("tag", newValue.map { .some($0) }) }
    }

    /// A header parameter's value: `.some(nil)` for one written without `=`, nil when absent.
    public func parameter(_ name: String) -> String?? { parameters.value(of: name) }

    /// Always the name-addr form, which is unambiguous for every URI (RFC 3261 §20.10):
    /// `"Display" <uri>;params`.
    public var description: String {
        var out = ""
        if let displayName {
            out += SIPLexer.quote(displayName)
            out += " "
        }
        out += "<"
        out += uri.description
        out += ">"
        SIPLexer.append(parameters, to: &out)
        return out
    }

    /// Parses one value. `header` names the field in error reasons (e.g. `From`).
    public init(parsing text: String, header: String = "Address") throws(SIPParseError) {
        let bytes = Array(text.utf8)
        func fail(_ problem: String) -> SIPParseError { .badHeader(header, problem) }
        var index = 0
        func skipSpace() { while index < bytes.count, SIPLexer.isWhitespace(bytes[index]) { index += 1 } }
        skipSpace()
        guard index < bytes.count else { throw fail("empty value") }

        // Find a top-level '<' (outside a quoted string): that makes it the name-addr form.
        var displayName: String?
        var angle: Int?
        if bytes[index] == UInt8(ascii: "\"") {
            let end = try SIPLexer.endOfQuotedString(bytes, from: index, header: header)
            displayName = SIPLexer.unquote(bytes[(index + 1)..<(end - 1)])
            index = end
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else {
                throw fail("quoted display name must be followed by <URI>")
            }
            angle = index
        } else if let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
            // RFC 3261 §25.1: display-name = *(token LWS) / quoted-string. RFC 4475 §3.1.1.6
            // (`lwsdisp`): accept no LWS before '<'. RFC 4475 §3.1.2.15 (`baddn`): reject
            // non-token characters such as ',' in an unquoted name.
            let words = bytes[index..<open].split(whereSeparator: SIPLexer.isWhitespace)
            for word in words where !word.allSatisfy(SIPLexer.isTokenChar) {
                throw fail("display name with non-token characters must be quoted")
            }
            if !words.isEmpty { displayName = words.map(SIPLexer.string).joined(separator: " ") }
            angle = open
        }

        let uri: SIPURI
        if let angle {
            guard let close = bytes[angle...].firstIndex(of: UInt8(ascii: ">")) else {
                throw fail("missing '>'")
            }
            let inner = bytes[(angle + 1)..<close]
            if inner.contains(where: SIPLexer.isWhitespace) {
                // RFC 4475 §3.1.2.14 (`badaspec`).
                throw fail("spaces within addr-spec")
            }
            do { uri = try SIPURI(bytes: Array(inner)) } catch { throw fail(error.reason) }
            index = close + 1
        } else {
            // addr-spec: the URI ends at the first ';' or whitespace (RFC 3261 §20.10).
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: ";"), !SIPLexer.isWhitespace(bytes[index]) {
                index += 1
            }
            let spec = bytes[start..<index]
            if spec.contains(UInt8(ascii: "?")) || spec.contains(UInt8(ascii: ">")) {
                throw fail("URI with headers must be enclosed in <>")
            }
            do { uri = try SIPURI(bytes: Array(spec)) } catch { throw fail(error.reason) }
        }
        let parameters = try SIPLexer.parameters(bytes[index...], header: header)
        self.init(displayName: displayName, uri: uri, parameters: parameters)
    }
}

/// The value of the Contact header field(s): either `*` (only in a REGISTER that removes all
/// bindings, RFC 3261 §10.2.2) or a list of addresses.
public enum SIPContacts: Hashable, Sendable {
    case wildcard
    case addresses([SIPNameAddress])

    /// The addresses; empty for the wildcard.
    public var addresses: [SIPNameAddress] {
        switch self {
        case .wildcard: []
        case .addresses(let list): list
        }
    }
}
