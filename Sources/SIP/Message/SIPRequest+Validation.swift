extension SIPRequest {
    /// The checks every element makes before a request reaches the transaction layer
    /// (RFC 3261 §8.2, §16.3; RFC 4475 §3.1.2, §3.3). Throws a 400 (or 505) whose reason names
    /// the problem; `error.headers` holds this request's fields so that the answer can copy them.
    ///
    /// Not decided here (the call core does, RFC 3261 §8.2.1–§8.2.3): 501 for unknown methods,
    /// 416 for unknown URI schemes, 420 for Require, 415 for content types, 483 for
    /// Max-Forwards 0. The facts are at hand: `uri.scheme`, `headers.optionTags("Require")`,
    /// `headers.contentType()`, `headers.maxForwards()`.
    public func validate(limits: SIPLimits = .default) throws(SIPParseError) {
        do throws(SIPParseError) {
            try validateFields(limits: limits)
        } catch {
            throw error.with(headers: headers, isRequest: true)
        }
    }

    private func validateFields(limits: SIPLimits) throws(SIPParseError) {
        // RFC 3261 §8.1.1: mandatory fields, each given once (RFC 4475 §3.3.1, §3.3.8).
        _ = try headers.callID()
        _ = try headers.from()
        _ = try headers.to()
        let cseq = try headers.cseq()
        // RFC 3261 §8.1.1.7: at least one Via, and every value must parse (RFC 4475 §3.1.2.1).
        _ = try headers.vias(limits: limits)
        // RFC 3261 §8.1.1.5: the CSeq method matches the request method (RFC 4475 §3.1.2.17).
        // For a method this library does not know, a UAS should prefer 501 (§3.1.2.18): the kind
        // says so, the status stays 400 for elements that do not make that choice.
        if cseq.method != method {
            if case .other = method {
                throw SIPParseError(.unknownMethodMismatch, "Bad CSeq: method does not match the request method")
            }
            throw SIPParseError(.methodMismatch, "Bad CSeq: method does not match the request method")
        }
        // RFC 3261 §20.22: 0...255 (RFC 4475 §3.1.2.4).
        _ = try headers.maxForwards()
        _ = try headers.contentLength()
        if headers.contains("Contact") { _ = try headers.contacts() }
        if headers.contains("Content-Type") { _ = try headers.contentType() }
        // RFC 3261 §19.1.1 table: headers are not allowed in a Request-URI. Strict choice for
        // RFC 4475 §3.1.2.11 (`escruri`): 400 rather than silently dropping them.
        if uri.scheme == .sip || uri.scheme == .sips, !uri.headers.isEmpty {
            throw SIPParseError(.malformedURI, "Bad Request-URI: headers are not allowed in a Request-URI")
        }
    }
}

extension SIPResponse {
    /// The checks a response must pass before it is matched to a client transaction
    /// (RFC 3261 §8.1.3, §18.1.2): one Via at least, CSeq, Call-ID, From, To. A failure means
    /// the response is dropped (`error.shouldDrop`, RFC 4475 §3.1.2.5), never answered.
    public func validate(limits: SIPLimits = .default) throws(SIPParseError) {
        do throws(SIPParseError) {
            _ = try headers.vias(limits: limits)
            _ = try headers.cseq()
            _ = try headers.callID()
            _ = try headers.from()
            _ = try headers.to()
            _ = try headers.contentLength()
        } catch {
            throw error.with(headers: headers, isRequest: false)
        }
    }
}

extension SIPMessage {
    /// Validates a request or a response; see `SIPRequest.validate()` and `SIPResponse.validate()`.
    public func validate(limits: SIPLimits = .default) throws(SIPParseError) {
        switch self {
        case .request(let request): try request.validate(limits: limits)
        case .response(let response): try response.validate(limits: limits)
        }
    }

    /// Parses a datagram and validates it in one go: what a UDP receiver does first.
    public static func parseAndValidate(datagram: [UInt8], limits: SIPLimits = .default) throws(SIPParseError)
        -> SIPMessage
    {
        let message = try SIPMessageParser.parseDatagram(datagram, limits: limits)
        try message.validate(limits: limits)
        return message
    }
}
