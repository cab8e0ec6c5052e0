import Testing

@testable import Meetings

/// Phone legs as participants: joined and left both ways, muted, removed, and fed by the phone mix.
@Suite struct MeetingHubPhoneTests {
    @Test func phoneJoinIsAnnouncedToTheAppsAndStartsAnEpoch() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let actions = harness.hub.handle(.phoneJoin("leg-1", displayName: "Phone ••• 1234", muted: false, now: Fixtures.start))
        let leg = try! #require(harness.hub.participant(forPhoneLeg: "leg-1"))
        #expect(actions.first == .admit(.phoneLeg("leg-1"), as: leg, senderIndex: 2))
        let joined = actions.rosterEvents(to: alice)
        #expect(joined.map(\.event) == [.joined])
        #expect(joined.first?.participant == Participant(id: leg, name: "Phone ••• 1234", kind: .phone, muted: false, senderIndex: 2))
        #expect(actions.contains(.startEpoch(2, keyHolders: [alice])), "phones hold no key: the gateway holds it for them")
        #expect(harness.hub.participant(withSenderIndex: 2) == leg)
    }

    @Test func phoneFirstJoinsAnEmptyMeetingWithoutAnEpoch() {
        var harness = HubHarness()
        let actions = harness.hub.handle(.phoneJoin("leg-1", displayName: "Phone", muted: true, now: Fixtures.start))
        #expect(actions.count == 1, "nobody to tell, nobody to hold a key: \(actions)")
        #expect(harness.hub.roster.first?.muted == true)
        let alice = harness.join(Fixtures.hello(name: "Alice", role: .host))
        guard case .welcome(let welcome) = alice.actions.messages(to: alice.id!).first else {
            Issue.record("no welcome")
            return
        }
        #expect(welcome.roster.map(\.kind) == [.phone, .app])
    }

    @Test func phoneLeavingIsAnnounced() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let leg = harness.phone("leg-1")!
        let actions = harness.hub.handle(.leave(leg))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
        #expect(actions.epochs == [3])
        #expect(harness.hub.participant(forPhoneLeg: "leg-1") == nil)
    }

    @Test func hostRemovesAPhoneLeg() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let leg = harness.phone("leg-1")!
        let actions = harness.hub.handle(.command(from: alice, .remove(participant: leg)))
        #expect(actions.first == .removePhoneLeg("leg-1", reason: "removed by the host"))
        #expect(actions.rosterEvents(to: bob).map(\.event) == [.removed])
        #expect(actions.contains(.startEpoch(4, keyHolders: [alice, bob])))
        #expect(harness.hub.roster.map(\.id) == [alice, bob])
    }

    @Test func hostMutesAPhoneLegAndThePhoneUnmutesItself() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let leg = harness.phone("leg-1")!
        let muted = harness.hub.handle(.command(from: alice, .mute(participant: leg, muted: true)))
        #expect(muted.contains(.setPhoneMuted("leg-1", true)))
        #expect(muted.rosterEvents(to: alice).map(\.event) == [.muted])
        // DTMF *6 on the phone: a mute command from the leg itself.
        let unmuted = harness.hub.handle(.command(from: leg, .mute(participant: leg, muted: false)))
        #expect(unmuted.contains(.setPhoneMuted("leg-1", false)))
        #expect(unmuted.rosterEvents(to: alice).map(\.event) == [.unmuted])
        // A phone leg cannot mute anyone else, nor give host commands.
        #expect(harness.hub.handle(.command(from: leg, .mute(participant: alice, muted: true))) == [])
        #expect(harness.hub.handle(.command(from: leg, .end)) == [])
    }

    @Test func appFramesFeedThePhoneMixAndPhoneFramesGoToApps() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let leg = harness.phone("leg-1")!
        let appFrame = Fixtures.frame(sender: 1)
        #expect(
            harness.hub.handle(.frame(from: alice, appFrame)) == [
                .forward(appFrame, from: alice, to: [bob]), .toPhoneMix(appFrame, from: alice),
            ])
        let phoneFrame = Fixtures.frame(sender: 3)
        #expect(harness.hub.handle(.frame(from: leg, phoneFrame)) == [.forward(phoneFrame, from: leg, to: [alice, bob])])
    }

    @Test func e2eeMeetingRefusesPhonesAndNeverFeedsAPhoneMix() {
        var harness = HubHarness(record: Fixtures.record(mode: .e2ee))
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let actions = harness.hub.handle(.phoneJoin("leg-1", displayName: "Phone", muted: false, now: Fixtures.start))
        #expect(actions == [.removePhoneLeg("leg-1", reason: "the meeting is end-to-end encrypted and phones cannot join it")])
        let frame = Fixtures.frame(sender: 1)
        #expect(harness.hub.handle(.frame(from: alice, frame)) == [.forward(frame, from: alice, to: [bob])])
    }

    @Test func lockedMeetingRefusesPhones() {
        var harness = HubHarness(record: Fixtures.record(locked: true))
        #expect(
            harness.hub.handle(.phoneJoin("leg-1", displayName: "Phone", muted: false, now: Fixtures.start)) == [
                .removePhoneLeg("leg-1", reason: "the meeting is locked")
            ])
    }
}
