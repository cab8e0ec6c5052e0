import Dialplan
import SIP
import TestSupport
import Testing

@testable import Calls

/// Whole dialogs through the user agent, in memory, with a fake clock.
@Suite struct UserAgentDialogTests {
    @Test func inviteIsAnsweredWithSDPThenAckAndByeEndTheCall() throws {
        var harness = UserAgentHarness()
        let actions = harness.receive(Messages.invite())
        #expect(actions.statuses == [100, 200])
        let ok = try #require(actions.responses.last)
        let to = try ok.headers.to()
        let toTag = try #require(to.tag)
        #expect(ok.headers["Contact"] == "<sip:dialgate@127.0.0.1:5060>")
        #expect(ok.headers["Content-Type"] == "application/sdp")
        let answer = String(decoding: ok.body, as: UTF8.self)
        #expect(answer.contains("m=audio "))
        #expect(answer.contains("RTP/AVP 0 101"), "PCMU first, with telephone-event: \(answer)")
        #expect(answer.contains("a=sendrecv"))
        #expect(actions.callEvents.map(\.kind) == [.started, .updated])
        let call = try #require(harness.userAgent.activeCalls.first)
        #expect(call.phase == .answered)
        #expect(call.route == "meeting-entry")
        #expect(call.caller == "+15551230000")
        #expect(call.callerDisplayName == "Alice")
        #expect(call.codec == "PCMU/8000")

        #expect(harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack1", cseq: 1, toTag: toTag)).isEmpty)
        #expect(harness.run(until: .seconds(40)).statuses.isEmpty, "no 2xx retransmission after the ACK")

        let bye = harness.receive(Messages.inDialog("BYE", branch: "z9hG4bK-bye1", cseq: 2, toTag: toTag))
        #expect(bye.statuses == [200])
        let ended = try #require(bye.callEvents.last)
        #expect(ended.kind == .ended)
        #expect(ended.call.outcome == .completed)
        #expect(ended.call.hungUpBy == .caller)
        #expect(harness.userAgent.activeCalls.isEmpty)
    }

    /// Lost 200: retransmitted at T1, 2·T1, ... until the ACK arrives.
    @Test func lostTwoHundredIsRetransmittedUntilAck() throws {
        var harness = UserAgentHarness()
        let toTag = try #require(harness.receive(Messages.invite()).responses.last?.headers.to().tag)
        #expect(harness.advance(by: .milliseconds(499)).statuses.isEmpty)
        #expect(harness.advance(by: .milliseconds(1)).statuses == [200])
        #expect(harness.advance(by: .seconds(1)).statuses == [200])
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack1", cseq: 1, toTag: toTag))
        #expect(harness.run(until: .seconds(60)).statuses.isEmpty)
        #expect(harness.userAgent.activeCalls.first?.phase == .answered)
    }

    /// Lost ACK: after 64·T1 the gateway sends BYE with a Reason, and the call ends as failed.
    @Test func lostAckEndsTheCallWithBye() throws {
        var harness = UserAgentHarness()
        _ = harness.receive(Messages.invite())
        let actions = harness.run(until: .seconds(33))
        let bye = try #require(actions.requests.first { $0.method == .bye })
        #expect(bye.headers["Reason"]?.hasPrefix("Q.850;cause=16") == true)
        #expect(bye.uri.user == "alice")
        #expect(try bye.headers.from().tag != nil)
        #expect(try bye.headers.to().tag == "alice1")
        #expect(try bye.headers.cseq().method == .bye)
        // The phone never answers the BYE either: Timer F ends its transaction and the call.
        let later = harness.run(until: .seconds(40))
        let ended = try #require((actions + later).callEvents.last { $0.kind == .ended })
        #expect(ended.call.outcome == .failed)
        #expect(ended.call.endReason == "no ACK for 200 OK")
    }

    @Test func retransmittedInviteIsAbsorbed() throws {
        var harness = UserAgentHarness()
        let first = harness.receive(Messages.invite())
        let again = harness.receive(Messages.invite())
        #expect(first.callEvents.count == 2)
        #expect(again.callEvents.isEmpty, "no second call")
        #expect(harness.userAgent.activeCalls.count == 1)
    }

    @Test func cancelWhileRingingGets200And487() throws {
        var harness = UserAgentHarness(ringTime: .seconds(10))
        let invite = harness.receive(Messages.invite())
        #expect(invite.statuses == [100, 180])
        let cancel = harness.receive(Messages.cancel())
        #expect(Set(cancel.statuses) == [200, 487])
        let ended = try #require(cancel.callEvents.last)
        #expect(ended.call.outcome == .cancelled)
        // The ACK for the 487 is absorbed by the INVITE transaction; no answer ever comes.
        #expect(harness.run(until: .seconds(15)).statuses.allSatisfy { $0 == 487 })
    }

    /// CANCEL race: the CANCEL arrives after the 200; it gets 200 and the call goes on (RFC 3261 §9.2).
    @Test func cancelAfterAnswerDoesNotEndTheCall() throws {
        var harness = UserAgentHarness()
        _ = harness.receive(Messages.invite())
        let cancel = harness.receive(Messages.cancel())
        #expect(cancel.statuses == [200])
        #expect(cancel.callEvents.isEmpty)
        #expect(harness.userAgent.activeCalls.count == 1)
    }

    @Test func cancelForNothingIs481() {
        var harness = UserAgentHarness()
        #expect(harness.receive(Messages.cancel(branch: "z9hG4bK-nothing")).statuses == [481])
    }

    @Test func holdAndResumeMirrorTheDirection() throws {
        var harness = UserAgentHarness()
        let toTag = try #require(harness.receive(Messages.invite()).responses.last?.headers.to().tag)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack1", cseq: 1, toTag: toTag))
        for (cseq, offered, answered, onHold) in [
            (2, "sendonly", "recvonly", true), (3, "inactive", "inactive", true), (4, "sendrecv", "sendrecv", false),
        ] {
            let reinvite = harness.receive(Messages.invite(branch: "z9hG4bK-re\(cseq)", cseq: cseq, toTag: toTag, direction: offered))
            let ok = try #require(reinvite.responses.last)
            #expect(ok.statusCode == 200)
            #expect(String(decoding: ok.body, as: UTF8.self).contains("a=\(answered)"), "\(offered) → \(answered)")
            #expect(harness.userAgent.activeCalls.first?.onHold == onHold)
            _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-reack\(cseq)", cseq: cseq, toTag: toTag))
        }
    }

    @Test func reinviteWithAnOldCSeqIs500() throws {
        var harness = UserAgentHarness()
        let toTag = try #require(harness.receive(Messages.invite(cseq: 5)).responses.last?.headers.to().tag)
        #expect(harness.receive(Messages.invite(branch: "z9hG4bK-old", cseq: 4, toTag: toTag)).statuses == [100, 500])
    }

    @Test func byeOrReinviteForAnUnknownDialogIs481() {
        var harness = UserAgentHarness()
        #expect(harness.receive(Messages.inDialog("BYE", branch: "z9hG4bK-b", cseq: 2, toTag: "nope")).statuses == [481])
        #expect(harness.receive(Messages.invite(branch: "z9hG4bK-r", cseq: 2, toTag: "nope")).statuses == [100, 481])
    }

    @Test func operatorHangupSendsByeAndEndsWhenAnswered() throws {
        var harness = UserAgentHarness()
        let toTag = try #require(harness.receive(Messages.invite()).responses.last?.headers.to().tag)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack1", cseq: 1, toTag: toTag))
        let id = try #require(harness.userAgent.activeCalls.first?.id)
        let now = harness.now
        let result = harness.userAgent.hangup(id, now: now)
        let hangup = try #require(result)
        let bye = try #require(hangup.requests.first)
        #expect(bye.method == .bye)
        let via = try bye.headers.topVia()
        let response = """
            SIP/2.0 200 OK
            Via: \(via.description)
            From: \(bye.headers["From"]!)
            To: \(bye.headers["To"]!)
            Call-ID: call-1
            CSeq: 1 BYE
            Content-Length: 0


            """
        let done = harness.receive(response)
        let ended = try #require(done.callEvents.last)
        #expect(ended.call.hungUpBy == .operator)
        #expect(harness.userAgent.activeCalls.isEmpty)
    }

    @Test func directMeetingDialIsRecognised() throws {
        var harness = UserAgentHarness()
        let invite = harness.receive(Messages.invite(to: "123456789*4321"))
        let call = try #require(harness.userAgent.activeCalls.first)
        #expect(call.route == "direct-meeting")
        let asked = invite.compactMap { if case .lookupMeeting(call.id, let meeting) = $0 { meeting } else { nil } }
        #expect(asked == ["123456789"], "the plan looks the meeting up before answering")
        let found = harness.userAgent.meetingLookedUp(
            MeetingEntry(id: "123456789", passcode: "4321"), for: call.id, now: harness.now)
        #expect(found.statuses == [200], "right passcode: answered and joined")
        #expect(harness.userAgent.call(call.id)?.meetingID == "123456789")
    }

    /// The program the leg got last: with `.start` before the media runs, `.program` after.
    func lastProgram(_ actions: [UserAgentAction]) -> MediaProgram? {
        actions.compactMap { action -> MediaProgram? in
            switch action {
            case .media(.start(_, let plan)): plan.program
            case .media(.program(_, let program)): program
            default: nil
            }
        }.last
    }

    /// Dials `123456789*4321` straight into a meeting of `mode`; returns the call and what the lookup did.
    func dialIntoMeeting(_ harness: inout UserAgentHarness, mode: String, tier: String = "free") throws -> (CallFacts, [UserAgentAction]) {
        _ = harness.receive(Messages.invite(to: "123456789*4321"))
        let call = try #require(harness.userAgent.activeCalls.first)
        let entry = MeetingEntry(id: "123456789", passcode: "4321", mode: mode, tier: tier)
        return (call, harness.userAgent.meetingLookedUp(entry, for: call.id, now: harness.now))
    }

    /// A standard meeting: the leg becomes a conference participant and stays up.
    @Test func joiningAStandardMeetingPutsTheLegInTheConference() throws {
        var harness = UserAgentHarness()
        let (call, joined) = try dialIntoMeeting(&harness, mode: "standard")
        #expect(lastProgram(joined) == .conference(meetingID: "123456789", displayName: "Phone ••• 0000", muted: false))
        #expect(harness.userAgent.call(call.id)?.phase == .inMeeting)
        let toTag = try #require(try joined.responses.last?.headers.to().tag)
        _ = harness.receive(Messages.inDialog("ACK", branch: "z9hG4bK-ack", cseq: 1, toTag: toTag, number: "123456789*4321"))
        #expect(harness.run(until: .seconds(60)).requests.isEmpty, "no BYE: the caller stays in the meeting")
        // The host removes the caller: the prompt, then BYE with a Reason.
        let leaving = harness.userAgent.leaveMeeting(call.id, removed: true, now: harness.now)
        let removed = try #require(leaving)
        #expect(lastProgram(removed) == .playback(id: -1, [.prompt("removed"), .prompt("goodbye")]))
        let bye = harness.userAgent.playbackFinished(-1, for: call.id, now: harness.now).requests.first
        #expect(bye?.method == .bye)
        #expect(bye?.headers["Reason"] == "Q.850;cause=16;text=\"Removed from the meeting by the host\"")
    }

    /// `caller-id-display` decides how participants see the caller: a tier that hides numbers shows
    /// "Phone", one that shows them shows the number, the bundled default masks it.
    @Test func callerIDDisplayFollowsTheTier() throws {
        var harness = UserAgentHarness(
            planAppendix: "\ntier hushed {\n    caller-id-display hidden\n}\ntier open {\n    caller-id-display full\n}\n")
        let (_, hidden) = try dialIntoMeeting(&harness, mode: "standard", tier: "hushed")
        #expect(lastProgram(hidden) == .conference(meetingID: "123456789", displayName: "Phone", muted: false))
        var fullHarness = UserAgentHarness(planAppendix: "\ntier open {\n    caller-id-display full\n}\n")
        let (call, full) = try dialIntoMeeting(&fullHarness, mode: "standard", tier: "open")
        #expect(lastProgram(full) == .conference(meetingID: "123456789", displayName: "Phone \(call.caller)", muted: false))
        #expect(call.caller.count >= 6, "\(call.caller)")
    }

    /// In the meeting, `*6` and `*#` become controls for the meeting side; other keys do nothing.
    /// An announcement interrupts the mix and puts the leg back in the meeting when it ends.
    @Test func inCallControlsAndAnnouncements() throws {
        var harness = UserAgentHarness()
        let (call, joined) = try dialIntoMeeting(&harness, mode: "standard")
        let conference = try #require(lastProgram(joined))
        func press(_ digit: Character) -> [MeetingControl] {
            harness.userAgent.mediaDigit(digit, source: .rfc4733, for: call.id, now: harness.now).compactMap {
                if case .meetingControl(call.id, let control) = $0 { control } else { nil }
            }
        }
        #expect(press("6").isEmpty, "6 without * is nothing")
        #expect(press("*").isEmpty)
        #expect(press("6") == [.toggleMute])
        harness.now = harness.now + .seconds(1)
        #expect(press("*").isEmpty)
        #expect(press("#") == [.announceParticipants])
        #expect(press("*").isEmpty)
        #expect(press("9").isEmpty, "*9 is no control")
        let announcement = harness.userAgent.announceInMeeting(call.id, [.prompt("muted")], now: harness.now)
        let told = try #require(announcement)
        #expect(lastProgram(told) == .playback(id: -2, [.prompt("muted")]))
        #expect(lastProgram(harness.userAgent.playbackFinished(-2, for: call.id, now: harness.now)) == conference)
    }

    /// A phone is never placed in an e2ee meeting: the caller hears why, then BYE with cause 21.
    @Test func anE2EEMeetingRefusesThePhoneWithAPromptAndCause21() throws {
        var harness = UserAgentHarness()
        let (call, refused) = try dialIntoMeeting(&harness, mode: "e2ee")
        #expect(lastProgram(refused) == .playback(id: -1, [.prompt("meeting-e2ee"), .prompt("goodbye")]))
        #expect(harness.userAgent.call(call.id)?.phase != .inMeeting)
        let bye = harness.userAgent.playbackFinished(-1, for: call.id, now: harness.now).requests.first
        #expect(bye?.method == .bye)
        #expect(bye?.headers["Reason"]?.hasPrefix("Q.850;cause=21;") == true)
    }

    /// Records are kept by call ID, so an ID must never come back, even after its call ended (a
    /// 24-bit random ID did, about once in 30 runs of 1000 calls, and a record was overwritten).
    @Test func callIDsNeverRepeatAcrossEndedCalls() throws {
        var harness = UserAgentHarness()
        var ids: [String] = []
        for number in 0..<500 {
            let actions = harness.receive(Messages.invite(to: "5550100", branch: "z9hG4bK-u\(number)", callID: "u\(number)"))
            ids.append("\(try #require(actions.callEvents.last).call.id)")
        }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("c") && $0.count <= 9 }, "\(ids.suffix(3))")
    }

    @Test func unknownNumberIsRejectedAndRecorded() throws {
        var harness = UserAgentHarness()
        let actions = harness.receive(Messages.invite(to: "5550100"))
        #expect(actions.statuses == [100, 404])
        let record = try #require(actions.callEvents.last)
        #expect(record.kind == .ended)
        #expect(record.call.outcome == .rejected)
        #expect(record.call.endReason?.hasPrefix("404 Not Found") == true)
    }

    @Test func drainingAndFullGatewaysAnswer503WithRetryAfter() throws {
        var harness = UserAgentHarness(maxCalls: 1)
        _ = harness.receive(Messages.invite())
        let full = harness.receive(Messages.invite(branch: "z9hG4bK-2", callID: "call-2"))
        #expect(full.statuses == [100, 503])
        #expect(full.responses.last?.headers["Retry-After"] == "30")
        harness.userAgent.startDraining()
        let draining = harness.receive(Messages.invite(branch: "z9hG4bK-3", callID: "call-3"))
        #expect(draining.statuses == [100, 503])
    }

    @Test func nothingServableIs488() throws {
        var harness = UserAgentHarness()
        let video = UserAgentHarness.crlf(
            "v=0\no=x 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 18\na=rtpmap:18 G729/8000\n")
        #expect(harness.receive(Messages.invite(body: video)).statuses == [100, 488])
        #expect(harness.userAgent.activeCalls.isEmpty)
    }

    /// SIP-I/SIP-T carriers (RFC 3204) send SDP and ISUP in one multipart/mixed body (RFC 5621):
    /// the call is answered from the SDP part; the binary ISUP part is ignored.
    @Test func multipartInviteWithIsupIsAnsweredFromItsSDPPart() throws {
        var harness = UserAgentHarness()
        let isup: [UInt8] = [0x01, 0x00, 0x49, 0x00, 0x00, 0x03, 0x02, 0x00, 0x07, 0x04, 0x10, 0x00, 0x33, 0x63, 0x21, 0x43, 0x00, 0x00]
        var body = Array("--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\n\(Messages.sdp())".utf8)
        body += Array(
            "\r\n--unique-boundary-1\r\nContent-Type: application/ISUP;version=itu-t92+\r\nContent-Disposition: signal;handling=optional\r\n\r\n"
                .utf8)
        body += isup
        body += Array("\r\n--unique-boundary-1--\r\n".utf8)
        let head = Messages.invite(body: "").replacingOccurrences(
            of: "Content-Type: application/sdp", with: "Content-Type: multipart/mixed;boundary=unique-boundary-1"
        )
        .replacingOccurrences(of: "Content-Length: 0", with: "Content-Length: \(body.count)")
        let actions = harness.receive(bytes: Array(UserAgentHarness.crlf(head).utf8) + body)
        #expect(actions.statuses == [100, 200])
        let answer = String(decoding: actions.responses.last?.body ?? [], as: UTF8.self)
        #expect(answer.contains("m=audio "))
    }

    @Test func multipartWithoutSDPIs415() throws {
        var harness = UserAgentHarness()
        let body = "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"
        let message = Messages.invite(body: body).replacingOccurrences(
            of: "Content-Type: application/sdp", with: "Content-Type: multipart/mixed;boundary=b")
        let actions = harness.receive(message)
        #expect(actions.statuses == [100, 415])
        #expect(actions.responses.last?.headers["Accept"] == "application/sdp, multipart/mixed")
    }

    @Test func optionsIsAnsweredWithCapabilities() throws {
        var harness = UserAgentHarness()
        let options = Messages.inDialog("OPTIONS", branch: "z9hG4bK-o", cseq: 1, toTag: "x").replacingOccurrences(of: ";tag=x", with: "")
        let ok = try #require(harness.receive(options).responses.first)
        #expect(ok.statusCode == 200)
        #expect(ok.headers["Allow"] == "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK")
        #expect(ok.headers["Accept"] == "application/sdp")
        #expect(try ok.headers.to().tag != nil)
    }

    @Test func responsesGoBackToTheSourcePortWithRportAndViaCarriesIt() throws {
        var harness = UserAgentHarness()
        let natted = SIPPeer(transport: .udp, host: "127.0.0.9", port: 40123)
        let actions = harness.receive(Messages.invite(), from: natted)
        guard case .send(_, let destination)? = actions.first else { Issue.record("nothing sent"); return }
        #expect(destination.host == "127.0.0.9" && destination.port == 40123)
        let via = try #require(try actions.responses.first?.headers.topVia())
        #expect(via.received == "127.0.0.9")
        #expect(via.rport == .value(40123))
    }

    @Test func requireWithUnknownExtensionIs420() throws {
        var harness = UserAgentHarness()
        // 100rel and timer are supported (RFC 3262, RFC 4028): only the unknown tag is listed.
        let actions = harness.receive(Messages.invite(extraHeaders: "Require: frobnicate, 100rel, timer\n"))
        #expect(actions.statuses.last == 420)
        #expect(actions.responses.last?.headers["Unsupported"] == "frobnicate")
    }

    @Test func mergedRequestIs482() throws {
        var harness = UserAgentHarness(ringTime: .seconds(5))
        _ = harness.receive(Messages.invite(branch: "z9hG4bK-fork1"))
        // The same request by another path (another branch, same From tag, Call-ID and CSeq).
        #expect(harness.receive(Messages.invite(branch: "z9hG4bK-fork2")).statuses == [100, 482])
    }
}

/// A full transaction table: new requests get 503 with Retry-After and an `.overloaded` report (not
/// a security notice per request, which would flood the log under load).
@Suite struct OverloadTests {
    @Test func aFullTableAnswers503AndReportsOverload() throws {
        var harness = UserAgentHarness()
        var settings = UserAgentSettings(advertisedHost: "127.0.0.1", sipPort: 5060)
        settings.maxTransactions = 2
        harness.userAgent = UserAgent(
            settings: settings, dialplan: UserAgentHarness.bundledPlan(ringTime: .zero), random: SeededGenerator(seed: 5))
        var last: [UserAgentAction] = []
        for index in 0..<3 {
            last = harness.receive(
                Messages.inDialog("OPTIONS", branch: "z9hG4bK-o\(index)", callID: "options-\(index)", cseq: 1, toTag: "x")
                    .replacingOccurrences(of: ";tag=x", with: ""))
        }
        let refused = try #require(last.responses.last)
        #expect(refused.statusCode == 503)
        #expect(refused.headers["Retry-After"] == "30")
        #expect(last.contains { if case .overloaded(_, "OPTIONS") = $0 { true } else { false } })
        #expect(!last.contains { if case .notice = $0 { true } else { false } })
    }
}
