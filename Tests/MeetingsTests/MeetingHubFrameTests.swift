import Frames
import Testing

@testable import Meetings

/// Where frames go: to every other app participant, byte-identical, never back to the sender.
@Suite struct MeetingHubFrameTests {
    @Test func framesGoToEveryOtherAppParticipantUnchanged() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let carol = harness.admit("Carol", identity: Fixtures.guestIdentity(0x20))
        for sender in [alice, bob, carol] {
            let frame = Fixtures.frame(
                sender: UInt64(harness.senderIndex(of: sender).rawValue), counter: 3, payload: [1, 2, 3, 255, 0, 42])
            let actions = harness.hub.handle(.frame(from: sender, frame))
            #expect(actions.count == 1)
            guard case .forward(let bytes, let from, let receivers) = actions.first else {
                Issue.record("not forwarded: \(actions)")
                continue
            }
            #expect(bytes == frame, "byte-identical")
            #expect(from == sender)
            #expect(!receivers.contains(sender), "never back to the sender")
            #expect(Set(receivers) == Set([alice, bob, carol]).subtracting([sender]))
        }
        #expect(harness.hub.statistics.framesForwarded == 3)
    }

    /// The hub keeps each sender's receiver list and its last action list between frames (so a frame
    /// allocates nothing): joins and leaves must still show at once, and a caller still holding an
    /// earlier frame's actions must see them unchanged.
    @Test func receiversFollowJoinsAndLeavesAndEarlierActionsStayAsTheyWere() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let first = harness.hub.handle(.frame(from: alice, Fixtures.frame(sender: 1, counter: 1)))
        #expect(first == [.forward(Fixtures.frame(sender: 1, counter: 1), from: alice, to: [bob])])
        let carol = harness.admit("Carol", identity: Fixtures.guestIdentity(0x20))
        let second = harness.hub.handle(.frame(from: alice, Fixtures.frame(sender: 1, counter: 2)))
        #expect(second == [.forward(Fixtures.frame(sender: 1, counter: 2), from: alice, to: [bob, carol])])
        #expect(first == [.forward(Fixtures.frame(sender: 1, counter: 1), from: alice, to: [bob])], "held actions unchanged")
        _ = harness.hub.handle(.leave(bob))
        #expect(
            harness.hub.handle(.frame(from: alice, Fixtures.frame(sender: 1, counter: 3))) == [
                .forward(Fixtures.frame(sender: 1, counter: 3), from: alice, to: [carol])
            ])
        #expect(
            harness.hub.handle(.frame(from: carol, Fixtures.frame(sender: 3, counter: 1))) == [
                .forward(Fixtures.frame(sender: 3, counter: 1), from: carol, to: [alice])
            ])
        #expect(second == [.forward(Fixtures.frame(sender: 1, counter: 2), from: alice, to: [bob, carol])], "held actions unchanged")
    }

    @Test func aLoneParticipantsFramesGoNowhere() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        #expect(harness.hub.handle(.frame(from: alice, Fixtures.frame(sender: 1))) == [])
    }

    @Test func framesOfAMutedParticipantAreDropped() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        _ = harness.hub.handle(.command(from: alice, .mute(participant: bob, muted: true)))
        #expect(harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: 2))) == [])
        #expect(harness.hub.statistics.framesFromMuted == 1)
        #expect(
            harness.hub.handle(.frame(from: alice, Fixtures.frame(sender: 1))) == [
                .forward(Fixtures.frame(sender: 1), from: alice, to: [bob])
            ])
    }

    /// A frame must carry its sender's own index in its KID, or its audio could be shown under
    /// someone else's name.
    @Test func aFrameWithSomeoneElsesKeyIDClosesTheSender() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let actions = harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: 1)))
        #expect(actions.contains(.close(bob, .policyViolation, reason: "frame: field 'KID' does not carry your sender index 2")))
        #expect(actions.rosterEvents(to: alice).map(\.event) == [.left])
        #expect(!actions.contains { if case .forward = $0 { true } else { false } })
    }

    /// The KID's low 8 bits are the epoch's (Frames' `SFrameKeyID`); the rest is the sender
    /// index, checked whatever the epoch.
    @Test func keyIDsOfAnyEpochAreReadFromTheHeader() {
        var harness = HubHarness()
        let alice = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let frame = Fixtures.frame(sender: 2, epoch: 300)
        #expect(harness.hub.handle(.frame(from: bob, frame)) == [.forward(frame, from: bob, to: [alice])])
        let cutShort = harness.hub.handle(.frame(from: bob, [0x80]))
        #expect(cutShort.contains { if case .close(bob, _, _) = $0 { true } else { false } })
    }

    @Test func oversizedAndTinyFramesCloseTheSender() {
        var harness = HubHarness()
        _ = harness.admit("Alice", role: .host)
        let bob = harness.admit("Bob")
        let big = harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: 2, payload: [UInt8](repeating: 1, count: 5000))))
        #expect(big.contains { if case .close(bob, let code, _) = $0 { code == .messageTooBig } else { false } })
        let carol = harness.admit("Carol", identity: Fixtures.guestIdentity(0x20))
        let tiny = harness.hub.handle(.frame(from: carol, [0x30, 1, 2]))
        #expect(tiny.contains { if case .close(carol, let code, _) = $0 { code == .protocolError } else { false } })
    }
}
