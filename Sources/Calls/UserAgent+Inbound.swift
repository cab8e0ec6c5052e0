import SIP

extension UserAgent {
    /// RFC 3261 §8.2 checks before the transaction layer, then the layer, then the TU.
    mutating func receive(request: SIPRequest, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        let notice = { (status: Int?, reason: String) in
            UserAgentAction.notice(SecurityNotice(peer: peer, method: request.method.token, status: status, reason: reason))
        }
        do {
            try request.validate()
        } catch {
            // RFC 3261 §17.2.1: ACKs are never answered.
            guard request.method != .ack else { return [notice(nil, error.reason)] }
            // RFC 4475 §3.1.2.18: an unknown method whose CSeq disagrees is still first of all an
            // unknown method (501 preferred over 400).
            let status = error.kind == .unknownMethodMismatch ? 501 : error.statusCode
            let reason = status == 501 ? "Not Implemented" : error.reason
            guard var response = statelessResponse(copying: request.headers, status: status, reason: reason) else {
                return [notice(nil, error.reason)]
            }
            if status == 501 { response.headers.add("Allow", UserAgent.allowHeader) }
            return [.send(.response(response), to: responseDestination(for: request, from: peer)), notice(status, error.reason)]
        }
        noteSignalling(.request(request), .received, now: now)
        var request = request
        UserAgent.stampReceived(&request, from: peer)
        guard let via = try? request.headers.topVia() else { return [notice(nil, "unreadable Via")] }
        let key = UserAgent.transactionKey(for: request, topVia: via)
        let layerActions = transactions.receive(
            request: request, key: key, from: responseDestination(for: request, from: peer),
            reliability: peer.transport.isReliable ? .reliable : .unreliable, now: now)
        return apply(layerActions, now: now)
    }

    mutating func receive(response: SIPResponse, now: SIPInstant) -> [UserAgentAction] {
        // RFC 3261 §18.1.2: a response whose top Via is not ours or matches no transaction is dropped.
        guard let via = try? response.headers.topVia(), let cseq = try? response.headers.cseq() else { return [] }
        guard let key = SIPTransactionKey(branch: via.branch ?? "", sentBy: via.sentBy, method: cseq.method) else { return [] }
        noteSignalling(.response(response), .received, now: now)
        return apply(transactions.receive(response: response, key: key, now: now), now: now)
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: the top Via learns where the request really came from
    /// (`received`, and `rport` filled in when the client asked), so every response copies it.
    static func stampReceived(_ request: inout SIPRequest, from peer: SIPPeer) {
        guard let index = request.headers.fields.firstIndex(where: { SIPHeaders.name($0.name, is: "via") }) else { return }
        let field = request.headers.fields[index]
        var values = splitCommaList(field.value)
        guard let first = values.first, var via = try? SIPVia(parsing: first) else { return }
        if via.host != peer.host || via.rport != .absent { via.received = peer.host }
        if via.rport == .requested { via.rport = .value(peer.port) }
        values[0] = via.description
        request.headers.replaceField(at: index, with: SIPHeaderField(name: field.name, value: values.joined(separator: ", ")))
    }

    /// RFC 3261 §17.2.3 matching key; requests without an RFC 3261 branch (RFC 2543 peers,
    /// RFC 4475 §3.4.1 and §3.2.1) fall back to a key built from the dialog-identifying fields.
    static func transactionKey(for request: SIPRequest, topVia via: SIPVia) -> SIPTransactionKey {
        if let branch = via.branch, let key = SIPTransactionKey(branch: branch, sentBy: via.sentBy, method: request.method) {
            return key
        }
        return .rfc2543(
            callID: (try? request.headers.callID()) ?? "", fromTag: (try? request.headers.from())?.tag ?? "",
            sequence: (try? request.headers.cseq())?.sequence ?? 0, sentBy: via.sentBy, method: request.method)
    }

    /// Carries out what the transaction layer says, handing requests and responses to the TU.
    mutating func apply(_ layerActions: [SIPTransactionLayer<SIPPeer>.Action], now: SIPInstant) -> [UserAgentAction] {
        var actions: [UserAgentAction] = []
        for action in layerActions {
            switch action {
            case .send(let message, let peer):
                noteSignalling(message, .sent, now: now)
                actions.append(.send(message, to: peer))
            case .request(let request, let key, let peer):
                actions += handleNewRequest(request, key: key, from: peer, now: now)
            case .cancel(let cancel, let key, let invite, let peer):
                actions += handleCancel(cancel, key: key, from: peer, matchingInvite: invite, now: now)
            case .ackForTU(let ack, _):
                actions += handleAck(ack, now: now)
            case .response(let response, let key):
                actions += handleResponse(response, key: key, now: now)
            case .timeout(let key, _), .transportError(let key):
                actions += clientTransactionFailed(key, now: now)
            case .terminated(let key):
                transactionEnded(key)
            case .overloaded(let request, _, let peer):
                actions += refuseOverloaded(request, from: peer)
            case .duplicateTransaction, .stray:
                // Our own branches are random (a duplicate is a bug we can only drop), and a stray
                // response is dropped (RFC 3261 §18.1.2).
                break
            }
        }
        return actions
    }

    /// A new server transaction: the TU decides (RFC 3261 §8.2.1–§8.2.3, then per method).
    mutating func handleNewRequest(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction]
    {
        let toTag = (try? request.headers.to())?.tag
        // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq on a new transaction.
        if toTag == nil, let mergeKey = MergeKey(request) {
            if let open = openRequests[mergeKey], open != key {
                return respond(to: request, key: key, from: peer, status: 482, reason: "Loop Detected", now: now, notice: "merged request")
            }
            openRequests[mergeKey] = key
            openRequestKeys[key] = mergeKey
        }
        // §8.2.2.1: the Request-URI scheme must be one we route (RFC 4475 §3.3.2, §3.3.3).
        switch request.uri.scheme {
        case .sip, .sips, .tel: break
        case .other(let scheme):
            return respond(
                to: request, key: key, from: peer, status: 416, reason: "Unsupported URI Scheme", now: now, notice: "URI scheme \(scheme)")
        }
        // §8.2.1: unknown methods get 501, known but unsupported ones 405, both with Allow.
        guard UserAgentSettings.allowedMethods.contains(request.method) else {
            let status = request.method.isExtension ? 501 : 405
            return respond(to: request, key: key, from: peer, status: status, reason: nil, now: now, notice: "method \(request.method)") {
                $0.headers.add("Allow", UserAgent.allowHeader)
            }
        }
        // §8.2.2.3: Require with option tags we do not support → 420 listing them (not for CANCEL/ACK).
        if request.method != .cancel {
            let unsupported = ((try? request.headers.optionTags("Require")) ?? []).filter {
                !UserAgentSettings.supportedExtensions.contains($0)
            }
            if !unsupported.isEmpty {
                return respond(
                    to: request, key: key, from: peer, status: 420, reason: "Bad Extension", now: now,
                    notice: "Require \(unsupported.joined(separator: ","))"
                ) {
                    $0.headers.add("Unsupported", unsupported.joined(separator: ", "))
                }
            }
        }
        switch request.method {
        case .invite where toTag == nil: return handleInitialInvite(request, key: key, from: peer, now: now)
        case .invite: return handleReinvite(request, key: key, from: peer, now: now)
        case .bye: return handleBye(request, key: key, from: peer, now: now)
        case .options:
            return respond(to: request, key: key, from: peer, status: 200, reason: nil, now: now, decorate: UserAgent.describeCapabilities)
        case .info:
            return handleInfo(request, key: key, from: peer, now: now)
        case .update:
            return handleUpdate(request, key: key, from: peer, now: now)
        case .prack:
            return handlePRACK(request, key: key, from: peer, now: now)
        default:
            // ACK and CANCEL never arrive here (the layer routes them); keep the switch total.
            return respond(to: request, key: key, from: peer, status: 405, reason: nil, now: now, notice: "method \(request.method)") {
                $0.headers.add("Allow", UserAgent.allowHeader)
            }
        }
    }

    /// RFC 3261 §11.2: OPTIONS is answered as an INVITE would be, with our capabilities
    /// (trunks use it as a keep-alive).
    static func describeCapabilities(_ response: inout SIPResponse) {
        response.headers.add("Allow", allowHeader)
        response.headers.add("Accept", "application/sdp")
        response.headers.add("Accept-Encoding", "identity")
        response.headers.add("Accept-Language", "en")
        response.headers.add("Supported", supportedHeader)
    }

    static var allowHeader: String { UserAgentSettings.allowedMethods.map(\.token).joined(separator: ", ") }

    mutating func transactionEnded(_ key: SIPTransactionKey) {
        if let mergeKey = openRequestKeys.removeValue(forKey: key), openRequests[mergeKey] == key {
            openRequests.removeValue(forKey: mergeKey)
        }
        invites.removeValue(forKey: key)
        byes.removeValue(forKey: key)
        refreshes.removeValue(forKey: key)
    }
}

/// RFC 3261 §8.2.2.2: From tag, Call-ID and CSeq identify a request across forks.
struct MergeKey: Hashable {
    var fromTag: String
    var callID: String
    var sequence: UInt32
    var method: SIPMethod

    init?(_ request: SIPRequest) {
        guard let from = try? request.headers.from(), let tag = from.tag, let callID = try? request.headers.callID(),
            let cseq = try? request.headers.cseq()
        else { return nil }
        self.fromTag = tag
        self.callID = callID
        self.sequence = cseq.sequence
        self.method = cseq.method
    }
}

extension SIPMethod {
    /// A method this implementation does not know at all (as opposed to one it knows but refuses).
    var isExtension: Bool { if case .other = self { true } else { false } }
}
