import Dialplan
import SIP
import Testing

@testable import Calls

/// A call's timeline (what `dialgatectl call ID` prints): SIP both ways, dialplan steps with their
/// place in the file, digits with the passcode masked, policy, lobby and hold, the end; bounded.
@Suite struct CallTimelineTests {
    /// Ends every playback `actions` started, as the leg would when it played them out.
    func finishPlaybacks(_ actions: [UserAgentAction], _ harness: inout UserAgentHarness, _ id: GatewayCallID) -> [UserAgentAction] {
        var out: [UserAgentAction] = []
        for action in actions {
            switch action {
            case .media(.start(_, let plan)):
                if case .playback(let playback, _) = plan.program {
                    out += harness.userAgent.playbackFinished(playback, for: id, now: harness.now)
                }
            case .media(.program(_, .playback(let playback, _))):
                out += harness.userAgent.playbackFinished(playback, for: id, now: harness.now)
            default: break
            }
        }
        return out
    }

    func texts(_ timeline: CallTimeline, _ kind: CallTimeline.Entry.Kind) -> [String] {
        timeline.entries.filter { $0.kind == kind }.map(\.text)
    }

    /// The meeting IVR (1000): meeting ID shown digit by digit, passcode masked, every SIP message,
    /// steps with `file:line:column`, and the end, in the order they happened.
    @Test func ivrCallFromInviteToBye() throws {
        var harness = UserAgentHarness()
        let invite = harness.receive(Messages.invite())
        let toTag = try #require(try invite.responses.last?.headers.to().tag)
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-a", cseq: 1, toTag: toTag))
        // The welcome prompt, then the pause: the meeting ID's collect runs.
        _ = finishPlaybacks(invite, &harness, id)
        _ = harness.run(until: .seconds(1))
        var lookedUp: [String] = []
        for digit in "123456789#2468#" {
            harness.now = harness.now + .milliseconds(300)
            let actions = harness.userAgent.mediaDigit(digit, source: .rfc4733, for: id, now: harness.now)
            lookedUp += actions.compactMap { if case .lookupMeeting(_, let meeting) = $0 { meeting } else { nil } }
        }
        #expect(lookedUp == ["123456789"])
        let found = harness.userAgent.meetingLookedUp(MeetingEntry(id: "123456789", passcode: "2468"), for: id, now: harness.now)
        _ = finishPlaybacks(found, &harness, id)  // "joining", then join
        let live = try #require(harness.userAgent.call(id)).timeline

        #expect(live.entries.first?.kind == .received)
        #expect(live.entries.first?.text == "INVITE sip:1000@127.0.0.1:5060 (SDP)")
        #expect(texts(live, .sent).contains("200 OK (INVITE) (SDP)"))
        #expect(texts(live, .received).contains("ACK sip:dialgate@127.0.0.1:5060"))
        // The meeting ID is not a secret; the passcode (read by check-passcode) is.
        let digits = texts(live, .digit)
        #expect(digits == Array("123456789#").map { "\($0) (rfc4733)" } + Array(repeating: "• (rfc4733)", count: 5))
        #expect(!live.entries.contains { $0.text.contains("2468") }, "the passcode appears nowhere")
        let answer = try #require(live.entries.first { $0.kind == .dialplan && $0.text == "answer" })
        #expect(answer.location?.file.hasSuffix("default.dialplan") == true)
        #expect((answer.location?.line ?? 0) > 1)
        #expect(texts(live, .dialplan).contains("check-passcode: accepted"))
        #expect(texts(live, .policy).first?.hasPrefix("admit for meeting 123456789 (standard)") == true)
        // In order: the INVITE before the answer step, the answer step before the 200.
        let order = live.entries.map(\.text)
        let inviteAt = try #require(order.firstIndex(of: "INVITE sip:1000@127.0.0.1:5060 (SDP)"))
        let answerAt = try #require(order.firstIndex(of: "answer"))
        let okAt = try #require(order.firstIndex(of: "200 OK (INVITE) (SDP)"))
        #expect(inviteAt < answerAt && answerAt < okAt)

        let bye = harness.receive(Messages.inDialog("BYE", branch: "z9hG4bK-b", cseq: 2, toTag: toTag))
        let ended = try #require(bye.callEvents.last { $0.kind == .ended })
        let final = ended.call.timeline
        #expect(
            Array(final.entries.suffix(3).map(\.text)) == [
                "BYE sip:dialgate@127.0.0.1:5060", "200 OK (BYE)", "ended: completed, BYE from caller (by caller)",
            ])
    }

    /// A refused call never becomes a dialog, and its record still says what happened.
    @Test func refusedCallHasATimeline() throws {
        var harness = UserAgentHarness()
        let remote = SIPPeer(transport: .udp, host: "192.0.2.10", port: 5060)
        let actions = harness.receive(Messages.invite(), from: remote)
        let record = try #require(actions.callEvents.last).call
        #expect(record.timeline.entries.map(\.kind) == [.received, .sent, .call])
        #expect(record.timeline.entries[1].text == "403 Forbidden (INVITE)")
        #expect(record.timeline.entries[2].text.contains("no trunk"))
    }

    /// Hold is a state of its own (`on-hold`), and on the timeline.
    @Test func holdAndResume() throws {
        var harness = UserAgentHarness()
        let invite = harness.receive(Messages.invite(to: "1001"))
        let toTag = try #require(try invite.responses.last?.headers.to().tag)
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        #expect(harness.userAgent.call(id)?.phase == .answered)
        _ = harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-h", cseq: 2, toTag: toTag, direction: "sendonly"))
        #expect(harness.userAgent.call(id)?.phase == .onHold)
        _ = harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-r", cseq: 3, toTag: toTag, direction: "sendrecv"))
        #expect(harness.userAgent.call(id)?.phase == .answered)
        let calls = texts(try #require(harness.userAgent.call(id)).timeline, .call)
        #expect(calls.suffix(2) == ["put on hold by the caller", "taken off hold"])
    }

    /// A caller the meeting holds (waiting for the host, or the host's answer) is in the `lobby`
    /// until the meeting side lets it in; an e2ee meeting's caller then shows `downgraded`.
    @Test func lobbyUntilLetIn() throws {
        var harness = UserAgentHarness(planAppendix: "\ntier lobbied {\n    policy default\n    phone-join lobby\n}\n")
        _ = harness.receive(Messages.invite(to: "123456789*4321"))
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        let joined = harness.userAgent.meetingLookedUp(
            MeetingEntry(id: "123456789", passcode: "4321", mode: "e2ee", tier: "lobbied"), for: id, now: harness.now)
        #expect(joined.statuses == [200])
        #expect(harness.userAgent.call(id)?.phase == .inMeeting)
        #expect(harness.userAgent.call(id)?.meetingMode == "e2ee")
        #expect(harness.userAgent.call(id)?.policyDecision == "lobby")
        let held = harness.userAgent.heldInLobby(id, waitingFor: "the host's answer", now: harness.now)
        #expect(held.callEvents.map(\.call.phase) == [.lobby])
        let entered = harness.userAgent.enteredMeeting(id, now: harness.now)
        #expect(entered.callEvents.map(\.call.phase) == [.inMeeting])
        #expect(harness.userAgent.call(id)?.meetingMode == "downgraded")
        let meeting = texts(try #require(harness.userAgent.call(id)).timeline, .meeting)
        #expect(meeting == ["held in the lobby, waiting for the host's answer", "in the meeting 123456789, let in from the lobby"])
    }

    /// A peer sending requests in a loop cannot grow a timeline without bound: the start stays,
    /// the latest roll, the rest is counted.
    @Test func boundedForLongCalls() throws {
        var harness = UserAgentHarness()
        let invite = harness.receive(Messages.invite(to: "1001"))
        let toTag = try #require(try invite.responses.last?.headers.to().tag)
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        let before = try #require(harness.userAgent.call(id)).timeline.entries.count
        for cseq in 2..<400 {
            _ = harness.receive(Messages.inDialog("INFO", branch: "z9hG4bK-i\(cseq)", cseq: cseq, toTag: toTag))
        }
        let timeline = try #require(harness.userAgent.call(id)).timeline
        #expect(timeline.entries.count == CallTimeline.limit)
        #expect(timeline.omitted == before + 2 * 398 - CallTimeline.limit, "each INFO and its 200")
        #expect(timeline.entries.first?.text == "INVITE sip:1001@127.0.0.1:5060 (SDP)")
        #expect(timeline.entries.last?.text == "200 OK (INFO)")
    }
}
