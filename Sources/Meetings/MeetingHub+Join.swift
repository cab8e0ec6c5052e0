import Frames

extension MeetingHub {
    /// The answer to a `hello` for a meeting the directory does not have. It is, by construction,
    /// the answer to a wrong passcode: nothing tells a prober whether the meeting exists.
    public static func refusalForUnknownMeeting(_ connection: ConnectionID) -> [Action] {
        refusal(connection, code: .badCredentials, reason: "unknown meeting or wrong passcode")
    }

    static func refusal(_ connection: ConnectionID, code: ParticipantErrorCode, reason: String) -> [Action] {
        refusal(connection, code: code, reason: reason, close: .policyViolation)
    }

    static func refusal(
        _ connection: ConnectionID, code: ParticipantErrorCode, reason: String, close: WebSocketCloseCode
    ) -> [Action] {
        let line = WebSocketCloseCode.closeReason(reason)
        return [.refuse(connection, .error(code: code, reason: line), close: close, reason: line)]
    }

    mutating func join(
        _ connection: ConnectionID, hello: Hello, record: MeetingDirectoryRecord?, now: MeetingInstant, fingerprint: String?
    ) -> [Action] {
        if let existing = connections[connection] {
            // One hello per connection: a second one is a protocol error, and the participant goes.
            return expel(existing, .unexpectedMessage(type: "hello", reason: "this connection has already joined"))
        }
        // Credentials first, so every later refusal needs the passcode: a prober learns nothing.
        guard let record, record.id == meetingID, hello.meeting == meetingID,
            Self.constantTimeEqual(hello.passcode, record.passcode)
        else {
            statistics.joinsRefused += 1
            return Self.refusalForUnknownMeeting(connection)
        }
        guard ParticipantProtocol.supportedVersions.contains(hello.version) else {
            statistics.joinsRefused += 1
            let error = ParticipantProtocolError.unsupportedVersion(hello.version)
            return Self.refusal(connection, code: error.errorCode, reason: error.reason, close: error.closeCode)
        }
        if case .ended = state {
            statistics.joinsRefused += 1
            return Self.refusal(connection, code: .meetingEnded, reason: "the meeting has ended")
        }

        if hostSigningKey == nil, let key = record.hostSigningKey { hostSigningKey = key }
        var pinsHost = false
        let isHost = hello.role == .host
        if isHost {
            if let key = hostSigningKey {
                guard Self.constantTimeEqual(key, hello.identity.signingKey) else {
                    statistics.joinsRefused += 1
                    return Self.refusal(connection, code: .notHost, reason: "this identity is not the meeting's host")
                }
            } else {
                pinsHost = true
            }
        }
        let identity = try? PublicIdentity(hello.identity)
        if let identity, members.values.contains(where: { $0.identity?.fingerprint == identity.fingerprint }) {
            statistics.joinsRefused += 1
            return Self.refusal(connection, code: .identityInUse, reason: "this identity is already in the meeting")
        }
        guard !locked || isHost else {
            statistics.joinsRefused += 1
            return Self.refusal(connection, code: .meetingLocked, reason: "the meeting is locked")
        }
        guard order.count < settings.maxParticipants, lastSenderIndex < UInt32.max, lastParticipantID < UInt32.max else {
            statistics.joinsRefused += 1
            return Self.refusal(connection, code: .meetingFull, reason: "the meeting is full")
        }

        var actions: [Action] = []
        if pinsHost {
            hostSigningKey = hello.identity.signingKey
            actions.append(.pinHostIdentity(signingKey: hello.identity.signingKey))
        }
        if isHost, let identity { hostIdentity = identity }
        let member = admit(
            .connection(connection), name: hello.name, kind: .app, muted: false, isHost: isHost, now: now, fingerprint: fingerprint,
            identity: identity.map { (hello.identity, $0) })
        connections[connection] = member.participant.id
        let id = member.participant.id
        actions.append(.admit(.connection(connection), as: id, senderIndex: member.participant.senderIndex))
        var welcome = Welcome(
            participant: id, senderIndex: member.participant.senderIndex, meeting: meetingID, mode: mode, roster: roster,
            epoch: epoch > 0 ? epoch : nil)
        if mode == .e2ee {
            welcome.keyManager = hostIdentity.map(IdentityKeys.init)
            welcome.delegation = delegation
        }
        actions.append(.send(.welcome(welcome), to: id))
        actions += broadcast(.roster(RosterUpdate(event: .joined, participant: member.participant)), except: id)
        actions += nextEpoch()
        if isHost, mode == .e2ee { actions += pendingRequests(to: id) }
        return actions
    }

    /// Puts a phone leg in the roster: a `standard` meeting's caller, or one an `e2ee` meeting let in
    /// after its downgrade (`MeetingHub+Admission`).
    mutating func admitPhone(_ leg: PhoneLegID, displayName: String, muted: Bool, now: MeetingInstant) -> [Action] {
        guard phoneLegs[leg] == nil else { return [] }
        // DESIGN.md §1: a phone cannot hold an e2ee key; only a downgraded meeting's gateway can mix for it.
        guard mode == .standard || (downgrade != nil && gatewayHoldsKey) else {
            statistics.joinsRefused += 1
            return [.removePhoneLeg(leg, reason: "the meeting is end-to-end encrypted and phones cannot join it")]
        }
        guard !locked else {
            statistics.joinsRefused += 1
            return [.removePhoneLeg(leg, reason: "the meeting is locked")]
        }
        guard order.count < settings.maxParticipants, lastSenderIndex < UInt32.max, lastParticipantID < UInt32.max else {
            statistics.joinsRefused += 1
            return [.removePhoneLeg(leg, reason: "the meeting is full")]
        }
        let member = admit(
            .phoneLeg(leg), name: displayName, kind: .phone, muted: muted, isHost: false, now: now, fingerprint: nil, identity: nil)
        phoneLegs[leg] = member.participant.id
        var actions: [Action] = [.admit(.phoneLeg(leg), as: member.participant.id, senderIndex: member.participant.senderIndex)]
        actions += broadcast(.roster(RosterUpdate(event: .joined, participant: member.participant)))
        actions += nextEpoch()
        return actions
    }

    /// Adds a member with the next participant id and sender index.
    private mutating func admit(
        _ endpoint: Endpoint, name: String, kind: ParticipantKind, muted: Bool, isHost: Bool, now: MeetingInstant, fingerprint: String?,
        identity: (keys: IdentityKeys, verified: PublicIdentity)?
    ) -> Member {
        lastParticipantID += 1
        lastSenderIndex += 1
        let id = ParticipantID(rawValue: lastParticipantID)
        let index = SenderIndex(rawValue: lastSenderIndex)
        var shown = DisplayName.sanitize(name, maxCharacters: settings.maxNameCharacters)
        if shown.isEmpty { shown = kind == .phone ? "Phone \(id.rawValue)" : "Participant \(id.rawValue)" }
        let fingerprint = fingerprint.map { DisplayName.sanitize($0, maxCharacters: 128) }
        let member = Member(
            participant: Participant(
                id: id, name: shown, kind: kind, muted: muted, senderIndex: index, fingerprint: fingerprint,
                role: kind == .app ? (isHost ? .host : .guest) : nil, identity: identity?.keys),
            endpoint: endpoint, isHost: isHost, joinedAt: now, identity: identity?.verified)
        members[id] = member
        order.append(id)
        senders[index] = id
        return member
    }

    /// Takes `id` out of the roster and tells the others (`left` or `removed`); a new epoch follows.
    mutating func depart(_ id: ParticipantID, event: RosterEvent) -> [Action] {
        guard let member = members.removeValue(forKey: id) else { return [] }
        order.removeAll { $0 == id }
        senders[member.participant.senderIndex] = nil
        switch member.endpoint {
        case .connection(let connection): connections[connection] = nil
        case .phoneLeg(let leg): phoneLegs[leg] = nil
        }
        var actions = broadcast(.roster(RosterUpdate(event: event, participant: member.participant)))
        actions += nextEpoch()
        return actions
    }

    /// Closes a participant who broke the protocol (or removes a phone leg the adapter misdrove).
    mutating func expel(_ id: ParticipantID, _ error: ParticipantProtocolError) -> [Action] {
        guard let member = members[id] else { return [] }
        var actions: [Action]
        switch member.endpoint {
        case .connection:
            actions = [.send(error.errorMessage, to: id), .close(id, error.closeCode, reason: error.reason)]
        case .phoneLeg(let leg):
            actions = [.removePhoneLeg(leg, reason: error.reason)]
        }
        actions += depart(id, event: .left)
        return actions
    }

    /// Compares without stopping at the first difference, so the time taken says nothing about
    /// how much of a passcode (or key) was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
