import Dialplan
import SIP
import TestSupport
import Testing

@testable import Calls

/// Session timers (RFC 4028), UPDATE (RFC 3311) and reliable provisional responses (RFC 3262), on a
/// fake clock, message by message.
@Suite struct SessionRefreshTests {
    /// An INVITE to `number` with extra header lines (each ending in a newline).
    func invite(_ harness: inout UserAgentHarness, to number: String = "1001", headers: String) -> [UserAgentAction] {
        harness.receive(Messages.invite(to: number, extraHeaders: headers))
    }

    func ack(_ harness: inout UserAgentHarness, toTag: String, number: String = "1001") {
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack", cseq: 1, toTag: toTag, number: number))
    }

    func sent(_ actions: [UserAgentAction], _ method: SIPMethod) -> SIPRequest? {
        actions.requests.first { $0.method == method }
    }

    /// The response `request` would get from the peer, as a message from the phone.
    func answer(_ request: SIPRequest, status: Int, extra: String = "") -> String {
        """
        SIP/2.0 \(status) \(status == 200 ? "OK" : "Error")
        Via: \(request.headers["Via"]!)
        From: \(request.headers["From"]!)
        To: \(request.headers["To"]!)
        Call-ID: \(request.headers["Call-ID"]!)
        CSeq: \(request.headers["CSeq"]!)
        \(extra)Content-Length: 0


        """
    }

    // MARK: Session timers

    @Test func negotiationFollowsRFC4028Section9() {
        func negotiate(_ lines: [(String, String)]) -> SessionTimer.Negotiation {
            var headers = SIPHeaders()
            for (name, value) in lines { headers.add(name, value) }
            return SessionTimer.negotiate(headers, minimum: .seconds(90), preferred: .seconds(1800), now: .zero)
        }
        // The peer asks, supports timers and names itself refresher.
        guard case .timer(let asked) = negotiate([("Supported", "timer"), ("Session-Expires", "600;refresher=uac")]) else {
            Issue.record("no timer"); return
        }
        #expect(asked.interval == .seconds(600) && asked.refresher == .uac && asked.peerSupportsTimer)
        // It supports timers and leaves the refresher to us: we let it refresh.
        guard case .timer(let open) = negotiate([("k", "timer"), ("x", "300")]) else { Issue.record("no timer"); return }
        #expect(open.refresher == .uac && open.interval == .seconds(300))
        // A proxy asked for a timer the UAC does not support: we refresh.
        guard case .timer(let proxied) = negotiate([("Session-Expires", "1200")]) else { Issue.record("no timer"); return }
        #expect(proxied.refresher == .uas && !proxied.peerSupportsTimer)
        // It supports timers but asked for none: we offer ours, it refreshes.
        guard case .timer(let offered) = negotiate([("Supported", "100rel, timer"), ("Min-SE", "2000")]) else {
            Issue.record("no timer"); return
        }
        #expect(offered.interval == .seconds(2000), "never below the peer's own Min-SE")
        #expect(negotiate([("Supported", "timer"), ("Session-Expires", "60")]) == .tooSmall(minimum: .seconds(90)))
        #expect(negotiate([]) == .none)
        #expect(negotiate([("Session-Expires", "99999999999999999999")]) == .none, "hostile values are ignored, not trapped on")
    }

    /// The peer refreshes (refresher=uac): its re-INVITEs restart the timer; once it stops, we end
    /// the call at Session-Expires − 32 s with BYE and a Reason (RFC 4028 §10).
    @Test func aPeerThatStopsRefreshingIsHungUp() throws {
        var harness = UserAgentHarness()
        let answered = invite(&harness, headers: "Supported: timer\nSession-Expires: 120;refresher=uac\n")
        let ok = try #require(answered.responses.last)
        #expect(ok.statusCode == 200)
        #expect(ok.headers["Session-Expires"] == "120;refresher=uac")
        #expect(try ok.headers.optionTags("Require").contains("timer"))
        let toTag = try #require(try ok.headers.to().tag)
        ack(&harness, toTag: toTag)
        // A refresh at 60 s restarts the timer: nothing at 100 s.
        #expect(harness.run(until: .seconds(60)).requests.isEmpty)
        let refresh = harness.receive(
            Messages.invite(
                to: "1001", branch: "z9hG4bK-r1", cseq: 2, toTag: toTag,
                extraHeaders: "Supported: timer\nSession-Expires: 120;refresher=uac\n"))
        #expect(refresh.responses.last?.headers["Session-Expires"] == "120;refresher=uac")
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack2", cseq: 2, toTag: toTag, number: "1001"))
        #expect(harness.run(until: .seconds(87)).requests.isEmpty, "the refresh moved the deadline to 60 + 88 s")
        let bye = try #require(harness.run(until: .seconds(2)).requests.first)
        #expect(bye.method == .bye)
        #expect(bye.headers["Reason"] == "SIP;cause=408;text=\"Session timer expired\"")
    }

    /// We refresh (the peer asked refresher=uas): UPDATE at half the interval when it allows UPDATE;
    /// its 200 restarts the timer; a 481 ends the call.
    @Test func weRefreshWithUpdateAndEndOn481() throws {
        var harness = UserAgentHarness()
        let answered = invite(
            &harness, headers: "Supported: timer\nAllow: INVITE, ACK, BYE, CANCEL, UPDATE\nSession-Expires: 100;refresher=uas\n")
        let toTag = try #require(try answered.responses.last?.headers.to().tag)
        ack(&harness, toTag: toTag)
        #expect(harness.run(until: .seconds(49)).requests.isEmpty)
        let update = try #require(sent(harness.run(until: .seconds(1)), .update), "an UPDATE at 50 s")
        #expect(update.headers["Session-Expires"] == "100;refresher=uas")
        #expect(update.body.isEmpty)
        _ = harness.receive(answer(update, status: 200, extra: "Session-Expires: 100;refresher=uas\n"))
        #expect(harness.run(until: .seconds(49)).requests.isEmpty, "the 200 restarted the timer")
        let second = try #require(sent(harness.run(until: .seconds(1)), .update))
        let gone = harness.receive(answer(second, status: 481))
        #expect(sent(gone, .bye) != nil, "481: the dialog is gone, BYE")
    }

    /// Without UPDATE in the peer's Allow, the refresh is a re-INVITE with our unchanged SDP, and
    /// we acknowledge its 2xx (and each retransmission of it).
    @Test func weRefreshWithReinviteAndAcknowledgeIt() throws {
        var harness = UserAgentHarness()
        let answered = invite(&harness, headers: "Session-Expires: 100\n")
        let ok = try #require(answered.responses.last)
        #expect(ok.headers["Session-Expires"] == "100;refresher=uas", "a proxy asked; the UAC cannot refresh")
        #expect((try? ok.headers.optionTags("Require"))?.contains("timer") != true)
        let toTag = try #require(try ok.headers.to().tag)
        ack(&harness, toTag: toTag)
        let reinvite = try #require(sent(harness.run(until: .seconds(50)), .invite))
        #expect(reinvite.body == ok.body, "the same session description")
        let accepted = harness.receive(answer(reinvite, status: 200))
        let ackSent = try #require(sent(accepted, .ack))
        #expect(ackSent.headers["CSeq"] == reinvite.headers["CSeq"]!.replacingOccurrences(of: "INVITE", with: "ACK"))
        #expect(sent(harness.receive(answer(reinvite, status: 200)), .ack) != nil, "a retransmitted 2xx is acknowledged again")
        #expect(harness.run(until: .seconds(49)).requests.isEmpty)
    }

    @Test func tooShortAnIntervalIs422WithMinSE() throws {
        var harness = UserAgentHarness()
        let refused = invite(&harness, headers: "Supported: timer\nSession-Expires: 30\n")
        let response = try #require(refused.responses.last)
        #expect(response.statusCode == 422)
        #expect(response.headers["Min-SE"] == "90")
        #expect(harness.userAgent.activeCalls.isEmpty)
    }

    // MARK: UPDATE

    /// UPDATE without a body refreshes; with SDP it is an offer answered in its 200 (hold here).
    @Test func updateRefreshesOrRenegotiates() throws {
        var harness = UserAgentHarness()
        let answered = invite(&harness, headers: "Supported: timer\nSession-Expires: 300;refresher=uac\n")
        let toTag = try #require(try answered.responses.last?.headers.to().tag)
        ack(&harness, toTag: toTag)
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        let refresh = harness.receive(
            Messages.inDialog("UPDATE", branch: "z9hG4bK-u1", cseq: 2, toTag: toTag, number: "1001")
                .replacingOccurrences(
                    of: "Content-Length: 0", with: "Supported: timer\nSession-Expires: 300;refresher=uac\nContent-Length: 0"))
        let ok = try #require(refresh.responses.last)
        #expect(ok.statusCode == 200 && ok.body.isEmpty && ok.headers["Session-Expires"] == "300;refresher=uac")
        let sdp = Messages.sdp("sendonly")
        let hold = harness.receive(
            Messages.inDialog("UPDATE", branch: "z9hG4bK-u2", cseq: 3, toTag: toTag, number: "1001")
                .replacingOccurrences(
                    of: "Content-Length: 0\n\n", with: "Content-Type: application/sdp\nContent-Length: \(sdp.utf8.count)\n\n\(sdp)"))
        let answer = try #require(hold.responses.last)
        #expect(answer.statusCode == 200)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("a=recvonly"))
        #expect(harness.userAgent.call(id)?.phase == .onHold)
        #expect(hold.contains { if case .media(.update(id, _)) = $0 { true } else { false } })
        let stale = harness.receive(Messages.inDialog("UPDATE", branch: "z9hG4bK-u3", cseq: 2, toTag: toTag, number: "1001"))
        #expect(stale.statuses == [500], "a CSeq going backwards")
        #expect(harness.receive(Messages.inDialog("UPDATE", branch: "z9hG4bK-u4", cseq: 9, toTag: "nope")).statuses == [481])
    }

    // MARK: Reliable provisional responses

    /// A route with early media: the 183 goes reliably to a caller that supports 100rel,
    /// is retransmitted until the PRACK, and the 200 waits for that PRACK (RFC 3262 §3).
    @Test func reliable183WaitsForPRACKBeforeThe200() throws {
        var harness = Self.earlyMediaHarness()
        let first = invite(&harness, to: "2000", headers: "Supported: 100rel\n")
        let progress = try #require(first.responses.first { $0.statusCode == 183 })
        #expect(try progress.headers.optionTags("Require").contains("100rel"))
        let rseq = try #require(progress.headers["RSeq"].flatMap { UInt32($0) })
        let toTag = try #require(try progress.headers.to().tag)
        #expect(harness.advance(by: .milliseconds(500)).responses.map(\.statusCode) == [183], "retransmitted at T1")
        // The prompt ends: the plan answers, but the 200 waits for the PRACK.
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        let playback = try #require(
            first.compactMap { action -> Int? in
                switch action {
                case .media(.start(_, let plan)): if case .playback(let playback, _) = plan.program { return playback }
                case .media(.program(_, .playback(let playback, _))): return playback
                default: break
                }
                return nil
            }.first)
        #expect(harness.userAgent.playbackFinished(playback, for: id, now: harness.now).statuses.isEmpty)
        let wrong = harness.receive(prack(toTag: toTag, rack: "\(rseq &+ 7) 1 INVITE", cseq: 2))
        #expect(wrong.statuses == [481])
        let acknowledged = harness.receive(prack(toTag: toTag, rack: "\(rseq) 1 INVITE", cseq: 3))
        #expect(acknowledged.statuses == [200, 200], "the PRACK's 200, then the INVITE's")
        #expect(harness.advance(by: .seconds(4)).responses.allSatisfy { $0.statusCode != 183 }, "no more retransmissions")
    }

    /// No PRACK within 64·T1: the INVITE is refused with a 5xx.
    @Test func noPRACKRefusesTheInvite() throws {
        var harness = Self.earlyMediaHarness()
        _ = invite(&harness, to: "2000", headers: "Require: 100rel\n")
        let end = harness.run(until: .seconds(33))
        #expect(end.statuses.contains(500), "\(end.statuses)")
        #expect(end.callEvents.last?.call.outcome == .rejected)
    }

    /// A caller without 100rel gets the plain 183 (no Require, no RSeq) and the 200 at once.
    @Test func withoutHundredRelNothingChanges() throws {
        var harness = Self.earlyMediaHarness()
        let first = invite(&harness, to: "2000", headers: "")
        let progress = try #require(first.responses.first { $0.statusCode == 183 })
        #expect(progress.headers["RSeq"] == nil)
        #expect(harness.advance(by: .seconds(1)).responses.isEmpty)
    }

    static let earlyMediaRoute = "route early {\n    match called 2000\n    early-media welcome\n    answer\n    echo\n}\n\n"

    /// The bundled plan with a route that plays early media, before its catch-all `not-found`.
    static func earlyMediaHarness() -> UserAgentHarness {
        var harness = UserAgentHarness()
        let bundled = UserAgentHarness.bundledPlan(ringTime: .zero).document
        let path = bundled.files[0]
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let (document, _) = DialplanLoader.load(
            [
                DialplanSource(
                    path: path, text: text.replacingOccurrences(of: "route not-found {", with: earlyMediaRoute + "route not-found {"))
            ]
        ) { _, _ in nil }
        harness.userAgent.replaceDialplan(ActiveDialplan(document: document))
        return harness
    }

    func prack(toTag: String, rack: String, cseq: Int) -> String {
        Messages.inDialog("PRACK", branch: "z9hG4bK-p\(cseq)", cseq: cseq, toTag: toTag, number: "2000")
            .replacingOccurrences(of: "Content-Length: 0", with: "RAck: \(rack)\nContent-Length: 0")
    }
}

/// Our Contact names the transport the call came on, so the peer's in-dialog requests come back the
/// same way (RFC 3261 §18): TCP and TLS calls get `;transport=`, TLS with the TLS listener's port.
@Suite struct ContactTransportTests {
    @Test func contactFollowsTheCallsTransport() throws {
        var harness = UserAgentHarness()
        harness.userAgent.listening(onTLS: 5061)
        for (transport, expected) in [
            (SIPTransport.udp, "<sip:dialgate@127.0.0.1:5060>"), (.tcp, "<sip:dialgate@127.0.0.1:5060;transport=tcp>"),
            (.tls, "<sip:dialgate@127.0.0.1:5061;transport=tls>"),
        ] {
            let peer = SIPPeer(transport: transport, host: "127.0.0.1", port: 5070)
            let answered = harness.receive(
                Messages.invite(to: "1001", branch: "z9hG4bK-\(transport)", callID: "call-\(transport)")
                    .replacingOccurrences(of: "SIP/2.0/UDP", with: "SIP/2.0/\(transport.rawValue)"), from: peer)
            #expect(answered.responses.last?.headers["Contact"] == expected, "\(transport)")
        }
    }
}
