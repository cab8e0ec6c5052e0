import Testing

@testable import Meetings

/// Joining and leaving, event by event: what each side is told, and the key epochs that follow.
@Suite struct MeetingHubJoinTests {
    @Test func firstJoinGetsWelcomeWithItselfAndAnEpoch() {
        var harness = HubHarness()
        let result = harness.join(Fixtures.hello(name: "Alice", role: .host))
        let id = try! #require(result.id)
        #expect(id == 1)
        let expected = Participant(id: 1, name: "Alice", kind: .app, muted: false, senderIndex: 1, role: .host)
        #expect(
            result.actions == [
                .admit(.connection(result.connection), as: 1, senderIndex: 1),
                .send(
                    .welcome(Welcome(participant: 1, senderIndex: 1, meeting: Fixtures.meetingID, mode: .standard, roster: [expected])),
                    to: 1),
                .startEpoch(1, keyHolders: [1]),
            ])
        #expect(harness.hub.isHost(id))
        #expect(harness.hub.participant(for: result.connection) == id)
        #expect(harness.hub.joinedAt(id) == Fixtures.start)
    }

    @Test func joinIsAnnouncedToTheOthersAndTheJoinerSeesEveryone() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let result = harness.join(Fixtures.hello(name: "Bob"))
        let bob = try! #require(result.id)
        #expect(result.actions.rosterEvents(to: alice).map(\.event) == [.joined])
        #expect(result.actions.rosterEvents(to: alice).first?.participant.name == "Bob")
        #expect(result.actions.rosterEvents(to: bob).isEmpty, "the joiner learns of itself from welcome, not a roster event")
        guard case .welcome(let welcome) = result.actions.messages(to: bob).first else {
            Issue.record("no welcome")
            return
        }
        #expect(welcome.roster.map(\.name) == ["Alice", "Bob"])
        #expect(welcome.participant == bob)
        #expect(result.actions.epochs == [2])
        #expect(result.actions.contains(.startEpoch(2, keyHolders: [alice, bob])))
    }

    @Test func leaveIsAnnouncedAndStartsAnEpochWithoutTheLeaver() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let carol = harness.admit("Carol", identity: Fixtures.guestIdentity(0x20))
        let actions = harness.hub.handle(.leave(bob))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
        #expect(actions.rosterEvents(to: carol).map(\.participant.id) == [bob])
        #expect(!actions.recipients.contains(bob))
        #expect(actions.contains(.startEpoch(4, keyHolders: [alice, carol])))
        #expect(harness.hub.roster.map(\.id) == [alice, carol])
        #expect(harness.hub.handle(.leave(bob)) == [], "a second leave changes nothing")
    }

    @Test func leaveCommandClosesTheConnectionNormally() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let actions = harness.hub.handle(.command(from: bob, .leave))
        #expect(actions.first == .close(bob, .normalClosure, reason: "left the meeting"))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
    }

    /// DESIGN.md §4: a new epoch on every join and leave, strictly increasing, never reused.
    @Test func epochStrictlyIncreasesOnEveryJoinAndLeave() {
        var harness = HubHarness()
        var epochs: [UInt64] = []
        let alice = harness.admit("Alice", role: .host)
        epochs.append(harness.hub.epoch)
        var guests: [ParticipantID] = []
        for round in 0..<5 {
            let result = harness.join(Fixtures.hello(name: "Guest \(round)"))
            guests.append(result.id!)
            #expect(result.actions.epochs.count == 1)
            epochs += result.actions.epochs
            if round % 2 == 1 {
                let leaving = guests.removeFirst()
                let actions = harness.hub.handle(.leave(leaving))
                #expect(actions.epochs.count == 1)
                epochs += actions.epochs
            }
        }
        let removal = harness.hub.handle(.command(from: alice, .remove(participant: guests[0])))
        epochs += removal.epochs
        #expect(epochs == Array(1...UInt64(epochs.count)))
        #expect(harness.hub.epoch == UInt64(epochs.count))
    }

    @Test func participantIDsAndSenderIndexesAreNeverReused() {
        var harness = HubHarness()
        _ = harness.admit("Alice", role: .host)
        var seenIDs: Set<ParticipantID> = [1]
        var seenIndexes: Set<SenderIndex> = [1]
        for round in 0..<20 {
            let id = harness.admit("Guest \(round)")
            let index = harness.senderIndex(of: id)
            #expect(seenIDs.insert(id).inserted)
            #expect(seenIndexes.insert(index).inserted)
            _ = harness.hub.handle(.leave(id))
        }
        let leg = harness.phone("leg-1")!
        #expect(seenIDs.insert(leg).inserted)
        #expect(seenIndexes.insert(harness.senderIndex(of: leg)).inserted)
    }

    /// Wrong passcode and unknown meeting must look exactly alike to the caller.
    @Test func wrongPasscodeAndUnknownMeetingLookTheSame() {
        var harness = HubHarness()
        _ = harness.admit("Alice", role: .host)
        let wrong = harness.join(Fixtures.hello(name: "Mallory", passcode: "9999"))
        let unknown = harness.join(Fixtures.hello(name: "Mallory", meeting: "987654321"), record: nil)
        let mismatched = harness.join(Fixtures.hello(name: "Mallory", meeting: "987654321"), record: Fixtures.record())
        #expect(wrong.id == nil && unknown.id == nil && mismatched.id == nil)
        let expected: (ConnectionID) -> [MeetingHub.Action] = { connection in
            [
                .refuse(
                    connection, .error(code: .badCredentials, reason: "unknown meeting or wrong passcode"), close: .policyViolation,
                    reason: "unknown meeting or wrong passcode")
            ]
        }
        #expect(wrong.actions == expected(wrong.connection))
        #expect(unknown.actions == expected(unknown.connection))
        #expect(mismatched.actions == expected(mismatched.connection))
        #expect(MeetingHub.refusalForUnknownMeeting(wrong.connection) == wrong.actions)
        #expect(harness.hub.roster.count == 1)
    }

    /// Refusals that need the passcode are checked after it, so a prober never reaches them.
    @Test func lockedMeetingAnswersAProberLikeAWrongPasscode() {
        var harness = HubHarness(record: Fixtures.record(locked: true))
        let prober = harness.join(Fixtures.hello(name: "Mallory", passcode: "0000"))
        #expect(prober.actions == MeetingHub.refusalForUnknownMeeting(prober.connection))
    }

    @Test func lockedMeetingRefusesGuestsButAdmitsTheHost() {
        var harness = HubHarness(record: Fixtures.record(locked: true))
        let guest = harness.join(Fixtures.hello(name: "Bob"))
        #expect(guest.id == nil)
        #expect(
            guest.actions == [
                .refuse(
                    guest.connection, .error(code: .meetingLocked, reason: "the meeting is locked"), close: .policyViolation,
                    reason: "the meeting is locked")
            ])
        let host = harness.join(Fixtures.hello(name: "Alice", role: .host))
        #expect(host.id != nil)
    }

    @Test func hostRoleNeedsTheMeetingsHostIdentity() {
        var harness = HubHarness()
        let impostor = harness.join(Fixtures.hello(name: "Mallory", role: .host, identity: Fixtures.guestIdentity(0x66)))
        #expect(impostor.id == nil)
        guard case .refuse(_, .error(let code, _), let close, _) = impostor.actions.first else {
            Issue.record("not refused: \(impostor.actions)")
            return
        }
        #expect(code == .notHost)
        #expect(close == .policyViolation)
    }

    /// A meeting created without a host key (dialgatectl --host NAME) pins the first host's key.
    @Test func firstHostPinsTheIdentityWhenTheDirectoryHasNone() {
        var harness = HubHarness(record: Fixtures.record(hostSigningKey: nil))
        let firstKey = [UInt8](repeating: 0x42, count: 32)
        let unkeyed = Fixtures.record(hostSigningKey: nil)
        let first = harness.join(
            Fixtures.hello(name: "Alice", role: .host, identity: Fixtures.identity(signingKey: firstKey)), record: unkeyed)
        #expect(first.actions.first == .pinHostIdentity(signingKey: firstKey))
        #expect(first.id != nil)
        let second = harness.join(
            Fixtures.hello(name: "Mallory", role: .host, identity: Fixtures.identity(signingKey: [UInt8](repeating: 0x43, count: 32))),
            record: unkeyed)
        #expect(second.id == nil, "the pinned key is the host's now")
        let again = harness.join(
            Fixtures.hello(name: "Alice 2", role: .host, identity: Fixtures.identity(signingKey: firstKey)), record: unkeyed)
        #expect(again.id != nil)
        #expect(!again.actions.contains(.pinHostIdentity(signingKey: firstKey)), "pinned once")
    }

    @Test func fullRosterRefusesTheNextJoinerAndPhone() {
        var settings = MeetingHub.Settings()
        settings.maxParticipants = 3
        var harness = HubHarness(settings: settings)
        _ = harness.admit("Alice", role: .host)
        _ = harness.admit("Bob")
        #expect(harness.phone("leg-1") != nil)
        let late = harness.join(Fixtures.hello(name: "Carol"))
        #expect(late.id == nil)
        guard case .refuse(_, .error(let code, let reason), let close, _) = late.actions.first else {
            Issue.record("not refused")
            return
        }
        #expect(code == .meetingFull)
        #expect(reason == "the meeting is full")
        #expect(close == .policyViolation)
        #expect(
            harness.hub.handle(.phoneJoin("leg-2", displayName: "Phone", muted: false, now: Fixtures.start)) == [
                .removePhoneLeg("leg-2", reason: "the meeting is full")
            ])
        #expect(harness.hub.roster.count == 3)
        #expect(harness.hub.statistics.joinsRefused == 2)
    }

    @Test func secondHelloOnAConnectionIsAProtocolError() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.join(Fixtures.hello(name: "Bob"))
        let actions = harness.hub.handle(.join(bob.connection, Fixtures.hello(name: "Bob"), Fixtures.record(), now: Fixtures.start))
        #expect(actions.contains(.close(bob.id!, .protocolError, reason: "unexpected 'hello': this connection has already joined")))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
        #expect(harness.hub.roster.map(\.id) == [alice])
    }

    @Test func namesAreSanitisedAndShortened() {
        var settings = MeetingHub.Settings()
        settings.maxNameCharacters = 10
        var harness = HubHarness(settings: settings)
        let id = harness.admit("  Al\u{202E}ice\n\t Smith-Jones the Third ", role: .host)
        #expect(harness.hub.roster.first { $0.id == id }?.name == "Alice Smit")
        let blank = harness.admit("\u{200B}\u{0007}  ")
        #expect(harness.hub.roster.first { $0.id == blank }?.name == "Participant \(blank.rawValue)")
    }

    @Test func endedMeetingRefusesLateJoinersAfterTheirPasscode() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        _ = harness.hub.handle(.command(from: alice, .end))
        let late = harness.join(Fixtures.hello(name: "Bob"))
        guard case .refuse(_, .error(let code, _), _, _) = late.actions.first else {
            Issue.record("not refused")
            return
        }
        #expect(code == .meetingEnded)
        let prober = harness.join(Fixtures.hello(name: "Mallory", passcode: "1111"))
        #expect(prober.actions == MeetingHub.refusalForUnknownMeeting(prober.connection))
    }
}
