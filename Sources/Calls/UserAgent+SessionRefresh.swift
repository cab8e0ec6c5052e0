import Dialplan
import SIP

/// Keeping a session alive and its early media reliable: session timers (RFC 4028), UPDATE
/// (RFC 3311) and PRACK for reliable provisional responses (RFC 3262).
extension UserAgent {
    // MARK: - Session timers (RFC 4028)

    /// The session-timer headers of a 2xx (§9): `Session-Expires` with the refresher, and `Require:
    /// timer` when the peer supports it.
    static func decorateSessionTimer(_ response: inout SIPResponse, _ timer: SessionTimer?) {
        guard let timer else { return }
        response.headers.add("Session-Expires", timer.headerValue)
        if timer.peerSupportsTimer { response.headers.add("Require", "timer") }
    }

    /// A refresh (re-INVITE or UPDATE) from the peer: the timer restarts with what it asks (§9),
    /// or the request is refused with 422 when its interval is below our Min-SE.
    mutating func refreshSessionTimer(_ request: SIPRequest, of call: inout Call, now: SIPInstant) -> Result<Void, SessionTooSmall> {
        switch SessionTimer.negotiate(
            request.headers, minimum: settings.minimumSessionExpires, preferred: settings.sessionExpires, now: now)
        {
        case .tooSmall(let minimum):
            return .failure(SessionTooSmall(minimum: minimum))
        case .none:
            if call.sessionTimer != nil { call.facts.timeline.note(.call, "session timer off (the refresh asked for none)", at: now) }
            call.sessionTimer = nil
        case .timer(let timer):
            if call.sessionTimer == nil { call.facts.timeline.note(.call, "session timer \(timer.headerValue)", at: now) }
            call.sessionTimer = timer
        }
        return .success(())
    }

    struct SessionTooSmall: Error {
        var minimum: Duration
    }

    /// 422 with our Min-SE (§9).
    mutating func refuseTooSmall(
        _ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, toTag: String?, minimum: Duration, now: SIPInstant
    ) -> [UserAgentAction] {
        respond(
            to: request, key: key, from: peer, status: 422, reason: "Session Interval Too Small", toTag: toTag, now: now,
            notice: "Session-Expires below Min-SE \(minimum.components.seconds)"
        ) { $0.headers.add("Min-SE", String(minimum.components.seconds)) }
    }

    /// The session timer's deadline passed: refresh it (we are the refresher) or end the call (the
    /// peer did not refresh, or our refresh went unanswered), with BYE and a Reason (§10).
    mutating func sessionTimerFired(_ id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id], var timer = call.sessionTimer, let deadline = timer.deadline, deadline <= now,
            !call.session.isEarly
        else { return [] }
        if timer.due == .refresh, !timer.refreshing {
            timer.refreshing = true
            call.sessionTimer = timer
            return sendSessionRefresh(&call, id: id, now: now)
        }
        let seconds = timer.interval.components.seconds
        call.sessionTimer = nil
        call.byeReason = ReasonHeader(reasonProtocol: .sip, cause: 408, text: "Session timer expired")
        call.facts.timeline.note(.call, "session timer expired: no refresh within \(seconds) s", at: now)
        calls[id] = call
        return hangup(id, by: .gateway, reason: "session timer expired (no refresh within \(seconds) s)", now: now) ?? []
    }

    /// Our refresh (§7.4): UPDATE without a body when the peer allows UPDATE, else a re-INVITE with
    /// the session description unchanged (RFC 6337 §5.3: same version, no new negotiation).
    private mutating func sendSessionRefresh(_ call: inout Call, id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        let method: SIPMethod = call.peerAllowsUpdate ? .update : .invite
        let timer = call.sessionTimer
        let contact = contactURI(for: call.peer.transport)
        var (request, key, destination) = makeInDialogRequest(method, for: &call) { headers in
            if let timer { headers.add("Session-Expires", "\(timer.interval.components.seconds);refresher=uas") }
            headers.add("Supported", "timer")
            headers.add("Contact", "<\(contact)>")
        }
        if method == .invite {
            request.headers.add("Allow", UserAgent.allowHeader)
            request.headers.add("Content-Type", "application/sdp")
            request.body = call.media.localDescription
        }
        call.facts.timeline.note(.call, "refreshing the session (\(method.token))", at: now)
        refreshes[key] = id
        calls[id] = call
        return apply(
            transactions.send(
                request: request, key: key, to: destination, reliability: destination.transport.isReliable ? .reliable : .unreliable,
                now: now), now: now)
    }

    /// The final response to our refresh. A 2xx restarts the timer (with the interval the peer
    /// confirmed) and, for a re-INVITE, is acknowledged (RFC 3261 §13.2.2.4); 422 retries with the
    /// peer's Min-SE; 481 or 408 mean the dialog is gone (RFC 4028 §10, RFC 5057): the call ends.
    /// Anything else leaves the timer to expire.
    mutating func sessionRefreshAnswered(_ response: SIPResponse, key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction] {
        guard response.isFinal, let id = refreshes[key], var call = calls[id] else { return [] }
        if key.method == .invite, response.isSuccess {
            // The 2xx (and each retransmission of it, RFC 6026 §7.2) is acknowledged by us.
            let sequence = (try? response.headers.cseq())?.sequence ?? call.dialog.localSequence
            let (ack, ackKey, destination) = makeInDialogRequest(.ack, for: &call, sequence: sequence)
            calls[id] = call
            let actions = apply(transactions.send(request: ack, key: ackKey, to: destination, reliability: .unreliable, now: now), now: now)
            guard call.sessionTimer?.refreshing == true else { return actions }
            return actions + sessionRefreshed(response, id: id, now: now)
        }
        refreshes.removeValue(forKey: key)
        if response.isSuccess { return sessionRefreshed(response, id: id, now: now) }
        call.facts.timeline.note(.call, "session refresh answered \(response.statusCode) \(response.reasonPhrase)", at: now)
        switch response.statusCode {
        case 422:
            if let seconds = response.headers.minimumSessionExpires(), var timer = call.sessionTimer,
                Duration.seconds(Int64(seconds)) > timer.interval
            {
                timer.interval = .seconds(Int64(seconds))
                timer.refreshing = true
                call.sessionTimer = timer
                return sendSessionRefresh(&call, id: id, now: now)
            }
            calls[id] = call
            return []
        case 481, 408:
            calls[id] = call
            return hangup(id, by: .gateway, reason: "session refresh answered \(response.statusCode): the dialog is gone", now: now) ?? []
        default:
            calls[id] = call
            return []
        }
    }

    private mutating func sessionRefreshed(_ response: SIPResponse, id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id], var timer = call.sessionTimer else { return [] }
        if let confirmed = response.headers.sessionExpires() {
            timer.interval = .seconds(Int64(confirmed.seconds))
            if let refresher = confirmed.refresher.flatMap(SessionTimer.Refresher.init) { timer.refresher = refresher }
        }
        timer.refreshing = false
        timer.refreshedAt = now
        call.sessionTimer = timer
        call.facts.timeline.note(.call, "session refreshed (\(timer.headerValue))", at: now)
        calls[id] = call
        return []
    }

    /// A refresh of ours that timed out or could not be sent (RFC 4028 §10 treats it as a 408): the
    /// dialog is gone, the call ends.
    mutating func sessionRefreshFailed(_ key: SIPTransactionKey, now: SIPInstant) -> [UserAgentAction] {
        guard let id = refreshes.removeValue(forKey: key) else { return [] }
        return hangup(id, by: .gateway, reason: "session refresh got no answer", now: now) ?? []
    }

    // MARK: - UPDATE (RFC 3311)

    /// UPDATE in a dialog: a session refresh (no body) or a new offer (SDP, answered in the 200,
    /// like a re-INVITE without the ACK).
    mutating func handleUpdate(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: request), let id = dialogs[dialogKey], var call = calls[id] else {
            return respond(to: request, key: key, from: peer, status: 481, reason: nil, now: now, notice: "UPDATE outside any dialog")
        }
        let toTag = call.dialog.localTag
        let offer: [UInt8]
        switch inDialogOffer(request, key: key, from: peer, call: &call, now: now) {
        case .refused(let actions):
            calls[id] = call
            return actions
        case .offer(let sdp): offer = sdp
        }
        // RFC 3311 §5.2: an offer while our INVITE answer is still unacknowledged crosses it.
        if !offer.isEmpty, call.reliability.isAwaitingPRACK {
            calls[id] = call
            return respond(to: request, key: key, from: peer, status: 491, reason: nil, toTag: toTag, now: now) {
                $0.headers.add("Retry-After", "1")
            }
        }
        if case .failure(let tooSmall) = refreshSessionTimer(request, of: &call, now: now) {
            calls[id] = call
            return refuseTooSmall(request, key: key, from: peer, toTag: toTag, minimum: tooSmall.minimum, now: now)
        }
        var changedMedia = false
        if !offer.isEmpty {
            switch offerAnswer(offer: offer, rtpPort: call.rtpPort, previous: call.media, from: peer) {
            case .failure(let failure):
                calls[id] = call
                return respond(
                    to: request, key: key, from: peer, status: failure.status, reason: failure.reason, toTag: toTag, now: now,
                    notice: "UPDATE SDP: \(failure.detail)")
            case .success(let media):
                changedMedia = true
                if call.facts.onHold != media.onHold {
                    call.facts.timeline.note(.call, media.onHold ? "put on hold by the caller" : "taken off hold", at: now)
                }
                call.media = media
                call.facts.codec = media.codec
                call.facts.onHold = media.onHold
                call.facts.phase = call.phase
            }
        }
        if case .addresses(let list)? = try? request.headers.contacts(), let contact = list.first {
            call.dialog.remoteTarget = contact.uri
        }
        if !call.session.isEarly, var timer = call.sessionTimer { timer.refreshedAt = now; call.sessionTimer = timer }
        calls[id] = call
        let timer = call.sessionTimer
        let media = call.media
        let contact = contactURI(for: call.peer.transport)
        var actions = respond(to: request, key: key, from: peer, status: 200, reason: nil, toTag: toTag, now: now) { response in
            response.headers.add("Contact", "<\(contact)>")
            response.headers.add("Allow", UserAgent.allowHeader)
            response.headers.add("Supported", UserAgent.supportedHeader)
            UserAgent.decorateSessionTimer(&response, timer)
            if changedMedia {
                response.headers.add("Content-Type", "application/sdp")
                response.body = media.localDescription
            }
        }
        if changedMedia {
            actions.append(.callEvent(CallEvent(kind: .updated, call: call.facts)))
            if call.mediaStarted { actions.append(.media(.update(id, mediaPlan(for: call)))) }
        }
        return actions
    }

    static var supportedHeader: String { UserAgentSettings.supportedExtensions.sorted().joined(separator: ", ") }

    // MARK: - Reliable provisional responses (RFC 3262)

    /// The dialplan answers: at once, or once the PRACK for a 183 with SDP has come (§3).
    mutating func answer(_ id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        if call.reliability.pending?.carriesSDP == true {
            call.reliability.answerHeld = true
            call.facts.timeline.note(.call, "answer held until the PRACK for the 183", at: now)
            calls[id] = call
            return []
        }
        return handle(.answer, for: id, now: now)
    }

    /// A provisional response, reliable when the caller supports or requires 100rel (§3, §4).
    mutating func sendProvisional(_ response: SIPResponse, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        var response = response
        if call.reliability.isReliable(status: response.statusCode, withSDP: !response.body.isEmpty) {
            call.reliability.send(&response, now: now, timers: settings.timers)
            calls[id] = call
        }
        return apply(transactions.respond(response, key: call.inviteKey, now: now), now: now)
    }

    /// Retransmits an unacknowledged reliable provisional response, or refuses the INVITE when no
    /// PRACK came in 64·T1 (§3: a 5xx).
    mutating func reliabilityTimerFired(_ id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        let outcome = call.reliability.timerFired(now: now, timers: settings.timers)
        calls[id] = call
        switch outcome {
        case .nothing:
            return []
        case .retransmit(let response):
            return apply(transactions.respond(response, key: call.inviteKey, now: now), now: now)
        case .gaveUp:
            return handle(
                .reject(status: 500, reason: "No PRACK for the reliable provisional response", reasonHeader: nil), for: id, now: now)
        }
    }

    /// PRACK (§7.2): 200 when its RAck names the unacknowledged response, 481 otherwise; a held
    /// answer goes now.
    mutating func handlePRACK(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: request), let id = dialogs[dialogKey], var call = calls[id] else {
            return respond(to: request, key: key, from: peer, status: 481, reason: nil, now: now, notice: "PRACK outside any dialog")
        }
        let inviteSequence = (try? call.invite.headers.cseq())?.sequence ?? 0
        let outcome = call.reliability.prack(rack: request.headers["RAck"] ?? "", inviteSequence: inviteSequence)
        calls[id] = call
        guard case .acknowledged(let answerNow) = outcome else {
            return respond(
                to: request, key: key, from: peer, status: 481, reason: nil, toTag: call.dialog.localTag, now: now,
                notice: "PRACK for no unacknowledged response")
        }
        var actions = respond(to: request, key: key, from: peer, status: 200, reason: nil, toTag: call.dialog.localTag, now: now)
        if answerNow { actions += handle(.answer, for: id, now: now) }
        return actions
    }
}
