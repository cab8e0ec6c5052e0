import SIP

extension UserAgent {
    /// Builds a response to `request` (RFC 3261 §8.2.6.2): Via, From, Call-ID and CSeq copied,
    /// To copied with our tag added to anything above 100, and our Server token.
    func makeResponse(to request: SIPRequest, status: Int, reason: String? = nil, toTag: String?) -> SIPResponse {
        var headers = SIPHeaders()
        for field in request.headers where UserAgent.isCopiedIntoResponses(field.name) {
            if SIPHeaders.name(field.name, is: "to"), status > 100, let toTag, var to = try? SIPNameAddress(parsing: field.value),
                to.tag == nil
            {
                to.tag = toTag
                headers.add("To", to.description)
            } else {
                headers.add(field.name, field.value)
            }
        }
        headers.add("Server", settings.product)
        return SIPResponse(statusCode: status, reasonPhrase: reason, headers: headers)
    }

    /// A response built without the transaction layer, for requests too broken to have one:
    /// the fields a response needs are copied as they came (RFC 3261 §8.2.6.2). Nil when the
    /// request lacks what any response must carry, Via and CSeq (then it is dropped). RFC 4475
    /// §3.3.1 still wants a 400 for a request missing Call-ID, From and To.
    func statelessResponse(copying requestHeaders: SIPHeaders, status: Int, reason: String) -> SIPResponse? {
        guard requestHeaders.contains("Via"), requestHeaders.contains("CSeq") else { return nil }
        var headers = SIPHeaders()
        for field in requestHeaders where UserAgent.isCopiedIntoResponses(field.name) {
            headers.add(field.name, field.value)
        }
        headers.add("Server", settings.product)
        return SIPResponse(statusCode: status, reasonPhrase: UserAgent.reasonPhrase(reason), headers: headers)
    }

    /// RFC 3261 §8.2.6.2 and §12.1.1: fields a response carries from its request.
    static func isCopiedIntoResponses(_ name: String) -> Bool {
        copiedIntoResponses.contains { SIPHeaders.name(name, is: $0) }
    }

    private static let copiedIntoResponses = ["via", "from", "to", "call-id", "cseq", "record-route"]

    /// Reason phrases are TEXT-UTF8 without CR or LF (RFC 3261 §25.1); keep them one short line.
    static func reasonPhrase(_ text: String) -> String {
        let clean = text.unicodeScalars.map { $0 == "\r" || $0 == "\n" || $0.value < 0x20 ? " " : Character($0) }
        return String(String(clean).prefix(120))
    }

    /// Where responses to this request go (RFC 3261 §18.2.2 with RFC 3581): back on the
    /// connection for stream transports; over UDP to the source address, and to the source port
    /// when the client asked for `rport` (else to the port in Via's sent-by, default 5060).
    func responseDestination(for request: SIPRequest, from peer: SIPPeer) -> SIPPeer {
        guard !peer.transport.isReliable, let via = try? request.headers.topVia() else { return peer }
        switch via.rport {
        case .requested, .value: return peer
        case .absent:
            var destination = peer
            destination.port = via.port ?? 5060
            return destination
        }
    }

    /// Sends a final response through the request's server transaction.
    mutating func respond(
        to request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, status: Int, reason: String?, toTag: String? = nil,
        now: SIPInstant, notice: String? = nil, decorate: (inout SIPResponse) -> Void = { _ in }
    ) -> [UserAgentAction] {
        var response = makeResponse(to: request, status: status, reason: reason, toTag: toTag ?? UserAgent.tag(using: &random))
        decorate(&response)
        var actions = apply(transactions.respond(response, key: key, now: now), now: now)
        if let notice {
            actions.append(.notice(SecurityNotice(peer: peer, method: request.method.token, status: status, reason: notice)))
        }
        return actions
    }

    /// The transaction table is full: 503 with Retry-After, sent outside any transaction (RFC 3261
    /// §21.5.4), and an `.overloaded` report rather than a security notice (it is load, not an attack
    /// on its own, and a line per request would flood the log).
    mutating func refuseOverloaded(_ request: SIPRequest, from peer: SIPPeer) -> [UserAgentAction] {
        guard request.method != .ack else { return [] }
        var response = makeResponse(to: request, status: 503, reason: "Service Unavailable", toTag: UserAgent.tag(using: &random))
        response.headers.add("Retry-After", String(settings.retryAfterSeconds))
        return [.send(.response(response), to: peer), .overloaded(peer, method: request.method.token)]
    }

    /// A fresh tag (RFC 3261 §19.3: at least 32 bits of randomness).
    static func tag(using random: inout any RandomNumberGenerator) -> String {
        hex(random.next(), digits: 16)
    }

    /// A fresh branch with the RFC 3261 magic cookie (§8.1.1.7).
    static func branch(using random: inout any RandomNumberGenerator) -> String {
        SIPTransactionKey.magicCookie + hex(random.next(), digits: 16)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
