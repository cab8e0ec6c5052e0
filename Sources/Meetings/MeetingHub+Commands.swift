extension MeetingHub {
    mutating func command(from id: ParticipantID, _ message: ParticipantMessage) -> [Action] {
        guard let sender = members[id] else { return [] }
        switch message {
        case .mute(let target, let muted):
            return mute(target, muted, by: sender)
        case .remove(let target):
            guard sender.isApp else { return [] }
            guard sender.isHost else { return refuseCommand(to: id, "only the host can remove participants") }
            guard let member = members[target] else { return unknown(target, to: id) }
            guard target != id else { return refuseCommand(to: id, "to leave the meeting, send 'leave'") }
            return remove(member)
        case .lock(let locked):
            guard sender.isApp else { return [] }
            guard sender.isHost else { return refuseCommand(to: id, "only the host can lock or unlock the meeting") }
            return setLocked(locked, confirmTo: id)
        case .end:
            guard sender.isApp else { return [] }
            guard sender.isHost else { return refuseCommand(to: id, "only the host can end the meeting") }
            return end(reason: "the host ended the meeting")
        case .leave:
            guard sender.isApp else { return depart(id, event: .left) }
            return [.close(id, .normalClosure, reason: "left the meeting")] + depart(id, event: .left)
        case .hello:
            return expel(id, .unexpectedMessage(type: "hello", reason: "this connection has already joined"))
        case .create:
            return expel(id, .unexpectedMessage(type: "create", reason: "create a meeting before joining one"))
        case .rekey(let rekey):
            guard sender.isApp else { return [] }
            return relay(rekey, from: sender)
        case .admission(let request, let accept):
            guard sender.isApp else { return [] }
            return answerAdmission(request, accept: accept, from: sender)
        case .welcome, .roster, .epoch, .locked, .ended, .error, .created, .notice, .admissionRequest:
            return expel(id, .wrongDirection(message.kind.rawValue))
        }
    }

    /// Anyone mutes or unmutes themselves; the host may mute others, but only the participant
    /// unmutes themselves (nobody's microphone is opened for them).
    private mutating func mute(_ target: ParticipantID, _ muted: Bool, by sender: Member) -> [Action] {
        let id = sender.participant.id
        guard var member = members[target] else { return sender.isApp ? unknown(target, to: id) : [] }
        if target != id {
            guard sender.isApp, sender.isHost else { return sender.isApp ? refuseCommand(to: id, "only the host can mute others") : [] }
            guard muted else { return refuseCommand(to: id, "only a participant can unmute themselves") }
        }
        guard member.participant.muted != muted else { return [] }
        member.participant.muted = muted
        var actions: [Action] = []
        if muted && member.speaking {
            member.speaking = false
        }
        members[target] = member
        actions += broadcast(.roster(RosterUpdate(event: muted ? .muted : .unmuted, participant: member.participant)))
        if case .phoneLeg(let leg) = member.endpoint { actions.append(.setPhoneMuted(leg, muted)) }
        return actions
    }

    private mutating func remove(_ member: Member) -> [Action] {
        let id = member.participant.id
        let reason = "removed by the host"
        var actions: [Action]
        switch member.endpoint {
        case .connection: actions = [.close(id, .policyViolation, reason: reason)]
        case .phoneLeg(let leg): actions = [.removePhoneLeg(leg, reason: reason)]
        }
        actions += depart(id, event: .removed)
        return actions
    }

    /// Locks or unlocks; everyone hears of a change, the host who asked for no change hears the state.
    mutating func setLocked(_ locked: Bool, confirmTo requester: ParticipantID?) -> [Action] {
        guard locked != self.locked else {
            return requester.map { [.send(.locked(locked), to: $0)] } ?? []
        }
        self.locked = locked
        return broadcast(.locked(locked)) + [.lockChanged(locked)]
    }

    /// Ends the meeting: every app participant hears why and is closed, every phone leg removed.
    mutating func end(reason: String) -> [Action] {
        let line = WebSocketCloseCode.closeReason(reason)
        var actions: [Action] = []
        for id in order {
            guard let member = members[id] else { continue }
            switch member.endpoint {
            case .connection:
                actions.append(.send(.ended(reason: line), to: id))
                actions.append(.close(id, .normalClosure, reason: line))
            case .phoneLeg(let leg):
                actions.append(.removePhoneLeg(leg, reason: line))
            }
        }
        for waiting in pending { actions.append(.removePhoneLeg(waiting.leg, reason: line)) }
        pending.removeAll()
        members.removeAll()
        order.removeAll()
        connections.removeAll()
        phoneLegs.removeAll()
        senders.removeAll()
        state = .ended(reason: line)
        actions.append(.meetingEnded(reason: line))
        return actions
    }

    mutating func setSpeaking(_ id: ParticipantID, _ speaking: Bool) -> [Action] {
        guard var member = members[id], member.speaking != speaking else { return [] }
        // A muted participant's audio goes nowhere, so they are not heard speaking.
        if speaking && member.participant.muted { return [] }
        member.speaking = speaking
        members[id] = member
        return broadcast(.roster(RosterUpdate(event: .speaking, participant: member.participant, speaking: speaking)))
    }

    func refuseCommand(to id: ParticipantID, code: ParticipantErrorCode = .notAllowed, _ reason: String) -> [Action] {
        [.send(.error(code: code, reason: WebSocketCloseCode.closeReason(reason)), to: id)]
    }

    private func unknown(_ target: ParticipantID, to id: ParticipantID) -> [Action] {
        [.send(.error(code: .unknownParticipant, reason: "no participant \(target.rawValue) in this meeting"), to: id)]
    }
}
