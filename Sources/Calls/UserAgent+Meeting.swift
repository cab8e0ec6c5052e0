import Dialplan
import SIP

/// A phone caller inside a meeting: in-call controls, announcements, and leaving from the
/// meeting side. The meeting itself (roster, mixing) is the adapter's; this is the call's part.
extension UserAgent {
    /// A key pressed in the meeting: `*` then `6` toggles mute, `*` then `#` asks for the
    /// participant count; anything else is ignored (the mix is not interrupted).
    mutating func meetingKey(_ digit: Character, for id: GatewayCallID) -> [UserAgentAction] {
        guard var call = calls[id] else { return [] }
        defer { calls[id] = call }
        if digit == "*" {
            call.awaitingControlKey = true
            return []
        }
        guard call.awaitingControlKey else { return [] }
        call.awaitingControlKey = false
        switch digit {
        case "6": return [.meetingControl(id, .toggleMute)]
        case "#": return [.meetingControl(id, .announceParticipants)]
        default: return []
        }
    }

    /// Tells a caller in a meeting something (a prompt, a join or leave tone) and then puts the
    /// leg back in the meeting. Nil when the call is not in a meeting.
    public mutating func announceInMeeting(_ id: GatewayCallID, _ items: [PlaybackItem], now: SIPInstant) -> [UserAgentAction]? {
        guard let call = calls[id], call.inMeeting, call.hangupAfterPlayback == nil else { return nil }
        return setProgram(.playback(id: UserAgent.announcementPlayback, items), for: id)
    }

    /// The meeting side holds a caller that joined, outside its roster for now: waiting for the
    /// host (`waitingFor` says so), or for the host's answer to an `e2ee` meeting's lobby.
    public mutating func heldInLobby(_ id: GatewayCallID, waitingFor: String, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id], call.inMeeting else { return [] }
        call.inLobby = true
        call.facts.phase = call.phase
        call.facts.timeline.note(.meeting, "held in the lobby, waiting for \(waitingFor)", at: now)
        calls[id] = call
        return [.callEvent(CallEvent(kind: .updated, call: call.facts))]
    }

    /// The meeting side put the caller in its roster: the caller now hears and is heard.
    public mutating func enteredMeeting(_ id: GatewayCallID, now: SIPInstant) -> [UserAgentAction] {
        guard var call = calls[id], call.inMeeting else { return [] }
        let wasHeld = call.inLobby
        call.inLobby = false
        // A phone is never let into an `e2ee` epoch: the host downgraded the meeting for it (issue 7).
        if call.facts.meetingMode == "e2ee" { call.facts.meetingMode = "downgraded" }
        call.facts.phase = call.phase
        call.facts.timeline.note(
            .meeting, "in the meeting \(call.facts.meetingID ?? "")\(wasHeld ? ", let in from the lobby" : "")", at: now)
        calls[id] = call
        return [.callEvent(CallEvent(kind: .updated, call: call.facts))]
    }

    /// The meeting side ends a phone leg (the host removed it, or the meeting ended): the caller
    /// hears why, then BYE with a Reason (RFC 3326). Nil when the call is not in a meeting.
    public mutating func leaveMeeting(_ id: GatewayCallID, removed: Bool, now: SIPInstant) -> [UserAgentAction]? {
        guard var call = calls[id], call.inMeeting else { return nil }
        call.inMeeting = false
        call.inLobby = false
        call.facts.phase = call.phase
        let text = removed ? "Removed from the meeting by the host" : "The meeting ended"
        call.facts.timeline.note(.meeting, removed ? "removed from the meeting by the host" : "the meeting ended", at: now)
        call.hangupAfterPlayback = (UserAgent.refusalPlayback, ReasonHeader(reasonProtocol: .q850, cause: 16, text: text))
        calls[id] = call
        let prompts: [PlaybackItem] = removed ? [.prompt("removed"), .prompt("goodbye")] : [.prompt("goodbye")]
        return setProgram(.playback(id: UserAgent.refusalPlayback, prompts), for: id)
    }

    /// The meeting side keeps the caller out of an `e2ee` meeting after all (issue 7: the host said no
    /// or did not answer the lobby, or re-keyed to `e2ee` with the caller in): the end-to-end prompt,
    /// then BYE with Q.850 cause 21, call rejected (RFC 3326); the record says `refused-e2ee`, with why.
    /// Nil when the call is not in a meeting.
    public mutating func refuseInMeeting(_ id: GatewayCallID, reason: String, now: SIPInstant) -> [UserAgentAction]? {
        guard var call = calls[id], call.inMeeting else { return nil }
        call.inMeeting = false
        call.inLobby = false
        call.facts.phase = call.phase
        call.facts.timeline.note(.policy, "kept out of the meeting: \(reason)", at: now)
        call.facts.policyReason = [call.facts.policyReason, reason].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")
        call.endOutcome = .refusedE2EE
        call.hangupAfterPlayback = (
            UserAgent.refusalPlayback, ReasonHeader(reasonProtocol: .q850, cause: 21, text: UserAgent.e2eeRefusalText)
        )
        calls[id] = call
        return [.callEvent(CallEvent(kind: .updated, call: call.facts))]
            + setProgram(.playback(id: UserAgent.refusalPlayback, [.prompt("meeting-e2ee"), .prompt("goodbye")]), for: id)
    }

    /// The playback id of announcements in a meeting (the dialplan's ids count up from 1).
    static let announcementPlayback = -2
}
