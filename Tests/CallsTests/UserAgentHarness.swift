import Dialplan
import Foundation
import SIP
import TestSupport
import Testing

@testable import Calls

/// Drives a `UserAgent` in memory: parsed messages in, actions out, time advanced by hand.
struct UserAgentHarness {
    var userAgent: UserAgent
    var now = SIPInstant(nanoseconds: 10_000_000_000)
    let phone = SIPPeer(transport: .udp, host: "127.0.0.1", port: 5070)

    init(ringTime: Duration = .zero, maxCalls: Int = 100, planAppendix: String = "") {
        var settings = UserAgentSettings(advertisedHost: "127.0.0.1", sipPort: 5060)
        settings.maxCalls = maxCalls
        userAgent = UserAgent(
            settings: settings, dialplan: UserAgentHarness.bundledPlan(ringTime: ringTime, appendix: planAppendix),
            random: SeededGenerator(seed: 42))
    }

    /// A user agent on `plan` alone (not the bundled plan), which must load without diagnostics.
    init(plan: String, seed: UInt64) {
        let (document, diagnostics) = DialplanLoader.load([DialplanSource(path: "test.dialplan", text: plan)]) { _, _ in nil }
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        self.init()
        userAgent = UserAgent(
            settings: UserAgentSettings(advertisedHost: "127.0.0.1", sipPort: 5060), dialplan: ActiveDialplan(document: document),
            random: SeededGenerator(seed: seed))
    }

    /// Parses `text` (LF line ends become CRLF) as a datagram from the phone and hands it over.
    mutating func receive(_ text: String, from peer: SIPPeer? = nil) -> [UserAgentAction] {
        receive(bytes: Array(UserAgentHarness.crlf(text).utf8), from: peer)
    }

    mutating func receive(bytes: [UInt8], from peer: SIPPeer? = nil) -> [UserAgentAction] {
        do {
            return userAgent.receive(try SIPMessageParser.parseDatagram(bytes), from: peer ?? phone, now: now)
        } catch {
            return userAgent.receiveMalformed(error, from: peer ?? phone, now: now)
        }
    }

    mutating func advance(by duration: Duration) -> [UserAgentAction] {
        now = now + duration
        return userAgent.fireTimers(now: now)
    }

    /// Advances to each deadline in turn until `limit`, collecting the actions.
    mutating func run(until limit: Duration) -> [UserAgentAction] {
        let end = now + limit
        var actions: [UserAgentAction] = []
        while let next = userAgent.nextDeadline, next <= end {
            now = max(now, next)
            actions += userAgent.fireTimers(now: now)
        }
        now = end
        return actions
    }

    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }
}

extension [UserAgentAction] {
    var responses: [SIPResponse] {
        compactMap { if case .send(.response(let response), _) = $0 { response } else { nil } }
    }
    var requests: [SIPRequest] {
        compactMap { if case .send(.request(let request), _) = $0 { request } else { nil } }
    }
    var statuses: [Int] { responses.map(\.statusCode) }
    var callEvents: [CallEvent] {
        compactMap { if case .callEvent(let event) = $0 { event } else { nil } }
    }
}

enum Messages {
    static let sdpOffer = """
        v=0
        o=phone 100 100 IN IP4 127.0.0.1
        s=-
        c=IN IP4 127.0.0.1
        t=0 0
        m=audio 40000 RTP/AVP 0 8 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=%DIRECTION%

        """

    static func sdp(_ direction: String = "sendrecv") -> String {
        UserAgentHarness.crlf(sdpOffer.replacingOccurrences(of: "%DIRECTION%", with: direction))
    }

    static func invite(
        to number: String = "1000", branch: String = "z9hG4bK-inv1", callID: String = "call-1", cseq: Int = 1, toTag: String? = nil,
        direction: String = "sendrecv", extraHeaders: String = "", body: String? = nil
    ) -> String {
        let content = body ?? sdp(direction)
        return """
            INVITE sip:\(number)@127.0.0.1:5060 SIP/2.0
            Via: SIP/2.0/UDP 127.0.0.1:5070;branch=\(branch);rport
            Max-Forwards: 70
            From: "Alice" <sip:+15551230000@127.0.0.1:5070>;tag=alice1
            To: <sip:\(number)@127.0.0.1:5060>\(toTag.map { ";tag=\($0)" } ?? "")
            Call-ID: \(callID)
            CSeq: \(cseq) INVITE
            Contact: <sip:alice@127.0.0.1:5070>
            \(extraHeaders)Content-Type: application/sdp
            Content-Length: \(content.utf8.count)

            \(content)
            """
    }

    static func inDialog(
        _ method: String, branch: String, callID: String = "call-1", cseq: Int, toTag: String, number: String = "1000"
    ) -> String {
        """
        \(method) sip:dialgate@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:5070;branch=\(branch);rport
        Max-Forwards: 70
        From: "Alice" <sip:+15551230000@127.0.0.1:5070>;tag=alice1
        To: <sip:\(number)@127.0.0.1:5060>;tag=\(toTag)
        Call-ID: \(callID)
        CSeq: \(cseq) \(method)
        Content-Length: 0


        """
    }

    static func cancel(branch: String = "z9hG4bK-inv1", callID: String = "call-1", number: String = "1000") -> String {
        """
        CANCEL sip:\(number)@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:5070;branch=\(branch);rport
        Max-Forwards: 70
        From: "Alice" <sip:+15551230000@127.0.0.1:5070>;tag=alice1
        To: <sip:\(number)@127.0.0.1:5060>
        Call-ID: \(callID)
        CSeq: 1 CANCEL
        Content-Length: 0


        """
    }
}

extension UserAgentHarness {
    /// `dialplans/default.dialplan`, as the daemon loads it (DESIGN.md §3 behaviour).
    /// The bundled plan, with `appendix` (more declarations) added at its end.
    static func bundledPlan(ringTime: Duration, appendix: String = "") -> ActiveDialplan {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("dialplans/default.dialplan").path
        let text = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "") + appendix
        let (document, _) = DialplanLoader.load([DialplanSource(path: path, text: text)]) { _, _ in nil }
        return ActiveDialplan(document: document, options: DialplanRun.Options(ringBeforeAnswer: ringTime))
    }
}
