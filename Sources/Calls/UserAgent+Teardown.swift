import Dialplan
import SIP

extension UserAgent {
    /// RFC 3261 §15.1.2: BYE ends the dialog; 481 when there is none.
    mutating func handleBye(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: request), let id = dialogs[dialogKey], calls[id]?.session.isEarly == false else {
            return respond(to: request, key: key, from: peer, status: 481, reason: nil, now: now, notice: "BYE outside any dialog")
        }
        if let cseq = try? request.headers.cseq(), let remoteSequence = calls[id]?.dialog.remoteSequence, cseq.sequence > remoteSequence {
            calls[id]?.dialog.remoteSequence = cseq.sequence
        }
        var actions = respond(to: request, key: key, from: peer, status: 200, reason: nil, toTag: dialogKey.localTag, now: now)
        actions += handle(.bye, for: id, now: now)
        return actions
    }

    /// RFC 3261 §9.2: CANCEL gets 200 when it matches a pending INVITE (which then gets 487), 481 otherwise.
    mutating func handleCancel(
        _ cancel: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, matchingInvite: SIPTransactionKey?, now: SIPInstant
    ) -> [UserAgentAction] {
        guard let inviteKey = matchingInvite else {
            return respond(to: cancel, key: key, from: peer, status: 481, reason: nil, now: now, notice: "CANCEL matches no transaction")
        }
        let toTag = invites[inviteKey].flatMap { calls[$0]?.dialog.localTag }
        var actions = respond(to: cancel, key: key, from: peer, status: 200, reason: nil, toTag: toTag, now: now)
        if let id = invites[inviteKey] {
            actions += handle(.cancel, for: id, now: now)
        }
        return actions
    }

    /// An ACK for a 2xx (it belongs to the dialog, RFC 3261 §13.3.1.4), or a stray one.
    mutating func handleAck(_ ack: SIPRequest, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: ack), let id = dialogs[dialogKey] else { return [] }
        return handle(.ack, for: id, now: now)
    }

    /// Responses to our client transactions: BYE, and session refreshes.
    mutating func handleResponse(_ response: SIPResponse, key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction] {
        if refreshes[key] != nil { return sessionRefreshAnswered(response, key: key, now: now) }
        if let actions = registrationAnswered(response, key: key, now: now) { return actions }
        guard response.isFinal, let id = byes[key] else { return [] }
        byes.removeValue(forKey: key)
        return handle(.byeFinished, for: id, now: now)
    }

    /// Timer B/F or a transport error on one of our requests: for a BYE the call is over anyway
    /// (RFC 3261 §15.1.1: the session ends whatever the response).
    mutating func clientTransactionFailed(_ key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction] {
        if refreshes[key] != nil { return sessionRefreshFailed(key, now: now) }
        if let actions = registrationFailed(key, now: now) { return actions }
        guard let id = byes.removeValue(forKey: key) else { return [] }
        return handle(.byeFinished, for: id, now: now)
    }

    /// Feeds a call's session state machine and carries out its effects.
    mutating func handle(_ event: CallSession.Event, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard let effects = calls[id]?.handle(event, now: now) else { return [] }
        var actions: [UserAgentAction] = []
        for effect in effects {
            actions += perform(effect, for: id, now: now)
        }
        return actions
    }

    private mutating func perform(_ effect: CallSession.Effect, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        switch effect {
        case .answer:
            var answer = makeResponse(to: call.invite, status: 200, toTag: call.dialog.localTag)
            decorateAnswer(&answer, for: call)
            // RFC 4028 §10: the session timer starts with the 2xx.
            call.sessionTimer?.refreshedAt = now
            UserAgent.decorateSessionTimer(&answer, call.sessionTimer)
            call.lastAnswer = answer
            call.facts.answeredAt = now
            call.facts.srtp = call.media.media.srtp != nil
            call.facts.phase = call.phase
            // After early media (183) the leg already runs.
            let start: [UserAgentAction] = call.mediaStarted ? [] : [.media(.start(id, mediaPlan(for: call)))]
            call.mediaStarted = true
            calls[id] = call
            return apply(transactions.respond(answer, key: call.inviteKey, now: now), now: now)
                + [.callEvent(CallEvent(kind: .updated, call: call.facts))] + start
        case .retransmitAnswer:
            // RFC 6026 §8.1: the 2xx is retransmitted by the TU straight to the transport.
            guard let answer = call.lastAnswer else { return [] }
            noteSignalling(.response(answer), .sent, now: now)
            return [.send(.response(answer), to: call.peer)]
        case .terminateInvite:
            return apply(
                transactions.respond(
                    makeResponse(to: call.invite, status: 487, toTag: call.dialog.localTag), key: call.inviteKey, now: now), now: now)
        case .rejectInvite(let status, let reason, let reasonHeader):
            var response = makeResponse(to: call.invite, status: status, reason: reason, toTag: call.dialog.localTag)
            // RFC 6432: a Reason header in a final response says why, in Q.850 or SIP terms.
            if let reasonHeader { response.headers.add("Reason", reasonHeader.headerValue) }
            return apply(transactions.respond(response, key: call.inviteKey, now: now), now: now)
        case .sendBye(let reason):
            let (bye, key, destination) = makeBye(for: &call, reason: reason)
            call.facts.phase = .ending
            calls[id] = call
            byes[key] = id
            return apply(
                transactions.send(
                    request: bye, key: key, to: destination, reliability: destination.transport.isReliable ? .reliable : .unreliable,
                    now: now), now: now)
                + [.callEvent(CallEvent(kind: .updated, call: call.facts))]
        case .ended(let outcome, let reason, let party):
            call.facts.phase = .ended
            call.facts.endedAt = now
            call.facts.outcome = call.endOutcome ?? outcome
            call.facts.endReason = reason
            call.facts.hungUpBy = party
            call.facts.timeline.note(.call, "ended: \((call.endOutcome ?? outcome).rawValue), \(reason) (by \(party.rawValue))", at: now)
            calls.removeValue(forKey: id)
            if callsBySIPCallID[call.dialog.callID] == id { callsBySIPCallID.removeValue(forKey: call.dialog.callID) }
            dialogs.removeValue(forKey: call.dialog.key)
            ports.release(call.rtpPort)
            let stop: [UserAgentAction] = call.mediaStarted ? [.media(.stop(id))] : []
            return stop + [.callEvent(CallEvent(kind: .ended, call: call.facts))]
        }
    }

    /// RFC 3261 §15.1.1: a BYE within the dialog, with a Reason (RFC 3326).
    private mutating func makeBye(for call: inout Call, reason: String) -> (SIPRequest, SIPTransactionKey, SIPPeer) {
        let reasonHeader = (call.byeReason ?? ReasonHeader(reasonProtocol: .q850, cause: 16, text: reason)).headerValue
        return makeInDialogRequest(.bye, for: &call) { headers in headers.add("Reason", reasonHeader) }
    }

    /// RFC 3261 §12.2.1.1: a request within the call's dialog (BYE, a session refresh), with the
    /// next local CSeq and a fresh branch.
    mutating func makeInDialogRequest(
        _ method: SIPMethod, for call: inout Call, sequence: UInt32? = nil, extraHeaders: (inout SIPHeaders) -> Void = { _ in }
    ) -> (SIPRequest, SIPTransactionKey, SIPPeer) {
        if sequence == nil { call.dialog.localSequence += 1 }
        let branch = UserAgent.branch(using: &random)
        // In-dialog requests go back where the INVITE came from (the connection for TCP): that is
        // what phones behind NAT need, and loopback peers alike. RFC 3263 lookup of the remote
        // target arrives with outbound trunks.
        let destination = call.peer
        var headers = SIPHeaders()
        // Our sent-by is the port of the transport the request goes on (RFC 3261 §18.1.1).
        let port = destination.transport == .tls ? settings.sipTLSPort ?? settings.sipPort : settings.sipPort
        let sentBy = settings.advertisedHost.contains(":") ? "[\(settings.advertisedHost)]:\(port)" : "\(settings.advertisedHost):\(port)"
        headers.add("Via", "SIP/2.0/\(destination.transport.rawValue) \(sentBy);branch=\(branch);rport")
        headers.add("Max-Forwards", "70")
        // §12.2.1.1: with a loose-routing route set, the Request-URI is the remote target and the
        // route set becomes Route headers.
        for route in call.dialog.routeSet { headers.add("Route", route) }
        headers.add("From", call.dialog.localAddress.description)
        headers.add("To", call.dialog.remoteAddress.description)
        headers.add("Call-ID", call.dialog.callID)
        headers.add("CSeq", "\(sequence ?? call.dialog.localSequence) \(method.token)")
        extraHeaders(&headers)
        headers.add("User-Agent", settings.product)
        let request = SIPRequest(method: method, uri: call.dialog.remoteTarget, headers: headers)
        // A branch we made always has the cookie, so the key exists.
        return (request, SIPTransactionKey(branch: branch, sentBy: sentBy, method: method)!, destination)
    }
}
