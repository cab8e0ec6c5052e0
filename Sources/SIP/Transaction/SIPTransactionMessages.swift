/// The few messages a transaction builds itself: the 100 (Trying) of an INVITE server transaction
/// and the ACK of an INVITE client transaction for a non-2xx final response.
///
/// Typed header views (Via, CSeq) live with the message model; until the transaction layer adopts
/// them it copies raw header values and does only the minimal string work here.
enum SIPTransactionMessages {
    /// RFC 3261 §8.2.6.1, §17.2.1: a 100 (Trying) carrying the request's Via (all of them, in
    /// order), From, To, Call-ID, CSeq and Timestamp. The To tag may be omitted in a 100 (§8.2.6.2).
    static func trying(for request: SIPRequest) -> SIPResponse {
        var headers = SIPHeaders()
        for field in request.headers where isCopiedIntoResponse(field.name) {
            headers.add(field.name, field.value)
        }
        return SIPResponse(statusCode: 100, headers: headers)
    }

    private static func isCopiedIntoResponse(_ name: String) -> Bool {
        switch SIPHeaders.canonicalName(name) {
        case "via", "from", "to", "call-id", "cseq", "timestamp": true
        default: false
        }
    }

    /// RFC 3261 §17.1.1.3: the ACK for a non-2xx final response. Same Request-URI, Call-ID and
    /// From as the request; To from the response (it carries the tag); a single Via equal to the
    /// request's top Via; the request's CSeq number with method ACK; the request's Route headers.
    /// Max-Forwards is copied too, since every request needs one (§8.1.1).
    static func ack(for request: SIPRequest, response: SIPResponse) -> SIPRequest {
        var headers = SIPHeaders()
        if let via = request.headers["Via"], let top = firstElement(ofHeaderValue: via) {
            headers.add("Via", top)
        }
        if let maxForwards = request.headers["Max-Forwards"] { headers.add("Max-Forwards", maxForwards) }
        for route in request.headers.values("Route") { headers.add("Route", route) }
        if let from = request.headers["From"] { headers.add("From", from) }
        if let to = response.headers["To"] ?? request.headers["To"] { headers.add("To", to) }
        if let callID = request.headers["Call-ID"] { headers.add("Call-ID", callID) }
        if let cseq = request.headers["CSeq"], let number = cseqNumber(cseq) {
            headers.add("CSeq", "\(number) ACK")
        }
        return SIPRequest(method: .ack, uri: request.uri, headers: headers)
    }

    /// The first element of a comma-separated header value (a Via line may hold several,
    /// RFC 3261 §7.3.1), ignoring commas inside quoted strings.
    static func firstElement(ofHeaderValue value: String) -> String? {
        var inQuotes = false
        var escaped = false
        var end = value.endIndex
        for index in value.indices {
            let character = value[index]
            if escaped {
                escaped = false
            } else if inQuotes && character == "\\" {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == "," && !inQuotes {
                end = index
                break
            }
        }
        let element = value[value.startIndex..<end].trimmingSIPWhitespace()
        return element.isEmpty ? nil : element
    }

    /// The sequence number of a CSeq value (`"314159 INVITE"` → `"314159"`), kept as text:
    /// the ACK repeats it verbatim, so no integer conversion (and no overflow) is needed.
    static func cseqNumber(_ value: String) -> String? {
        let digits = value.trimmingSIPWhitespace().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : String(digits)
    }
}

extension StringProtocol {
    /// Trims spaces and tabs (SIP's LWS after unfolding).
    fileprivate func trimmingSIPWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
