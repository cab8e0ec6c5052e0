/// Why a SIP message (or one of its header fields) could not be accepted, and what that means for
/// the sender: the status code and reason phrase to answer a request with, whether the message was
/// a request at all (failed responses are dropped, never answered: RFC 4475 §3.1.2.5, §3.1.2.19),
/// and whether a stream connection can still be read.
public struct SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely, for code that branches on it.
    public enum Kind: Hashable, Sendable {
        /// The request line or status line does not follow RFC 3261 §7.1 / §7.2.
        case malformedStartLine
        /// A SIP-Version other than SIP/2.0 (answered with 505, RFC 3261 §21.5.6).
        case versionNotSupported
        /// A status code outside 100...699 (RFC 4475 §3.1.2.19: drop the response).
        case invalidStatusCode
        /// The Request-URI (or a URI in a header) does not parse.
        case malformedURI
        /// A header line without a name, or a name that is not a token.
        case malformedHeaderLine
        /// A header field value that does not follow its grammar; the associated value is the
        /// header's long name as the serializer writes it (e.g. `CSeq`).
        case malformedHeader(String)
        /// A mandatory header field is absent (RFC 3261 §8.1.1).
        case missingHeader(String)
        /// A header field that must appear once appears several times (RFC 4475 §3.3.8).
        case duplicateHeader(String)
        /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5, 400).
        case methodMismatch
        /// As `methodMismatch`, but the request method is one this library does not know: a UAS
        /// should prefer 501 Not Implemented (RFC 4475 §3.1.2.18). `statusCode` still says 400.
        case unknownMethodMismatch
        /// Content-Length missing (on streams), negative, non-numeric, or given more than once.
        case badContentLength
        /// Content-Length promises more octets than the datagram holds (RFC 4475 §3.1.2.2).
        case truncatedBody
        /// A `SIPLimits` bound was exceeded.
        case limitExceeded
        /// The body does not follow its declared structure (multipart).
        case malformedBody
    }

    public var kind: Kind
    /// A short reason phrase naming the problem, fit for the status line of a 400
    /// (e.g. `Bad CSeq: sequence number above 2**31`).
    public var reason: String
    /// The status code to answer a request with (400, 413, 414, 505, 513).
    public var statusCode: Int
    /// Whatever header fields could be split before the failure, so that the caller can still copy
    /// Via, From, To, Call-ID and CSeq into the response (RFC 3261 §8.2.6.2).
    public var headers: SIPHeaders?
    /// `true` for a request, `false` for a response, `nil` when the start line was not even read.
    public var isRequest: Bool?
    /// On a stream transport: the framing is lost and the connection must be closed
    /// (RFC 3261 §18.3, RFC 4475 §3.1.2.3).
    public var isUnrecoverable: Bool

    public init(
        _ kind: Kind, _ reason: String, statusCode: Int = 400, headers: SIPHeaders? = nil,
        isRequest: Bool? = nil, isUnrecoverable: Bool = false
    ) {
        self.kind = kind
        self.reason = reason
        self.statusCode = statusCode
        self.headers = headers
        self.isRequest = isRequest
        self.isUnrecoverable = isUnrecoverable
    }

    /// `true` when the message must be silently discarded rather than answered: responses are
    /// never answered (RFC 3261 §18.1.2, RFC 4475 §3.1.2.5), input whose start line could not be
    /// read is not known to be a request, and a request without a Via gives no address to send
    /// the response to (RFC 3261 §18.2.2).
    public var shouldDrop: Bool { isRequest != true || headers?.contains("Via") != true }

    public var description: String { "\(statusCode) \(reason)" }

    /// A malformed header value: `Bad <Header>: <problem>`.
    static func badHeader(_ name: String, _ problem: String) -> SIPParseError {
        SIPParseError(.malformedHeader(name), "Bad \(name): \(problem)")
    }

    /// The same error with the message context added (only fills what is not known yet).
    func with(headers: SIPHeaders?, isRequest: Bool?) -> SIPParseError {
        var copy = self
        if copy.headers == nil { copy.headers = headers }
        if copy.isRequest == nil { copy.isRequest = isRequest }
        return copy
    }
}
