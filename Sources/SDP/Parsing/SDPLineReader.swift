/// One `<type>=<value>` line of an SDP body, with its position for error messages.
struct SDPLine {
    var type: Character
    var value: Substring
    /// 1-based line number in the body.
    var number: Int

    /// Column of the value's first character (the type letter and `=` take columns 1 and 2).
    static let valueColumn = 3

    func error(_ reason: SDPParseError.Reason, column: Int = 1) -> SDPParseError {
        SDPParseError(line: number, column: column, reason: reason)
    }

    /// A field of the value with its 1-based column in the line.
    struct Field {
        var text: Substring
        var column: Int
    }

    /// The value split on spaces. Runs of spaces are tolerated (RFC 8866 §5 asks for one SP; a
    /// lenient reader costs nothing here and the serializer writes one).
    func fields() -> [Field] {
        var result: [Field] = []
        var column = SDPLine.valueColumn
        var start: Substring.Index? = nil
        var startColumn = column
        var index = value.startIndex
        while index < value.endIndex {
            if value[index] == " " {
                if let begin = start {
                    result.append(Field(text: value[begin..<index], column: startColumn))
                    start = nil
                }
            } else if start == nil {
                start = index
                startColumn = column
            }
            column += value[index].utf8.count
            index = value.index(after: index)
        }
        if let begin = start {
            result.append(Field(text: value[begin...], column: startColumn))
        }
        return result
    }
}

/// Splits a body into `SDPLine`s, enforcing the size and line limits and the text rules.
enum SDPLineReader {
    static func lines(of body: [UInt8]) throws(SDPParseError) -> [SDPLine] {
        guard body.count <= SDPLimits.maxBodyBytes else {
            throw SDPParseError(line: 0, reason: .bodyTooLarge(limit: SDPLimits.maxBodyBytes))
        }
        var raw: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < body.count {
            if body[index] == UInt8(ascii: "\n") {
                // RFC 8866 §5 says CRLF, but also that parsers SHOULD accept a lone LF; real
                // phones send them.
                var end = index
                if end > start, body[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                raw.append(body[start..<end])
                start = index + 1
                guard raw.count <= SDPLimits.maxLines else {
                    throw SDPParseError(line: raw.count, reason: .tooManyLines(limit: SDPLimits.maxLines))
                }
            }
            index += 1
        }
        if start < body.count {
            // A final line without a line end: accepted, it is unambiguous.
            raw.append(body[start..<body.count])
        }
        // Blank lines at the very end (some stacks add one) are not lines of the description.
        while let last = raw.last, last.isEmpty { raw.removeLast() }
        guard !raw.isEmpty else { throw SDPParseError(line: 0, reason: .empty) }
        guard raw.count <= SDPLimits.maxLines else {
            throw SDPParseError(line: raw.count, reason: .tooManyLines(limit: SDPLimits.maxLines))
        }

        var lines: [SDPLine] = []
        lines.reserveCapacity(raw.count)
        for (offset, bytes) in raw.enumerated() {
            lines.append(try line(bytes, number: offset + 1))
        }
        return lines
    }

    private static func line(_ bytes: ArraySlice<UInt8>, number: Int) throws(SDPParseError) -> SDPLine {
        // RFC 8866 §9: text excludes NUL, CR and LF; a lone CR would make the line ambiguous.
        if let bad = bytes.firstIndex(where: { $0 == 0 || $0 == UInt8(ascii: "\r") }) {
            throw SDPParseError(line: number, column: bad - bytes.startIndex + 1, reason: .notText)
        }
        guard bytes.count >= 2,
            let first = bytes.first,
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
            bytes[bytes.startIndex + 1] == UInt8(ascii: "=")
        else {
            throw SDPParseError(line: number, reason: .malformedLine)
        }
        guard let text = String(validating: bytes.dropFirst(2), as: UTF8.self) else {
            throw SDPParseError(line: number, column: SDPLine.valueColumn, reason: .notText)
        }
        return SDPLine(type: Character(Unicode.Scalar(first)), value: text[...], number: number)
    }
}
