import SIP

/// Messages and helpers shared by the transaction tests. Messages are built directly (the parser
/// is tested elsewhere), shaped after the RFC 3261 §24 examples.
enum TransactionFixtures {
    static let branch = "z9hG4bK776asdhds"
    static let sentBy = "pc33.atlanta.com"

    /// A moment `milliseconds` after the test's origin.
    static func at(_ milliseconds: Int64) -> SIPInstant {
        SIPInstant(nanoseconds: milliseconds * 1_000_000)
    }

    static func request(
        _ method: SIPMethod, branch: String = branch, sentBy: String = sentBy, cseq: Int = 314159,
        extraVia: Bool = false, routes: [String] = []
    ) -> SIPRequest {
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/UDP \(sentBy);branch=\(branch)")
        if extraVia { headers.add("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy") }
        headers.add("Max-Forwards", "70")
        for route in routes { headers.add("Route", route) }
        headers.add("To", "Bob <sip:bob@biloxi.com>")
        headers.add("From", "Alice <sip:alice@atlanta.com>;tag=1928301774")
        headers.add("Call-ID", "a84b4c76e66710@pc33.atlanta.com")
        headers.add("CSeq", "\(cseq) \(method == .ack ? "ACK" : method.token)")
        headers.add("Contact", "<sip:alice@pc33.atlanta.com>")
        return SIPRequest(method: method, uri: SIPURI(scheme: .sip, user: "bob", host: "biloxi.com"), headers: headers)
    }

    /// A response to `request` copying Via/From/To/Call-ID/CSeq (RFC 3261 §8.2.6), with a To tag.
    static func response(_ statusCode: Int, to request: SIPRequest, toTag: String? = "a6c85cf") -> SIPResponse {
        var headers = SIPHeaders()
        for field in request.headers {
            switch SIPHeaders.canonicalName(field.name) {
            case "via", "from", "call-id", "cseq": headers.add(field.name, field.value)
            case "to": headers.add(field.name, toTag.map { "\(field.value);tag=\($0)" } ?? field.value)
            default: break
            }
        }
        return SIPResponse(statusCode: statusCode, headers: headers)
    }

    static func key(_ method: SIPMethod, branch: String = branch, sentBy: String = sentBy) -> SIPTransactionKey {
        // The fixtures only use RFC 3261 branches (z9hG4bK...), for which the key always exists.
        SIPTransactionKey(branch: branch, sentBy: sentBy, method: method)!
    }
}

extension Array where Element == SIPTransactionAction {
    /// The messages the machine asked to send, in order.
    var sent: [SIPMessage] {
        compactMap { if case .send(let message) = $0 { message } else { nil } }
    }

    /// The status codes of the responses the machine asked to send.
    var sentStatusCodes: [Int] {
        sent.compactMap { if case .response(let response) = $0 { response.statusCode } else { nil } }
    }

    /// The timers scheduled by these actions.
    var scheduled: [SIPTimer: SIPInstant] {
        var timers: [SIPTimer: SIPInstant] = [:]
        for case .schedule(let timer, let instant) in self { timers[timer] = instant }
        return timers
    }

    var passedToTU: [SIPMessage] {
        compactMap { if case .passToTU(let message) = $0 { message } else { nil } }
    }

    var terminates: Bool { contains(.terminated) }
}
