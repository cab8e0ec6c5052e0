import Dialplan
import SIP

extension UserAgent {
    /// A new call (RFC 3261 §13.3): admission, routing, offer/answer, then ringing or the answer.
    mutating func handleInitialInvite(_ invite: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant)
        -> [UserAgentAction]
    {
        // validate() has checked these; a request without them never gets here.
        guard let from = try? invite.headers.from(), let to = try? invite.headers.to(),
            let callID = try? invite.headers.callID(), let cseq = try? invite.headers.cseq()
        else {
            return respond(
                to: invite, key: key, from: peer, status: 400, reason: "Bad Request", now: now, notice: "unreadable dialog headers")
        }
        let sourceAddress = AddressRange.addressBytes(peer.host)
        // The trunk by source address; phones that authenticate may call from anywhere.
        let trunk = trunk(forSource: sourceAddress, invite: invite)
        var facts = CallRequestFacts(
            called: invite.uri.user ?? "", caller: from.uri.user ?? from.uri.description, callerDisplayName: from.displayName,
            trunk: trunk?.name ?? "-", headers: UserAgent.headerTable(invite.headers), arrival: settings.wallClock(now),
            timeZone: settings.timeZone)
        // Every refused call still gets a record, so operators can see why a caller was refused.
        func refuse(
            _ ua: inout UserAgent, _ status: Int, _ reason: String?, _ route: String?, _ notice: String,
            decorate: (inout SIPResponse) -> Void = { _ in }
        ) -> [UserAgentAction] {
            var actions = ua.respond(
                to: invite, key: key, from: peer, status: status, reason: reason, now: now, notice: notice, decorate: decorate)
            var record = CallFacts(
                id: ua.newCallID(now: now), sipCallID: callID, caller: facts.caller, callerDisplayName: facts.callerDisplayName,
                called: facts.called, trunk: facts.trunk, route: route, phase: .ended, peer: peer, onHold: false, startedAt: now)
            record.endedAt = now
            record.outcome = .rejected
            record.endReason = "\(status) \(reason ?? SIPResponse.defaultReasonPhrase(for: status)) (\(notice))"
            record.hungUpBy = .gateway
            record.callerShown = CallRequestFacts.masked(facts.caller, privacy: facts.privacy)
            record.timeline.note(.received, CallTimeline.summary(of: .request(invite)), at: now)
            for case .send(let message, _) in actions { record.timeline.note(.sent, CallTimeline.summary(of: message), at: now) }
            record.timeline.note(.call, "refused: \(notice)", at: now)
            ua.totalCalls += 1
            actions.append(.callEvent(CallEvent(kind: .ended, call: record)))
            return actions
        }
        // A gateway that would forward the call into a meeting treats Max-Forwards 0 as a hop limit.
        if let hops = try? invite.headers.maxForwards(), hops == 0 {
            return refuse(&self, 483, nil, nil, "Max-Forwards 0")
        }
        guard let trunk else {
            return refuse(&self, 403, nil, nil, "source \(peer.host) is in no trunk's 'from' ranges")
        }
        // Mutual TLS (RFC 5630 §3.2): the trunk's calls come over TLS from a client whose certificate
        // the handshake verified; anything else is refused with a Warning that says which.
        if let reason = clientCertificateRefusal(trunk: trunk, peer: peer) {
            return refuse(&self, 403, nil, nil, reason) { $0.headers.add("Warning", "399 dialgate \"\(reason)\"") }
        }
        switch authenticate(invite, trunk: trunk, source: peer.host, now: now) {
        case .admitted(let username):
            facts.authenticatedUser = username
        case .challenge(let stale):
            // The usual first answer to a phone: not a failure, so no record and no security line.
            let challenges = challenges(for: trunk, stale: stale, now: now)
            return respond(to: invite, key: key, from: peer, status: 401, reason: nil, now: now) { response in
                for challenge in challenges { response.headers.add("WWW-Authenticate", challenge) }
            }
        case .refused(let status, let reason):
            let challenges = status == 401 ? challenges(for: trunk, stale: false, now: now) : []
            return refuse(&self, status, nil, nil, "trunk \(trunk.name) authentication: \(reason)") { response in
                for challenge in challenges { response.headers.add("WWW-Authenticate", challenge) }
            }
        }
        if isDraining || calls.count >= settings.maxCalls || ports.available == 0 {
            let why = isDraining ? "draining" : calls.count >= settings.maxCalls ? "call limit \(settings.maxCalls)" : "RTP ports exhausted"
            let retryAfter = String(settings.retryAfterSeconds)
            return refuse(&self, 503, nil, nil, why) { $0.headers.add("Retry-After", retryAfter) }
        }
        if let limit = trunk.maxCalls, calls.countByTrunk[trunk.name, default: 0] >= limit {
            let retryAfter = String(settings.retryAfterSeconds)
            return refuse(&self, 503, nil, nil, "trunk \(trunk.name) call limit \(limit)") { $0.headers.add("Retry-After", retryAfter) }
        }
        // §8.2.3: a body we cannot read is 415, with what we accept.
        let offer: [UInt8]
        switch UserAgent.offeredSDP(in: invite) {
        case .success(let sdp): offer = sdp
        case .failure(let failure):
            return refuse(&self, failure.status, failure.reason, nil, failure.detail) {
                UserAgent.describeAcceptedBodies(&$0, status: failure.status)
            }
        }
        // RFC 4475 §3.3.15: a UA that can only answer in SDP and is asked for something else says so.
        if let accepted = try? invite.headers.optionTags("Accept"), !accepted.isEmpty,
            !accepted.contains(where: { UserAgent.acceptsSDP($0) })
        {
            return refuse(&self, 406, nil, nil, "Accept without application/sdp") {
                $0.headers.add("Warning", "399 dialgate \"Only application/sdp answers can be given\"")
            }
        }
        // RFC 4028 §9: a Session-Expires below our Min-SE is refused before anything else runs.
        let sessionTimer: SessionTimer?
        switch SessionTimer.negotiate(
            invite.headers, minimum: settings.minimumSessionExpires, preferred: settings.sessionExpires, now: now)
        {
        case .none: sessionTimer = nil
        case .timer(let timer): sessionTimer = timer
        case .tooSmall(let minimum):
            return refuse(&self, 422, "Session Interval Too Small", nil, "Session-Expires below Min-SE \(minimum.components.seconds)") {
                $0.headers.add("Min-SE", String(minimum.components.seconds))
            }
        }
        // RFC 3325 §9.1: P-Asserted-Identity names the caller only from a trusted trunk.
        if trunk.trustAssertedIdentity, let asserted = UserAgent.assertedIdentity(invite.headers) {
            facts.caller = asserted.uri.user ?? asserted.uri.description
            if let name = asserted.displayName { facts.callerDisplayName = name }
        }
        // The guard counts a trusted trunk's callers one by one (a carrier's SBC is one address
        // for thousands of callers); anyone else by address.
        let guardSource = trunk.trustAssertedIdentity ? "\(trunk.name):\(facts.caller)" : peer.host
        // RFC 3323 §4.2 / RFC 3325 §9.3: the caller asked to stay anonymous.
        var notices: [UserAgentAction] = []
        if UserAgent.requestsPrivacy(invite.headers) {
            facts.privacy = true
            facts.caller = "anonymous"
            facts.callerDisplayName = nil
            notices.append(
                .notice(
                    SecurityNotice(
                        peer: peer, method: "INVITE", status: nil,
                        reason: "privacy requested: caller ID withheld from participants and records")))
        }

        var run = DialplanRun(document: dialplan.document, facts: facts, options: dialplan.options, secrets: dialplan.secrets)
        let firstActions = run.start(now: now)
        if run.isFinished, case .reject(let status, let phrase, let reason)? = firstActions.last {
            let notice =
                run.route.map { "route \($0) rejected the call" } ?? "no route for \(facts.called.isEmpty ? "(empty)" : facts.called)"
            return notices
                + refuse(&self, status, phrase, run.route, notice) { response in
                    if let reason { response.headers.add("Reason", reason.headerValue) }
                }
        }
        guard let rtpPort = ports.allocate(using: &random) else {
            return refuse(&self, 503, nil, run.route, "RTP ports exhausted")
        }
        let media: NegotiatedSession
        switch offerAnswer(offer: offer, rtpPort: rtpPort, previous: nil, from: peer, trunk: trunk) {
        case .success(let negotiated): media = negotiated
        case .failure(let failure):
            ports.release(rtpPort)
            return refuse(&self, failure.status, failure.reason, run.route, "SDP: \(failure.detail)") {
                if failure.status == 488 { $0.headers.add("Warning", "304 dialgate \"\(failure.detail)\"") }
            }
        }
        let remoteTag = from.tag ?? ""

        let id = newCallID(now: now)
        let localTag = UserAgent.tag(using: &random)
        var localAddress = to
        localAddress.tag = localTag
        let contacts = try? invite.headers.contacts()
        let remoteTarget: SIPURI
        if case .addresses(let list)? = contacts, let first = list.first { remoteTarget = first.uri } else { remoteTarget = from.uri }
        let dialog = Dialog(
            callID: callID, localTag: localTag, remoteTag: remoteTag, localAddress: localAddress, remoteAddress: from,
            remoteTarget: remoteTarget, routeSet: invite.headers.values("Record-Route").flatMap(UserAgent.splitCommaList),
            remoteSequence: cseq.sequence, localSequence: 0)
        var callFacts = CallFacts(
            id: id, sipCallID: callID, caller: facts.caller, callerDisplayName: facts.callerDisplayName, called: facts.called,
            trunk: facts.trunk, route: run.route, phase: .ringing, peer: peer, codec: media.codec, onHold: media.onHold, startedAt: now)
        callFacts.callerShown = CallRequestFacts.masked(facts.caller, privacy: facts.privacy)
        callFacts.timeline.note(.received, CallTimeline.summary(of: .request(invite)), at: now)
        callFacts.timeline.note(
            .call, "trunk \(trunk.name), route \(run.route ?? "-"), codec \(media.codec ?? "-")\(media.media.srtp != nil ? ", SRTP" : "")",
            at: now)
        let call = Call(
            facts: callFacts, session: CallSession(timers: settings.timers), dialog: dialog, inviteKey: key, invite: invite, peer: peer,
            rtpPort: rtpPort, run: run, guardSource: guardSource, endsAt: trunk.maxCallDuration.map { now + $0 }, media: media,
            sessionTimer: sessionTimer, reliability: ProvisionalReliability(invite.headers, firstRSeq: random.next()),
            peerAllowsUpdate: invite.headers.values("Allow").flatMap(UserAgent.splitCommaList).contains { $0.uppercased() == "UPDATE" })
        calls[id] = call
        dialogs[dialog.key] = id
        callsBySIPCallID[callID] = id
        invites[key] = id
        totalCalls += 1

        return notices + [.callEvent(CallEvent(kind: .started, call: callFacts))] + performDialplan(firstActions, for: id, now: now)
    }

    /// What every offer-carrying request within a dialog (re-INVITE, UPDATE) passes first: its CSeq
    /// must go up (RFC 3261 §12.2.2: 500 with Retry-After otherwise) and its body must be SDP we
    /// can read (§8.2.3: 415). The offer (empty without a body), or the response refusing it.
    enum InDialogOffer {
        case offer([UInt8])
        case refused([UserAgentAction])
    }

    mutating func inDialogOffer(
        _ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, call: inout Call, now: SIPInstant
    ) -> InDialogOffer {
        let toTag = call.dialog.localTag
        guard let cseq = try? request.headers.cseq(), cseq.sequence > call.dialog.remoteSequence else {
            return .refused(
                respond(
                    to: request, key: key, from: peer, status: 500, reason: "Server Internal Error", toTag: toTag, now: now,
                    notice: "CSeq out of order"
                ) { $0.headers.add("Retry-After", "1") })
        }
        call.dialog.remoteSequence = cseq.sequence
        switch UserAgent.offeredSDP(in: request) {
        case .success(let sdp): return .offer(sdp)
        case .failure(let failure):
            return .refused(
                respond(
                    to: request, key: key, from: peer, status: failure.status, reason: failure.reason, toTag: toTag, now: now,
                    notice: failure.detail
                ) { UserAgent.describeAcceptedBodies(&$0, status: failure.status) })
        }
    }

    /// RFC 3261 §14.2: a re-INVITE in a confirmed dialog (hold, resume, new media address).
    mutating func handleReinvite(_ request: SIPRequest, key: SIPTransactionKey, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        guard let dialogKey = DialogKey(inbound: request), let id = dialogs[dialogKey], var call = calls[id] else {
            return respond(to: request, key: key, from: peer, status: 481, reason: nil, now: now, notice: "re-INVITE outside any dialog")
        }
        let offer: [UInt8]
        switch inDialogOffer(request, key: key, from: peer, call: &call, now: now) {
        case .refused(let actions):
            calls[id] = call
            return actions
        case .offer(let sdp): offer = sdp
        }
        guard !call.session.isEarly else {
            calls[id] = call
            // §14.2: a re-INVITE while our answer to the first one is pending.
            return respond(to: request, key: key, from: peer, status: 491, reason: nil, toTag: call.dialog.localTag, now: now)
        }
        switch offerAnswer(offer: offer, rtpPort: call.rtpPort, previous: call.media, from: peer) {
        case .failure(let failure):
            calls[id] = call
            // §14.2: a refused re-INVITE leaves the session as it was.
            return respond(
                to: request, key: key, from: peer, status: failure.status, reason: failure.reason, toTag: call.dialog.localTag, now: now,
                notice: "re-INVITE SDP: \(failure.detail)")
        case .success(let media):
            call.media = media
        }
        // §12.2.2: a target-refresh request updates the remote target.
        if case .addresses(let list)? = try? request.headers.contacts(), let contact = list.first {
            call.dialog.remoteTarget = contact.uri
        }
        // RFC 4028: a re-INVITE refreshes the session (and may change its timer).
        if case .failure(let tooSmall) = refreshSessionTimer(request, of: &call, now: now) {
            calls[id] = call
            return refuseTooSmall(request, key: key, from: peer, toTag: call.dialog.localTag, minimum: tooSmall.minimum, now: now)
        }
        call.sessionTimer?.refreshedAt = now
        call.facts.codec = call.media.codec
        if call.facts.onHold != call.media.onHold {
            call.facts.timeline.note(.call, call.media.onHold ? "put on hold by the caller" : "taken off hold", at: now)
        }
        call.facts.onHold = call.media.onHold
        call.facts.phase = call.phase
        var answer = makeResponse(to: request, status: 200, toTag: call.dialog.localTag)
        decorateAnswer(&answer, for: call)
        UserAgent.decorateSessionTimer(&answer, call.sessionTimer)
        call.lastAnswer = answer
        calls[id] = call
        var actions = apply(transactions.respond(answer, key: key, now: now), now: now)
        actions += handle(.reinviteAnswered, for: id, now: now)
        actions.append(.callEvent(CallEvent(kind: .updated, call: call.facts)))
        actions.append(.media(.update(id, mediaPlan(for: call))))
        return actions
    }

    /// The answer's Contact, SDP and capabilities (RFC 3261 §13.3.1.4).
    func decorateAnswer(_ response: inout SIPResponse, for call: Call) {
        response.headers.add("Contact", "<\(contactURI(for: call.peer.transport))>")
        response.headers.add("Allow", UserAgent.allowHeader)
        response.headers.add("Supported", UserAgent.supportedHeader)
        response.headers.add("Content-Type", "application/sdp")
        response.body = call.media.localDescription
    }

    /// Our Contact for a call on `transport` (RFC 3261 §8.1.1.8, §18): the advertised address and the
    /// port of that transport, with `;transport=` for TCP and TLS, so the peer's in-dialog requests
    /// (ACK, BYE, re-INVITE) come back the way the call came. TLS keeps the `sip:` scheme (RFC 5630
    /// §3.1.3: `sips:` would demand TLS on every hop beyond us too).
    func contactURI(for transport: SIPTransport) -> String {
        let host = settings.advertisedHost.contains(":") ? "[\(settings.advertisedHost)]" : settings.advertisedHost
        switch transport {
        case .udp: return "sip:dialgate@\(host):\(settings.sipPort)"
        case .tcp: return "sip:dialgate@\(host):\(settings.sipPort);transport=tcp"
        case .tls: return "sip:dialgate@\(host):\(settings.sipTLSPort ?? settings.sipPort);transport=tls"
        }
    }

    /// The SDP offer a request carries (RFC 3261 §8.2.3): the body itself when it is
    /// `application/sdp`, or the `application/sdp` part of a `multipart/mixed` body (RFC 5621), as
    /// carriers send with an ISUP part (SIP-I/SIP-T, RFC 3204). Empty when there is no body.
    ///
    /// Other parts are ignored even without `handling=optional`: gateways that drop calls over an
    /// ISUP part they do not need help nobody, and the SDP is all the call needs.
    static func offeredSDP(in request: SIPRequest) -> Result<[UInt8], OfferAnswerFailure> {
        guard !request.body.isEmpty else { return .success([]) }
        func unsupported(_ detail: String) -> Result<[UInt8], OfferAnswerFailure> {
            .failure(OfferAnswerFailure(status: 415, reason: "Unsupported Media Type", detail: detail))
        }
        if let encoding = request.headers["Content-Encoding"], encoding.lowercased() != "identity" {
            return unsupported("Content-Encoding \(encoding)")
        }
        guard let type = try? request.headers.contentType() else { return unsupported("missing or malformed Content-Type") }
        switch type.essence.lowercased() {
        case "application/sdp":
            return .success(request.body)
        case "multipart/mixed":
            guard let boundary = type.parameter("boundary") else {
                return .failure(OfferAnswerFailure(status: 400, reason: "Bad Request (multipart without boundary)", detail: "no boundary"))
            }
            let multipart: SIPMultipartBody
            do {
                multipart = try SIPMultipartBody(parsing: request.body, boundary: boundary)
            } catch {
                return .failure(OfferAnswerFailure(status: 400, reason: error.reason, detail: "multipart body: \(error.reason)"))
            }
            let sdp = multipart.parts.first { part in
                (try? part.headers.contentType())?.essence.lowercased() == "application/sdp"
            }
            guard let sdp else { return unsupported("multipart body without an application/sdp part") }
            return .success(sdp.body)
        default:
            return unsupported("Content-Type \(type.essence.lowercased())")
        }
    }

    /// RFC 3261 §21.4.16: a 415 lists what we accept.
    static func describeAcceptedBodies(_ response: inout SIPResponse, status: Int) {
        guard status == 415 else { return }
        response.headers.add("Accept", "application/sdp, multipart/mixed")
        response.headers.add("Accept-Encoding", "identity")
    }

    static func acceptsSDP(_ range: String) -> Bool {
        let media = range.split(separator: ";").first.map { $0.trimmedSpaces.lowercased() } ?? ""
        return media == "application/sdp" || media == "application/*" || media == "*/*"
    }

    /// Splits a comma-separated header value (Record-Route may hold several per line), keeping
    /// commas inside `<...>` and quoted strings.
    static func splitCommaList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false, inAngles = false, escaped = false
        for character in value {
            if escaped { escaped = false; current.append(character); continue }
            switch character {
            case "\\" where inQuotes: escaped = true
            case "\"": inQuotes.toggle()
            case "<" where !inQuotes: inAngles = true
            case ">" where !inQuotes: inAngles = false
            case "," where !inQuotes && !inAngles:
                parts.append(current.trimmedSpaces)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        let last = current.trimmedSpaces
        if !last.isEmpty { parts.append(last) }
        return parts
    }

    /// A call ID unique across the records, not only among live calls (records are kept by it,
    /// so a reused ID would overwrite an earlier call's record): a serial that starts at the
    /// milliseconds since 2026-01-01 when the first call arrives and counts up by one per call, in
    /// base 36 (`c` and 7 characters for years). A restart starts above every ID the last run
    /// made unless it averaged more than 1000 calls a second.
    mutating func newCallID(now: SIPInstant) -> GatewayCallID {
        if nextCallSerial == nil {
            let milliseconds = settings.wallClock(now).timeIntervalSince1970 * 1000 - UserAgent.callSerialEpochMilliseconds
            nextCallSerial = UInt64(max(0, milliseconds.rounded(.down)))
        }
        let serial = nextCallSerial ?? 0
        nextCallSerial = serial &+ 1
        return GatewayCallID("c" + String(serial, radix: 36))
    }

    /// 2026-01-01T00:00:00Z in Unix milliseconds: call serials count from here.
    static let callSerialEpochMilliseconds = 1_767_225_600_000.0
}

extension UserAgent {
    /// Header values by lower-cased name (compact forms expanded), for `match header`.
    static func headerTable(_ headers: SIPHeaders) -> [String: [String]] {
        var table: [String: [String]] = [:]
        for field in headers.fields.prefix(200) {
            table[SIPHeaders.canonicalName(field.name), default: []].append(field.value)
        }
        return table
    }

    /// The first P-Asserted-Identity (RFC 3325 §9.1), a SIP or tel URI with an optional name.
    static func assertedIdentity(_ headers: SIPHeaders) -> SIPNameAddress? {
        for value in headers.values("P-Asserted-Identity").flatMap(splitCommaList) {
            if let address = try? SIPNameAddress(parsing: value) { return address }
        }
        return nil
    }

    /// `Privacy: id` (RFC 3325 §9.3) or `header`/`user` (RFC 3323 §4.2): the caller's identity
    /// must not reach others.
    static func requestsPrivacy(_ headers: SIPHeaders) -> Bool {
        headers.values("Privacy").flatMap { $0.split(separator: ";") }.contains { value in
            let token = value.trimmingCharacters(in: .whitespaces).lowercased()
            return token == "id" || token == "user" || token == "header"
        }
    }
}
