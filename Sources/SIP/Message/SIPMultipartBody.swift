/// A multipart body (RFC 2046 §5.1) as SIP carries it (RFC 3261 §7.4, RFC 5621): parts with
/// their own header fields and binary-safe bodies (RFC 4475 §3.1.1.11: a part with 0x00 octets).
public struct SIPMultipartBody: Hashable, Sendable {
    public struct Part: Hashable, Sendable {
        public var headers: SIPHeaders
        public var body: [UInt8]

        public init(headers: SIPHeaders = SIPHeaders(), body: [UInt8]) {
            self.headers = headers
            self.body = body
        }
    }

    public var parts: [Part]

    public init(parts: [Part]) { self.parts = parts }

    /// Splits `body` at `--boundary` delimiter lines. The preamble before the first delimiter and
    /// the epilogue after the close delimiter (`--boundary--`) are ignored (RFC 2046 §5.1.1).
    /// The CRLF before each delimiter belongs to the delimiter, not to the part.
    public init(parsing body: [UInt8], boundary: String, limits: SIPLimits = .default) throws(SIPParseError) {
        func fail(_ problem: String) -> SIPParseError {
            SIPParseError(.malformedBody, "Bad multipart body: \(problem)")
        }
        // RFC 2046 §5.1.1: boundary is 1 to 70 characters.
        guard (1...70).contains(boundary.utf8.count) else { throw fail("boundary must be 1 to 70 octets") }
        let dashBoundary = Array("--\(boundary)".utf8)

        // Positions of every delimiter line: at the very start, or after a line end.
        var delimiters: [(start: Int, afterBoundary: Int)] = []
        var index = 0
        while let found = SIPMultipartBody.find(dashBoundary, in: body, from: index) {
            if found == 0 || body[found - 1] == 0x0A {
                let lineStart = found >= 2 && body[found - 2] == 0x0D ? found - 2 : (found >= 1 ? found - 1 : found)
                delimiters.append((found == 0 ? 0 : lineStart, found + dashBoundary.count))
            }
            index = found + dashBoundary.count
        }
        guard !delimiters.isEmpty else { throw fail("no boundary delimiter") }
        var parts: [Part] = []
        var closed = false
        for (position, delimiter) in delimiters.enumerated() {
            let after = delimiter.afterBoundary
            if after + 1 < body.count, body[after] == UInt8(ascii: "-"), body[after + 1] == UInt8(ascii: "-") {
                closed = true
                break
            }
            // Skip transport padding (LWSP) to the end of the delimiter line.
            var cursor = after
            while cursor < body.count, SIPLexer.isWhitespace(body[cursor]) { cursor += 1 }
            if cursor < body.count, body[cursor] == 0x0D { cursor += 1 }
            guard cursor < body.count, body[cursor] == 0x0A else { throw fail("delimiter line not terminated") }
            cursor += 1
            guard position + 1 < delimiters.count else { throw fail("missing close delimiter") }
            let partEnd = delimiters[position + 1].start
            guard cursor <= partEnd else { throw fail("truncated part") }
            parts.append(try SIPMultipartBody.parsePart(Array(body[cursor..<partEnd]), fail))
            guard parts.count <= limits.maxMultipartParts else {
                throw fail("more than \(limits.maxMultipartParts) parts")
            }
        }
        guard closed else { throw fail("missing close delimiter") }
        self.parts = parts
    }

    /// A part: header fields, an empty line, the body. A part may have no header fields; then it
    /// starts with the empty line (RFC 2046 §5.1.1).
    private static func parsePart(
        _ bytes: [UInt8], _ fail: (String) -> SIPParseError
    ) throws(SIPParseError) -> Part {
        if bytes.first == 0x0A || (bytes.count >= 2 && bytes[0] == 0x0D && bytes[1] == 0x0A) {
            return Part(body: Array(bytes[(bytes[0] == 0x0A ? 1 : 2)...]))
        }
        guard let end = SIPMessageParser.findEndOfHeaders(bytes, from: 0) else {
            throw fail("part without an empty line after its headers")
        }
        // Reuse the message header splitter with an empty start line in front.
        var section: [UInt8] = [0x0D, 0x0A]
        section += bytes[..<end.headerEnd]
        let head: SIPMessageParser.Head
        do { head = try SIPMessageParser.splitHead(section[...], limits: .default) } catch {
            throw fail(error.reason)
        }
        return Part(headers: head.headers, body: Array(bytes[end.bodyStart...]))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            guard let candidate = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
