import SIP
import TestSupport
import Testing

@testable import Calls

/// The call core's media decisions: plans for the adapter, SDES key policy, DTMF over SIP INFO.
@Suite struct UserAgentMediaTests {
    static let savpOffer = UserAgentHarness.crlf(
        """
        v=0
        o=phone 1 1 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 40000 RTP/SAVP 0 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:101 telephone-event/8000
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz

        """)

    func answered(_ harness: inout UserAgentHarness, body: String? = nil) throws -> (actions: [UserAgentAction], toTag: String) {
        let actions = harness.receive(Messages.invite(body: body))
        let toTag = try #require(try actions.responses.last?.headers.to().tag)
        return (actions, toTag)
    }

    func plans(_ actions: [UserAgentAction]) -> [MediaInstruction] {
        actions.compactMap { if case .media(let instruction) = $0 { instruction } else { nil } }
    }

    @Test func answerStartsMediaReinviteUpdatesItByeStopsIt() throws {
        var harness = UserAgentHarness()
        let (actions, toTag) = try answered(&harness)
        guard case .start(let id, let plan)? = plans(actions).first else { Issue.record("no media start"); return }
        #expect(plan.media.codec.encodingName == "PCMU")
        #expect(plan.media.remoteRTP.port == 40000)
        #expect(plan.program == .silence, "the leg starts silent; the dialplan's first prompt follows")
        #expect(plans(actions).contains { if case .program(id, .playback(_, [.prompt("welcome")])) = $0 { true } else { false } })
        #expect(plan.srtp == nil)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-a", cseq: 1, toTag: toTag))
        let hold = harness.receive(Messages.invite(branch: "z9hG4bK-h", cseq: 2, toTag: toTag, direction: "sendonly"))
        guard case .update(id, let held)? = plans(hold).first else { Issue.record("no media update"); return }
        #expect(held.media.direction.sends == false, "on hold we do not send")
        let bye = harness.receive(Messages.inDialog("BYE", branch: "z9hG4bK-b", cseq: 3, toTag: toTag))
        #expect(plans(bye) == [.stop(id)])
    }

    @Test func loopbackSRTPOfferIsAnsweredWithOurOwnKey() throws {
        var harness = UserAgentHarness()
        let (actions, _) = try answered(&harness, body: Self.savpOffer)
        let answer = String(decoding: actions.responses.last?.body ?? [], as: UTF8.self)
        #expect(answer.contains("RTP/SAVP"))
        #expect(answer.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"))
        #expect(!answer.contains("WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"), "our key, not the phone's")
        guard case .start(_, let plan)? = plans(actions).first, let keys = plan.srtp else {
            Issue.record("no SRTP keys in the plan"); return
        }
        #expect(keys.suite == "AES_CM_128_HMAC_SHA1_80")
        #expect(keys.local.count == 30 && keys.remote.count == 30)
    }

    /// The bundled plan has only the loopback trunk: a call from anywhere else is refused with
    /// 403 and one security line.
    @Test func callsFromOutsideEveryTrunkAre403() throws {
        var harness = UserAgentHarness()
        let remote = SIPPeer(transport: .udp, host: "192.0.2.10", port: 5060)
        let actions = harness.receive(Messages.invite(body: Self.savpOffer), from: remote)
        #expect(actions.statuses == [100, 403])
        #expect(actions.contains { if case .notice(let notice) = $0 { notice.reason.contains("no trunk") } else { false } })
    }

    @Test func mandatorySRTPRefusesPlainRTP() throws {
        var harness = UserAgentHarness()
        harness.userAgent = UserAgent(
            settings: {
                var s = UserAgentSettings(advertisedHost: "127.0.0.1", sipPort: 5060); s.srtp = .mandatory; return s
            }(),
            dialplan: UserAgentHarness.bundledPlan(ringTime: .zero), random: SeededGenerator(seed: 3))
        #expect(harness.receive(Messages.invite()).statuses == [100, 488])
        #expect(harness.receive(Messages.invite(branch: "z9hG4bK-s", callID: "call-2", body: Self.savpOffer)).statuses == [100, 200])
    }

    func info(_ harness: inout UserAgentHarness, toTag: String, cseq: Int, type: String, body: String) -> [UserAgentAction] {
        let message = Messages.inDialog("INFO", branch: "z9hG4bK-i\(cseq)", cseq: cseq, toTag: toTag)
            .replacingOccurrences(of: "Content-Length: 0", with: "Content-Type: \(type)\nContent-Length: \(body.utf8.count)")
        return harness.receive(message + body)
    }

    func digits(_ actions: [UserAgentAction]) -> [Character] {
        actions.compactMap { if case .digit(_, let digit, _, _) = $0 { digit } else { nil } }
    }

    @Test func sipInfoDigitsInBothForms() throws {
        var harness = UserAgentHarness()
        let (_, toTag) = try answered(&harness)
        let relay = info(&harness, toTag: toTag, cseq: 2, type: "application/dtmf-relay", body: "Signal=5\r\nDuration=160\r\n")
        #expect(relay.statuses == [200])
        harness.now = harness.now + .seconds(1)
        let plain = info(&harness, toTag: toTag, cseq: 3, type: "application/dtmf", body: "#")
        #expect(digits(relay) + digits(plain) == ["5", "#"])
        #expect(info(&harness, toTag: toTag, cseq: 4, type: "text/plain", body: "hi").statuses == [415])
        #expect(info(&harness, toTag: toTag, cseq: 5, type: "application/dtmf-relay", body: "Duration=1").statuses == [400])
    }

    /// A phone that sends one press as RFC 4733 events and as INFO is heard once; two presses
    /// of the same digit are heard twice.
    @Test func onePressTwoMethodsIsOneDigit() throws {
        var harness = UserAgentHarness()
        let (actions, toTag) = try answered(&harness)
        guard case .start(let id, _)? = plans(actions).first else { Issue.record("no call"); return }
        let viaEvents = harness.userAgent.mediaDigit("7", source: .rfc4733, for: id, now: harness.now)
        let viaInfo = info(&harness, toTag: toTag, cseq: 2, type: "application/dtmf-relay", body: "Signal=7\r\n")
        harness.now = harness.now + .seconds(2)
        let secondPress = harness.userAgent.mediaDigit("7", source: .rfc4733, for: id, now: harness.now)
        #expect(digits(viaEvents) == ["7"])
        #expect(digits(viaInfo).isEmpty)
        #expect(plans(viaInfo).isEmpty, "a press already heard does not stop the prompt twice")
        #expect(digits(secondPress) == ["7"])
    }

    @Test func noMediaEndsTheCallWithAReason() throws {
        var harness = UserAgentHarness()
        let (actions, toTag) = try answered(&harness)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-a", cseq: 1, toTag: toTag))
        guard case .start(let id, _)? = plans(actions).first else { Issue.record("no call"); return }
        let timeout = harness.userAgent.mediaTimedOut(id, after: .seconds(30), now: harness.now)
        let bye = try #require(timeout.requests.first)
        #expect(bye.method == .bye)
        #expect(bye.headers["Reason"]?.contains("no media for 30 s") == true)
    }
}

@Suite struct CallQualityTests {
    /// E-model anchors: a clean LAN call is near G.711's ceiling (R 93.2 → MOS 4.41); 5 % loss
    /// with PLC costs about 15 R (MOS ≈ 4.0); 400 ms one way and 10 % loss is poor.
    @Test func estimatedMOSFollowsTheEModel() {
        let clean = CallQuality(packetsReceived: 500, packetsSent: 500, lossPercent: 0, jitter: .zero, roundTrip: .milliseconds(1))
        #expect(abs(clean.estimatedMOS - 4.40) < 0.02)
        let lossy = CallQuality(
            packetsReceived: 500, packetsSent: 500, lossPercent: 5, jitter: .milliseconds(5), roundTrip: .milliseconds(40))
        #expect(lossy.estimatedMOS > 3.8 && lossy.estimatedMOS < 4.1)
        let bad = CallQuality(
            packetsReceived: 500, packetsSent: 500, lossPercent: 10, jitter: .milliseconds(30), roundTrip: .milliseconds(800))
        #expect(bad.estimatedMOS < 3.0)
        #expect(clean.estimatedMOS > lossy.estimatedMOS && lossy.estimatedMOS > bad.estimatedMOS)
    }
}
