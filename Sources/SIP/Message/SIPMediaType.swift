/// A Content-Type / Accept media type (RFC 3261 §20.15, RFC 2045 §5.1): `type/subtype;params`.
/// Type and subtype are lower-cased (they are case-insensitive); parameter values keep quotes.
public struct SIPMediaType: Hashable, Sendable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: [SIPParameter]

    public init(type: String, subtype: String, parameters: [SIPParameter] = []) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// A parameter's value with surrounding quotes removed (e.g. `boundary`).
    public func parameter(_ name: String) -> String? {
        guard let value = parameters.value(of: name) ?? nil else { return nil }
        if value.utf8.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            return SIPLexer.unquote(Array(value.utf8).dropFirst().dropLast())
        }
        return value
    }

    /// `type/subtype`, e.g. `application/sdp`.
    public var essence: String { "\(type)/\(subtype)" }

    public var description: String {
        var out = essence
        SIPLexer.append(parameters, to: &out)
        return out
    }

    public init(parsing text: String, header: String = "Content-Type") throws(SIPParseError) {
        let bytes = Array(text.utf8)
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else {
            throw SIPParseError.badHeader(header, "media type without '/'")
        }
        let type = SIPLexer.trim(bytes[..<slash])
        var index = slash + 1
        while index < bytes.count, SIPLexer.isWhitespace(bytes[index]) { index += 1 }
        let start = index
        while index < bytes.count, SIPLexer.isTokenChar(bytes[index]) { index += 1 }
        let subtype = bytes[start..<index]
        guard !type.isEmpty, type.allSatisfy(SIPLexer.isTokenChar), !subtype.isEmpty else {
            throw SIPParseError.badHeader(header, "media type is not token/token")
        }
        self.init(
            type: SIPLexer.string(type), subtype: SIPLexer.string(subtype),
            parameters: try SIPLexer.parameters(bytes[index...], header: header))
    }
}
