/// Cuts SIP messages out of a byte stream (TCP, TLS): append what arrives, then take messages
/// until `nextMessage()` returns nil ("need more bytes").
///
/// RFC 3261 §18.3: on a stream, Content-Length is mandatory and frames the body. CRLFs between
/// messages are keep-alives (RFC 5626 §3.5.1) and are skipped. Once framing is lost (missing,
/// bad or duplicated Content-Length, a header section that never ends, an oversized body), every
/// later call throws the same error with `isUnrecoverable` set: the connection must be closed
/// (RFC 4475 §3.1.2.3, §3.3.9). A message that is framed correctly but malformed otherwise
/// (e.g. a bad request line) throws a recoverable error; the next call continues after it.
public struct SIPStreamFramer: Sendable {
    public let limits: SIPLimits
    private var buffer: [UInt8] = []
    /// First unconsumed octet.
    private var start = 0
    /// Where the search for the empty line resumes (absolute index in `buffer`).
    private var scanFrom = 0
    /// A header section already split, waiting for its body.
    private var pending: (head: SIPMessageParser.Head, bodyStart: Int, length: Int)?
    private var failure: SIPParseError?

    public init(limits: SIPLimits = .default) {
        self.limits = limits
    }

    /// Octets received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard failure == nil else { return }
        // Drop consumed octets once they are the larger part, so appends stay amortized linear.
        if start > 4096, start * 2 > buffer.count {
            buffer.removeFirst(start)
            scanFrom -= start
            if var waiting = pending {
                waiting.bodyStart -= start
                pending = waiting
            }
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, nil when more octets are needed.
    public mutating func nextMessage() throws(SIPParseError) -> SIPMessage? {
        if let failure { throw failure }
        if pending == nil {
            guard try readHead() else { return nil }
        }
        guard let (head, bodyStart, length) = pending else { return nil }
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        pending = nil
        start = bodyStart + length
        scanFrom = start
        return try SIPMessageParser.makeMessage(head, body: body)
    }

    /// Finds and splits the next header section; false when it is not complete yet.
    private mutating func readHead() throws(SIPParseError) -> Bool {
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A { start += 1 }
        scanFrom = max(scanFrom, start)
        guard let end = SIPMessageParser.findEndOfHeaders(buffer, from: scanFrom) else {
            scanFrom = SIPMessageParser.lastLineStart(buffer, from: scanFrom)
            if buffer.count - start > limits.maxHeaderSectionSize {
                throw fail(
                    SIPParseError(
                        .limitExceeded,
                        "Message Too Large: header section over \(limits.maxHeaderSectionSize) octets",
                        statusCode: 513), head: nil)
            }
            return false
        }
        let head: SIPMessageParser.Head
        do { head = try SIPMessageParser.splitHead(buffer[start..<end.headerEnd], limits: limits) } catch {
            throw fail(error, head: nil)
        }
        let length: Int
        do throws(SIPParseError) {
            guard let value = try head.headers.contentLength() else {
                throw SIPParseError(.badContentLength, "Missing header: Content-Length (required on streams)")
            }
            length = value
        } catch {
            throw fail(error, head: head)
        }
        guard length <= limits.maxStreamBodySize else {
            throw fail(
                SIPParseError(
                    .limitExceeded, "Request Entity Too Large (limit \(limits.maxStreamBodySize) octets)",
                    statusCode: 413), head: head)
        }
        pending = (head, end.bodyStart, length)
        return true
    }

    /// Records an unrecoverable framing error and returns it.
    private mutating func fail(_ error: SIPParseError, head: SIPMessageParser.Head?) -> SIPParseError {
        var error = error.with(headers: head?.headers, isRequest: head?.isRequest)
        error.isUnrecoverable = true
        if !error.reason.hasSuffix("; connection must be closed") {
            error.reason += "; connection must be closed"
        }
        failure = error
        buffer = []
        start = 0
        scanFrom = 0
        pending = nil
        return error
    }
}
