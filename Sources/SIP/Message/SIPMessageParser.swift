/// Turns octets into `SIPMessage` values (RFC 3261 §7, §18.3). Pure: no I/O, no state.
///
/// Works on bytes, never on text lines, so raw octets inside quoted strings (RFC 4475
/// §3.1.1.2 `intmeth`) and binary bodies (§3.1.1.11 `mpart01`) pass through; header values are
/// stored with `String(decoding:as: UTF8.self)`, so invalid UTF-8 becomes U+FFFD.
///
/// Start-line policy (RFC 4475 §3.1.2.7–§3.1.2.10 allow either): strict. The request line must
/// be exactly `Method SP Request-URI SP SIP-Version` (RFC 3261 §7.1 allows no other LWS), so
/// `<>` around the Request-URI, LWS inside it, doubled or trailing SP are rejected with 400 and a
/// reason that names the problem. A liberal repair would have to be undone by every element
/// that forwards the request, and the RFC prefers rejection for the ambiguous cases.
/// Line ends: CRLF per RFC 3261 §7; a bare LF is also accepted as a line end (robustness).
public enum SIPMessageParser {
    /// Parses one UDP datagram (RFC 3261 §18.3): Content-Length is optional (the body is the
    /// rest of the datagram); octets beyond Content-Length are ignored (RFC 4475 §3.1.1.8); a
    /// Content-Length larger than what arrived is a 400 (RFC 4475 §3.1.2.2). A datagram without
    /// the empty line after the headers is read as if it ended there (RFC 4475 §3.1.2.15 ships
    /// such a file); the body is then empty.
    public static func parseDatagram(_ bytes: [UInt8], limits: SIPLimits = .default) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxDatagramSize else {
            throw SIPParseError(
                .limitExceeded, "Message Too Large (limit \(limits.maxDatagramSize) octets)", statusCode: 513)
        }
        var start = 0
        // RFC 3261 §7.5: ignore CRLFs before the start line.
        while start < bytes.count, bytes[start] == 0x0D || bytes[start] == 0x0A { start += 1 }
        guard start < bytes.count else {
            throw SIPParseError(.malformedStartLine, "Empty message")
        }
        let headerEnd: Int
        let bodyStart: Int
        if let end = findEndOfHeaders(bytes, from: start) {
            (headerEnd, bodyStart) = (end.headerEnd, end.bodyStart)
        } else {
            (headerEnd, bodyStart) = (bytes.count, bytes.count)
        }
        let head = try splitHead(bytes[start..<headerEnd], limits: limits)
        do throws(SIPParseError) {
            let available = bytes.count - bodyStart
            let length = try head.headers.contentLength() ?? available
            guard length <= available else {
                throw SIPParseError(
                    .truncatedBody, "Bad Content-Length: larger than the message (\(length) > \(available))")
            }
            return try makeMessage(head, body: Array(bytes[bodyStart..<(bodyStart + length)]))
        } catch {
            throw error.with(headers: head.headers, isRequest: head.isRequest)
        }
    }

    /// Where the header section ends: the index of the empty line (`headerEnd`, exclusive end of
    /// the last header line including its line end) and the first body octet. Nil when there is
    /// no empty line yet. `from` must be at the start of a line.
    static func findEndOfHeaders(_ bytes: [UInt8], from: Int) -> (headerEnd: Int, bodyStart: Int)? {
        var lineStart = from
        while let lf = bytes[lineStart...].firstIndex(of: 0x0A) {
            let lineEnd = lf > lineStart && bytes[lf - 1] == 0x0D ? lf - 1 : lf
            if lineEnd == lineStart { return (lineStart, lf + 1) }
            lineStart = lf + 1
        }
        return nil
    }

    /// The start of the last (incomplete) line at or after `from`: where a later search can
    /// resume without rescanning.
    static func lastLineStart(_ bytes: [UInt8], from: Int) -> Int {
        guard let lf = bytes[from...].lastIndex(of: 0x0A) else { return from }
        return lf + 1
    }

    /// The start line and header fields, not yet interpreted.
    struct Head: Sendable {
        var startLine: ArraySlice<UInt8>
        var headers: SIPHeaders
        /// From the start line's first word: responses start with `SIP/`.
        var isRequest: Bool
    }

    /// Splits the header section into the start line and unfolded fields (RFC 3261 §7.3.1:
    /// LWS = [*WSP CRLF] 1*WSP, replaced by one SP; LWS around the colon is dropped).
    static func splitHead(_ section: ArraySlice<UInt8>, limits: SIPLimits) throws(SIPParseError) -> Head {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = section.startIndex
        while lineStart < section.endIndex {
            let lf = section[lineStart...].firstIndex(of: 0x0A) ?? section.endIndex
            var line = section[lineStart..<lf]
            if line.last == 0x0D { line = line.dropLast() }
            lines.append(line)
            lineStart = lf + 1
        }
        let startLine = lines.first ?? []
        let isRequest = !startsWithSIPVersion(startLine)
        var headers = SIPHeaders()
        func fail(_ error: SIPParseError) -> SIPParseError { error.with(headers: headers, isRequest: isRequest) }

        guard section.count <= limits.maxHeaderSectionSize else {
            throw fail(
                SIPParseError(
                    .limitExceeded, "Message Too Large: header section over \(limits.maxHeaderSectionSize) octets",
                    statusCode: 513))
        }
        guard startLine.count <= limits.maxStartLineLength else {
            throw fail(
                isRequest
                    ? SIPParseError(.limitExceeded, "Request-URI Too Long", statusCode: 414)
                    : SIPParseError(.limitExceeded, "Status line too long", statusCode: 513))
        }
        var name: String?
        var value: [UInt8] = []
        func flush() throws(SIPParseError) {
            guard let current = name else { return }
            guard value.count <= limits.maxHeaderLineLength else {
                throw fail(
                    SIPParseError(
                        .limitExceeded, "Message Too Large: \(current) line over \(limits.maxHeaderLineLength) octets",
                        statusCode: 513))
            }
            guard headers.count < limits.maxHeaderCount else {
                throw fail(
                    SIPParseError(
                        .limitExceeded, "Message Too Large: over \(limits.maxHeaderCount) header fields",
                        statusCode: 513))
            }
            headers.add(current, SIPLexer.string(SIPLexer.trim(value[...])))
            name = nil
            value.removeAll(keepingCapacity: true)
        }
        for line in lines.dropFirst() {
            if line.contains(0x0D) {
                throw fail(SIPParseError(.malformedHeaderLine, "Malformed header line: bare CR"))
            }
            if let first = line.first, SIPLexer.isWhitespace(first) {
                // Continuation of the previous field (folding).
                guard name != nil else {
                    throw fail(SIPParseError(.malformedHeaderLine, "Malformed header line: folding after start line"))
                }
                while let last = value.last, SIPLexer.isWhitespace(last) { value.removeLast() }
                value.append(0x20)
                value.append(contentsOf: SIPLexer.trim(line))
                continue
            }
            try flush()
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw fail(SIPParseError(.malformedHeaderLine, "Malformed header line: no colon"))
            }
            let fieldName = SIPLexer.trim(line[..<colon])
            guard !fieldName.isEmpty, fieldName.allSatisfy(SIPLexer.isTokenChar) else {
                throw fail(SIPParseError(.malformedHeaderLine, "Malformed header line: name is not a token"))
            }
            name = SIPLexer.string(fieldName)
            value.append(contentsOf: line[(colon + 1)...])
        }
        try flush()
        return Head(startLine: startLine, headers: headers, isRequest: isRequest)
    }

    static func startsWithSIPVersion(_ line: ArraySlice<UInt8>) -> Bool {
        let prefix = Array("SIP/".utf8)
        guard line.count >= prefix.count else { return false }
        return zip(line.prefix(prefix.count), prefix).allSatisfy { $0 | 0x20 == $1 | 0x20 }
    }

    static func isVersion20(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.count == 7 && startsWithSIPVersion(bytes) && bytes.suffix(3).elementsEqual("2.0".utf8)
    }

    /// Interprets the start line (RFC 3261 §7.1, §7.2) and builds the message.
    static func makeMessage(_ head: Head, body: [UInt8]) throws(SIPParseError) -> SIPMessage {
        do throws(SIPParseError) {
            if head.isRequest {
                return .request(try parseRequestLine(head.startLine, headers: head.headers, body: body))
            }
            return .response(try parseStatusLine(head.startLine, headers: head.headers, body: body))
        } catch {
            throw error.with(headers: head.headers, isRequest: head.isRequest)
        }
    }

    private static func parseRequestLine(
        _ line: ArraySlice<UInt8>, headers: SIPHeaders, body: [UInt8]
    ) throws(SIPParseError) -> SIPRequest {
        func fail(_ reason: String) -> SIPParseError { SIPParseError(.malformedStartLine, reason) }
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        if parts.count == 3, parts[1].first == UInt8(ascii: "<") {
            // RFC 4475 §3.1.2.7 (`ltgtruri`).
            throw fail("Bad Request-Line: Request-URI enclosed in <>")
        }
        guard parts.count == 3, !parts.contains(where: \.isEmpty) else {
            if parts.count == 2 || (parts.count == 1 && !line.isEmpty) {
                throw fail("Bad Request-Line: missing SIP-Version")
            }
            // RFC 4475 §3.1.2.8–§3.1.2.10 (`lwsruri`, `lwsstart`, `trws`).
            throw fail("Bad Request-Line: extra whitespace or missing element")
        }
        guard parts[0].allSatisfy(SIPLexer.isTokenChar) else { throw fail("Bad Request-Line: method is not a token") }
        guard startsWithSIPVersion(parts[2]) else { throw fail("Bad Request-Line: missing SIP-Version") }
        guard isVersion20(parts[2]) else {
            // RFC 3261 §8.2.2 / RFC 4475 §3.1.2.16: 505.
            throw SIPParseError(
                .versionNotSupported, "Version Not Supported: \(SIPLexer.string(parts[2]))", statusCode: 505)
        }
        if parts[1].contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw SIPParseError(.malformedURI, "Bad Request-URI: control character")
        }
        let uri: SIPURI
        do { uri = try SIPURI(bytes: Array(parts[1])) } catch {
            throw SIPParseError(.malformedURI, "Bad Request-URI: " + error.reason.replacingPrefix("Bad URI: "))
        }
        return SIPRequest(method: SIPMethod(SIPLexer.string(parts[0])), uri: uri, headers: headers, body: body)
    }

    private static func parseStatusLine(
        _ line: ArraySlice<UInt8>, headers: SIPHeaders, body: [UInt8]
    ) throws(SIPParseError) -> SIPResponse {
        let space = line.firstIndex(of: 0x20) ?? line.endIndex
        guard isVersion20(line[..<space]) else {
            throw SIPParseError(
                .versionNotSupported, "Version Not Supported: \(SIPLexer.string(line[..<space]))", statusCode: 505)
        }
        let rest = line[min(space + 1, line.endIndex)...]
        let codeEnd = rest.firstIndex(of: 0x20) ?? rest.endIndex
        let code = rest[..<codeEnd]
        // RFC 3261 §25.1: Status-Code = 3DIGIT; RFC 4475 §3.1.2.19: anything else is dropped.
        guard code.count == 3, let value = SIPLexer.decimal(SIPLexer.string(code), maximum: 699), value >= 100 else {
            throw SIPParseError(.invalidStatusCode, "Bad Status-Line: status code not in 100...699")
        }
        // RFC 4475 §3.1.1.13: the reason phrase may be empty (`SIP/2.0 100 `); a missing SP
        // before it is accepted too.
        let reason = codeEnd < rest.endIndex ? rest[(codeEnd + 1)...] : []
        return SIPResponse(statusCode: value, reasonPhrase: SIPLexer.string(reason), headers: headers, body: body)
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
