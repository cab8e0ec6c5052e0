import Testing

@testable import Meetings

/// Host-only commands, self-mute, lock, remove and end, event by event.
@Suite struct MeetingHubCommandTests {
    /// Alice (host), Bob and Carol (guests).
    static func meeting() -> (HubHarness, alice: ParticipantID, bob: ParticipantID, carol: ParticipantID) {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let carol = harness.admit("Carol", identity: Fixtures.guestIdentity(0x20))
        return (harness, alice, bob, carol)
    }

    @Test(arguments: [
        (ParticipantMessage.mute(participant: 3, muted: true), "only the host can mute others"),
        (.remove(participant: 3), "only the host can remove participants"),
        (.lock(locked: true), "only the host can lock or unlock the meeting"),
        (.end, "only the host can end the meeting"),
    ])
    func hostOnlyCommandsAreRefusedForGuests(command: ParticipantMessage, reason: String) {
        var (harness, _, bob, carol) = Self.meeting()
        let actions = harness.hub.handle(.command(from: bob, command))
        #expect(actions == [.send(.error(code: .notAllowed, reason: reason), to: bob)])
        #expect(harness.hub.roster.map(\.id).contains(carol))
        #expect(!harness.hub.locked)
        #expect(!harness.hub.isEnded)
    }

    @Test func anyoneMutesAndUnmutesThemselves() {
        var (harness, alice, bob, carol) = Self.meeting()
        let muted = harness.hub.handle(.command(from: bob, .mute(participant: bob, muted: true)))
        for id in [alice, bob, carol] {
            #expect(muted.rosterEvents(to: id).map(\.event) == [.muted])
            #expect(muted.rosterEvents(to: id).first?.participant.muted == true)
        }
        #expect(harness.hub.handle(.command(from: bob, .mute(participant: bob, muted: true))) == [], "no change, no event")
        let unmuted = harness.hub.handle(.command(from: bob, .mute(participant: bob, muted: false)))
        #expect(unmuted.rosterEvents(to: alice).map(\.event) == [.unmuted])
        #expect(unmuted.epochs.isEmpty, "muting does not change who holds the key")
    }

    @Test func hostMutesOthersButCannotUnmuteThem() {
        var (harness, alice, bob, _) = Self.meeting()
        let muted = harness.hub.handle(.command(from: alice, .mute(participant: bob, muted: true)))
        #expect(muted.rosterEvents(to: bob).map(\.event) == [.muted])
        let unmute = harness.hub.handle(.command(from: alice, .mute(participant: bob, muted: false)))
        #expect(unmute == [.send(.error(code: .notAllowed, reason: "only a participant can unmute themselves"), to: alice)])
        #expect(harness.hub.roster.first { $0.id == bob }?.muted == true)
    }

    @Test func commandsNamingNobodyGetAnError() {
        var (harness, alice, _, _) = Self.meeting()
        let actions = harness.hub.handle(.command(from: alice, .remove(participant: 99)))
        #expect(actions == [.send(.error(code: .unknownParticipant, reason: "no participant 99 in this meeting"), to: alice)])
    }

    @Test func hostRemovesAnAppParticipant() {
        var (harness, alice, bob, carol) = Self.meeting()
        let actions = harness.hub.handle(.command(from: alice, .remove(participant: bob)))
        #expect(actions.first == .close(bob, .policyViolation, reason: "removed by the host"))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.removed])
        #expect(actions.rosterEvents(to: carol).map(\.participant.id) == [bob])
        #expect(!actions.recipients.contains(bob))
        #expect(actions.contains(.startEpoch(4, keyHolders: [alice, carol])))
        #expect(harness.hub.roster.map(\.id) == [alice, carol])
        #expect(harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: 2))) == [], "a removed participant's frames go nowhere")
    }

    @Test func hostCannotRemoveThemselves() {
        var (harness, alice, _, _) = Self.meeting()
        #expect(
            harness.hub.handle(.command(from: alice, .remove(participant: alice))) == [
                .send(.error(code: .notAllowed, reason: "to leave the meeting, send 'leave'"), to: alice)
            ])
    }

    @Test func lockIsAnnouncedToEveryoneAndStored() {
        var (harness, alice, bob, carol) = Self.meeting()
        let actions = harness.hub.handle(.command(from: alice, .lock(locked: true)))
        #expect(
            actions == [
                .send(.locked(true), to: alice), .send(.locked(true), to: bob), .send(.locked(true), to: carol), .lockChanged(true),
            ])
        #expect(harness.hub.locked)
        #expect(harness.hub.handle(.command(from: alice, .lock(locked: true))) == [.send(.locked(true), to: alice)])
        #expect(harness.join(Fixtures.hello(name: "Dave")).id == nil)
        let unlock = harness.hub.handle(.command(from: alice, .lock(locked: false)))
        #expect(unlock.last == .lockChanged(false))
        #expect(harness.join(Fixtures.hello(name: "Dave")).id != nil)
    }

    @Test func operatorLockNeedsNoHost() {
        var (harness, alice, _, _) = Self.meeting()
        let actions = harness.hub.handle(.operatorLock(true))
        #expect(actions.messages(to: alice) == [.locked(true)])
        #expect(actions.last == .lockChanged(true))
    }

    @Test func endClosesEveryoneRemovesPhonesAndEndsTheMeeting() {
        var (harness, alice, bob, carol) = Self.meeting()
        let leg = harness.phone("leg-1")!
        let actions = harness.hub.handle(.command(from: alice, .end))
        let reason = "the host ended the meeting"
        #expect(
            actions == [
                .send(.ended(reason: reason), to: alice), .close(alice, .normalClosure, reason: reason),
                .send(.ended(reason: reason), to: bob), .close(bob, .normalClosure, reason: reason),
                .send(.ended(reason: reason), to: carol), .close(carol, .normalClosure, reason: reason),
                .removePhoneLeg("leg-1", reason: reason),
                .meetingEnded(reason: reason),
            ])
        #expect(harness.hub.isEnded)
        #expect(harness.hub.isEmpty)
        #expect(harness.hub.handle(.leave(leg)) == [])
        #expect(harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: 2))) == [])
        #expect(
            harness.hub.handle(.phoneJoin("leg-2", displayName: "Phone", muted: false, now: Fixtures.start)) == [
                .removePhoneLeg("leg-2", reason: reason)
            ])
    }

    @Test func operatorEndNeedsNoHost() {
        var (harness, _, _, _) = Self.meeting()
        let actions = harness.hub.handle(.operatorEnd(reason: "ended by the operator"))
        #expect(actions.last == .meetingEnded(reason: "ended by the operator"))
        #expect(harness.hub.isEnded)
    }

    @Test func gatewayMessagesFromAClientCloseItsConnection() {
        var (harness, alice, bob, _) = Self.meeting()
        let actions = harness.hub.handle(.command(from: bob, .locked(true)))
        #expect(actions.contains(.close(bob, .protocolError, reason: "'locked' is not a message this side accepts")))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
    }

    @Test func speakingIsAnnouncedOnChangeOnly() {
        var (harness, alice, bob, _) = Self.meeting()
        let started = harness.hub.handle(.speaking(bob, true))
        #expect(started.rosterEvents(to: alice) == [RosterUpdate(event: .speaking, participant: harness.hub.roster[1], speaking: true)])
        #expect(harness.hub.handle(.speaking(bob, true)) == [])
        #expect(harness.hub.handle(.speaking(bob, false)).rosterEvents(to: alice).first?.speaking == false)
        _ = harness.hub.handle(.command(from: bob, .mute(participant: bob, muted: true)))
        #expect(harness.hub.handle(.speaking(bob, true)) == [], "the muted are not heard")
    }
}
