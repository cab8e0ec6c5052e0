/// `a=fmtp:<format> <format specific parameters>` (RFC 8866 §6.15).
///
/// The parameters are kept raw because their syntax belongs to each media type: Opus uses
/// `key=value; key=value` (RFC 7587 §6.1), telephone-event a bare event list `0-15,66,70`
/// (RFC 4733 §2.4.1), RED a `101/101/101` chain (RFC 2198 §5).
public struct SDPFormatParameters: Hashable, Sendable {
    /// The format (payload type number for RTP) as written.
    public var format: String
    public var parameters: String

    public init(format: String, parameters: String) {
        self.format = format
        self.parameters = parameters
    }

    /// Parses the attribute value (after `fmtp:`).
    public init(parsing value: String) throws(SDPAttributeError) {
        guard let space = value.firstIndex(of: " "), space != value.startIndex else {
            throw SDPAttributeError(attribute: "fmtp", reason: "expected \"<format> <parameters>\", got \"\(value)\"")
        }
        let rest = value[value.index(after: space)...].drop { $0 == " " }
        self.init(format: String(value[..<space]), parameters: String(rest))
    }

    /// The payload type, when the format is an RTP payload type number.
    public var payloadType: UInt8? {
        SDPNumber.parse(format[...]).flatMap { (value: UInt8) in value <= 127 ? value : nil }
    }

    /// `key=value` pairs split on `;` with surrounding spaces trimmed, in order; a part without
    /// `=` gives an empty value. For media types that use this convention (Opus, H.264, ...).
    public var keyValuePairs: [(key: String, value: String)] {
        parameters.split(separator: ";").compactMap { part in
            let trimmed = part.trimmingSpaces()
            guard !trimmed.isEmpty else { return nil }
            if let equals = trimmed.firstIndex(of: "=") {
                return (
                    String(trimmed[..<equals].trimmingSpaces()),
                    String(trimmed[trimmed.index(after: equals)...].trimmingSpaces())
                )
            }
            return (String(trimmed), "")
        }
    }

    /// The value of one `key=value` parameter (keys compare case-insensitively, RFC 4855 §3).
    public func value(for key: String) -> String? {
        let wanted = key.lowercased()
        return keyValuePairs.first { $0.key.lowercased() == wanted }?.value
    }

    /// The attribute value (after `fmtp:`).
    public var attributeValue: String { "\(format) \(parameters)" }

    public var attribute: SDPAttribute { SDPAttribute(name: "fmtp", value: attributeValue) }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return self[endIndex...] }
        return self[first...last]
    }
}
