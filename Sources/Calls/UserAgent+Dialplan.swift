import Dialplan
import SIP

/// Carrying out a call's dialplan run: the interpreter decides, the user agent signals (180,
/// 183, 200, BYE, final responses) and tells the adapter what the media plays.
extension UserAgent {
    /// Feeds an event to a call's run and carries out what it returns.
    mutating func feedDialplan(_ event: DialplanRun.Event, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard let actions = calls[id]?.run.handle(event, now: now) else { return [] }
        return performDialplan(actions, for: id, now: now)
    }

    /// The meeting directory's answer to `.lookupMeeting` (nil: no such meeting). A meeting whose
    /// phone entry the guard has locked is reported as not found, which sounds the same.
    public mutating func meetingLookedUp(_ entry: MeetingEntry?, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        let open = entry.flatMap { entryGuard.isLocked(meeting: $0.id, now: now) ? nil : $0 }
        return feedDialplan(.meetingLookup(open), for: id, now: now)
    }

    /// The leg played a playback to its end (or a barge-in stopped it).
    public mutating func playbackFinished(_ playback: Int, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard let call = calls[id] else { return [] }
        if let last = call.hangupAfterPlayback, last.id == playback {
            calls[id]?.byeReason = last.reason
            return hangup(id, by: .gateway, reason: last.reason.text ?? "dialplan hangup", now: now) ?? []
        }
        if playback == UserAgent.announcementPlayback, call.inMeeting, let conference = call.conference {
            return setProgram(conference, for: id)
        }
        return feedDialplan(.playbackFinished(id: playback), for: id, now: now)
    }

    func journalActions(for id: GatewayCallID, from start: Int) -> [UserAgentAction] {
        guard let journal = calls[id]?.run.journal, start < journal.count else { return [] }
        return journal[start...].map { .dialplanStep(id, $0) }
    }

    mutating func performDialplan(_ actions: [DialplanRun.Action], for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        var out = journalActions(for: id, from: calls[id]?.journalLogged ?? 0)
        calls[id]?.noteDialplanSteps(out)
        for action in actions {
            guard let call = calls[id] else { break }
            switch action {
            case .ring:
                // After 183 with early media a 180 would tell the phone to play its own ringback; and
                // one reliable provisional response at a time (RFC 3262 §3).
                guard call.session.isEarly, !call.mediaStarted, !call.reliability.isAwaitingPRACK else { continue }
                out += sendProvisional(makeResponse(to: call.invite, status: 180, toTag: call.dialog.localTag), for: id, now: now)
            case .earlyMedia:
                guard call.session.isEarly, !call.mediaStarted, !call.reliability.isAwaitingPRACK else { continue }
                // RFC 3261 §13.3.1.1 with RFC 3960: a 183 carrying the SDP answer starts early media;
                // reliably (RFC 3262) when the caller supports 100rel, so the answer is not lost.
                var progress = makeResponse(to: call.invite, status: 183, toTag: call.dialog.localTag)
                decorateAnswer(&progress, for: call)
                calls[id]?.mediaStarted = true
                out += sendProvisional(progress, for: id, now: now)
                out.append(.media(.start(id, mediaPlan(for: call))))
            case .answer:
                out += answer(id, now: now)
            case .play(let playback, let items):
                out += setProgram(.playback(id: playback, items), for: id)
            case .stopPlayback:
                out.append(.media(.stopPlayback(id)))
            case .lookupMeeting(let meetingID):
                if entryGuard.isLocked(source: call.guardSource, now: now) {
                    out += feedDialplan(.meetingLookup(nil), for: id, now: now)
                } else {
                    out.append(.lookupMeeting(id, meetingID))
                }
            case .entryFailed(let failure):
                out += entryFailed(failure, for: id, now: now)
            case .join(let request):
                out += join(request, for: id, now: now)
            case .echo:
                out += setProgram(.echo, for: id)
            case .reject(let status, let phrase, let reason):
                out += handle(.reject(status: status, reason: phrase, reasonHeader: reason), for: id, now: now)
            case .hangup(let reason):
                calls[id]?.byeReason = reason
                out += handle(.hangup(by: .gateway, reason: reason.text ?? "dialplan hangup"), for: id, now: now)
            }
        }
        return out
    }

    mutating func setProgram(_ program: MediaProgram, for id: GatewayCallID) -> [UserAgentAction] {
        guard let mediaStarted = calls[id]?.mediaStarted else { return [] }
        calls[id]?.program = program
        // Before the media starts, the program rides along with `.start`.
        return mediaStarted ? [.media(.program(id, program))] : []
    }

    /// A wrong meeting ID or passcode: counted against the source and the meeting, one security
    /// line, and the caller waits the guard's penalty before hearing it.
    private mutating func entryFailed(_ failure: EntryFailure, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard let call = calls[id] else { return [] }
        let meeting = failure.kind == .wrongPasscode ? call.run.meeting : nil
        let verdict = entryGuard.recordFailure(source: call.guardSource, meeting: meeting, now: now)
        var reason = "wrong meeting entry (\(failure.kind.rawValue)) call=\(id) meeting=\(failure.meetingID ?? "-")"
        reason += " source=\(call.guardSource) penalty=\(verdict.penalty)"
        if let until = verdict.sourceLockedUntil { reason += " source-locked-for=\(until - now)" }
        if let until = verdict.meetingLockedUntil { reason += " meeting-locked-for=\(until - now)" }
        let notice = SecurityNotice(peer: call.peer, method: "DTMF", status: nil, reason: reason)
        return [.notice(notice)] + feedDialplan(.entryPenalty(verdict.penalty), for: id, now: now)
    }

    /// `join`: policy decides first (`PolicyDecision`, issue 7: the meeting's mode and tier, the
    /// route's profile, SRTP). A phone leg is never placed in an `e2ee` meeting (DESIGN.md §1, §4):
    /// the caller hears why and the call ends with Q.850 cause 21, call rejected (RFC 3326); the
    /// record says `refused-e2ee`. A call without SRTP where policy requires it is refused the same
    /// way with its own prompt. A `lobby` or `downgrade` joins the conference program and the meeting
    /// side carries it out (holding the caller for the host's answer; `refuseInMeeting` if it is no).
    private mutating func join(_ request: JoinRequest, for id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        call.facts.meetingID = request.meetingID
        var admitted: [UserAgentAction] = []
        var request = request
        if let meeting = request.meeting {
            // Whether the host is in is the meeting side's to know; phones waiting for the host is
            // handled there (per meeting), so the decision here is made as if the host were in.
            let decision = PolicyDecision.decide(
                PolicyDecision.Question(
                    meetingID: meeting.id, mode: meeting.mode == "e2ee" ? .e2ee : .standard, tier: meeting.tier, hostPresent: true,
                    srtp: call.media.media.srtp != nil, routePolicy: request.policy), in: dialplan.document)
            request.displayName = Self.shownName(request.displayName, caller: call.facts.caller, policy: decision.callerIDDisplay)
            call.facts.meetingMode = meeting.mode
            switch decision.callerIDDisplay {
            case .full: call.facts.callerShown = call.facts.caller
            case .masked: break
            case .hidden: call.facts.callerShown = "(hidden)"
            }
            call.facts.policyDecision = decision.outcome.label
            call.facts.policyReason = decision.reasons.joined(separator: "; ")
            call.facts.timeline.note(
                .policy, "\(decision.outcome.label) for meeting \(meeting.id) (\(meeting.mode)): \(call.facts.policyReason ?? "")", at: now)
            for line in decision.lines { call.facts.timeline.note(.policy, "setting \(line)", at: now) }
            var verdict = PolicyVerdict(
                meetingID: meeting.id, displayName: request.displayName, decision: decision.outcome.label, reasons: decision.reasons,
                lines: decision.lines.map(\.description), refused: false, waitsForHost: !decision.phonesBeforeHost, policy: decision)
            let refusal: (prompt: String, outcome: CallOutcome, text: String)? =
                switch decision.outcome {
                case .admit, .waitForHost, .lobby, .downgrade: nil
                case .refuse(.srtpRequired):
                    ("srtp-required", .refusedNoSRTP, "Encrypted media required")
                case .refuse:
                    ("meeting-e2ee", .refusedE2EE, UserAgent.e2eeRefusalText)
                }
            verdict.refused = refusal != nil
            verdict.refusal = refusal?.text
            if let refusal, call.facts.answeredAt == nil {
                // A route that joins before answering (a DID mapped straight to a meeting): refused
                // with 603 Decline and the Reason in the response (RFC 6432), no prompt.
                call.endOutcome = refusal.outcome
                calls[id] = call
                return [.policyDecided(id, verdict)]
                    + handle(
                        .reject(
                            status: 603, reason: "Decline", reasonHeader: ReasonHeader(reasonProtocol: .q850, cause: 21, text: refusal.text)
                        ),
                        for: id, now: now)
            }
            if let refusal {
                call.hangupAfterPlayback = (
                    UserAgent.refusalPlayback, ReasonHeader(reasonProtocol: .q850, cause: 21, text: refusal.text)
                )
                call.endOutcome = refusal.outcome
                calls[id] = call
                return [.callEvent(CallEvent(kind: .updated, call: call.facts)), .policyDecided(id, verdict)]
                    + setProgram(.playback(id: UserAgent.refusalPlayback, [.prompt(refusal.prompt), .prompt("goodbye")]), for: id)
            }
            admitted = [.policyDecided(id, verdict)]
        }
        if call.facts.answeredAt == nil && !call.mediaStarted {
            // Admitted by a route that joins before answering: answer now, then join.
            calls[id] = call
            admitted += answer(id, now: now)
            guard let answered = calls[id] else { return admitted }
            call = answered
        }
        let conference = MediaProgram.conference(meetingID: request.meetingID, displayName: request.displayName, muted: request.muted)
        call.inMeeting = true
        call.conference = conference
        call.facts.phase = call.phase
        calls[id] = call
        return [.callEvent(CallEvent(kind: .updated, call: call.facts))] + admitted + setProgram(conference, for: id)
    }

    /// `caller-id-display`: `hidden` shows "Phone" whatever the route named the caller; `full` shows the
    /// number where the route kept the default masked name (`Phone ${caller.masked}`); `masked`
    /// leaves the route's name as it is.
    static func shownName(_ name: String, caller: String, policy: PolicySetting.CallerIDDisplay) -> String {
        switch policy {
        case .masked: name
        case .hidden: "Phone"
        case .full: name == "Phone \(CallRequestFacts.masked(caller))" && caller != "anonymous" ? "Phone \(caller)" : name
        }
    }

    /// A playback id the dialplan never uses (its ids count up from 1).
    static let refusalPlayback = -1

    /// The Reason text (RFC 3326) of a call kept out of an `e2ee` meeting.
    static let e2eeRefusalText = "End-to-end encrypted meeting: phone callers cannot join"

}
