/// Character classes and small scanning helpers shared by the header and URI parsers
/// (RFC 3261 §25.1). Everything works on UTF-8 octets: no input octet can make them trap.
enum SIPLexer {
    /// RFC 3261 §25.1 `token`: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~".
    static func isTokenChar(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "%"), UInt8(ascii: "*"),
            UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "`"), UInt8(ascii: "'"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenChar)
    }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    /// Trims SP/HTAB at both ends.
    static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, isWhitespace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isWhitespace(last) { slice = slice.dropLast() }
        return slice
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Parses decimal digits (leading zeros allowed, RFC 4475 §3.1.1.1) into a value no larger
    /// than `maximum`; nil for an empty string, a non-digit, or a value above `maximum`.
    static func decimal<S: StringProtocol>(_ text: S, maximum: Int) -> Int? {
        guard !text.isEmpty else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard isDigit(byte) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(Int(byte - 0x30))
            guard !overflow1, !overflow2, next <= maximum else { return nil }
            value = next
        }
        return value
    }

    /// Splits a header value at top-level commas: commas inside quoted strings (with quoted-pair
    /// escapes) and inside `<...>` do not split (RFC 3261 §7.3.1). Elements are trimmed.
    /// Throws on an unterminated quoted string (RFC 4475 §3.1.2.6).
    static func splitCommas(_ value: String, header: String) throws(SIPParseError) -> [String] {
        let bytes = Array(value.utf8)
        var parts: [String] = []
        var start = 0
        var index = 0
        var inAngle = false
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index = try endOfQuotedString(bytes, from: index, header: header)
                continue
            case UInt8(ascii: "<"):
                inAngle = true
            case UInt8(ascii: ">"):
                inAngle = false
            case UInt8(ascii: ",") where !inAngle:
                parts.append(string(trim(bytes[start..<index])))
                start = index + 1
            default:
                break
            }
            index += 1
        }
        parts.append(string(trim(bytes[start..<bytes.count])))
        return parts
    }

    /// Given the index of an opening `"`, returns the index just past the closing one.
    static func endOfQuotedString(_ bytes: [UInt8], from open: Int, header: String) throws(SIPParseError) -> Int {
        var index = open + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"):
                // RFC 3261 §25.1 quoted-pair: backslash and any octet but CR and LF.
                index += 2
            case UInt8(ascii: "\""):
                return index + 1
            default:
                index += 1
            }
        }
        throw SIPParseError.badHeader(header, "unterminated quoted string")
    }

    /// The content of a quoted string (between the quotes) with quoted-pairs resolved.
    static func unquote(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Quotes a string for a header value, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair).
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text.unicodeScalars {
            if character == "\"" || character == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(character)
        }
        out += "\""
        return out
    }

    /// Parses `;name[=value]` generic parameters (RFC 3261 §25.1 `generic-param`), with LWS
    /// allowed around `;` and `=` and quoted-string values (kept with their quotes so that they
    /// serialize unchanged). The text must start at a `;` or be empty.
    static func parameters(_ text: ArraySlice<UInt8>, header: String) throws(SIPParseError) -> [SIPParameter] {
        let bytes = Array(text)
        var result: [SIPParameter] = []
        var index = 0
        func skipSpace() { while index < bytes.count, isWhitespace(bytes[index]) { index += 1 } }
        skipSpace()
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: ";") else {
                throw SIPParseError.badHeader(header, "expected ';' before parameter")
            }
            index += 1
            skipSpace()
            let nameStart = index
            while index < bytes.count, isTokenChar(bytes[index]) { index += 1 }
            guard index > nameStart else { throw SIPParseError.badHeader(header, "empty parameter") }
            let name = string(bytes[nameStart..<index])
            skipSpace()
            var value: String?
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                    let end = try endOfQuotedString(bytes, from: index, header: header)
                    value = string(bytes[index..<end])
                    index = end
                } else {
                    // token / host (IPv6 reference in brackets, RFC 3261 §25.1 gen-value).
                    let valueStart = index
                    while index < bytes.count,
                        isTokenChar(bytes[index]) || bytes[index] == UInt8(ascii: ":")
                            || bytes[index] == UInt8(ascii: "[") || bytes[index] == UInt8(ascii: "]")
                    {
                        index += 1
                    }
                    guard index > valueStart else {
                        throw SIPParseError.badHeader(header, "parameter \(name) has an empty value")
                    }
                    value = string(bytes[valueStart..<index])
                }
                skipSpace()
            }
            result.append(SIPParameter(name, value))
        }
        return result
    }

    /// Serializes parameters as `;name=value`.
    static func append(_ parameters: [SIPParameter], to out: inout String) {
        for parameter in parameters {
            out += ";"
            out += parameter.name
            if let value = parameter.value {
                out += "="
                out += value
            }
        }
    }
}

extension Array where Element == SIPParameter {
    /// The value of the first parameter with that name (case-insensitive): `.some(nil)` for a
    /// parameter without a value, `nil` when absent.
    func value(of name: String) -> String?? {
        first { $0.name.caseInsensitiveCompare(name) }.map(\.value)
    }

    /// Sets (or with `nil`, removes) a parameter, keeping its place.
    mutating func set(_ name: String, _ value: String??) {
        guard let value else {
            removeAll { $0.name.caseInsensitiveCompare(name) }
            return
        }
        if let index = firstIndex(where: { $0.name.caseInsensitiveCompare(name) }) {
            self[index].value = value
        } else {
            append(SIPParameter(name, value))
        }
    }
}
