// The user agent's whole share of one call, as the signalling thread does it (issue 10's call
// rate): parse each datagram, run the transaction layer, dialog, call session and dialplan (the
// bundled plan's echo route, number 1001), fire the timers, serialize what goes out. No sockets,
// no records writer, no media: those run on other threads of the daemon.
//
// Calls overlap as in `scripts/load --only calls`: INVITE and ACK of call i, then the BYE of the
// call answered `hold` calls earlier, the clock moving 1 ms per call (so 1,000 calls are up at
// once and the transactions' 32 s linger fills the tables as at 1,000 calls a second).
// The caller is 127.0.0.1, which the bundled plan's default trunk takes; nothing goes on a socket.
import Calls
import Dialplan
import Foundation
import SIP
import TestSupport  // SeededGenerator: the same tags every run

/// A caller's datagrams, assembled from byte pieces (cheap next to what the user agent does with
/// them: a few hundred bytes copied, as a socket read would): each call its own Call-ID, tags
/// and branches, and the ACK and BYE our tag from the 200.
enum CallDatagrams {
    static func invite(serial: Int) -> [UInt8] {
        let number = Array(String(serial).utf8)
        var bytes = inviteHead
        bytes += branchInvite + number + afterBranch
        bytes += toLine + fromLine + number + fromTag + number + callIDLine + number + callIDEnd
        bytes += inviteTail
        return bytes
    }

    static func ack(serial: Int, localTag: [UInt8]) -> [UInt8] {
        inDialog(ackHead, branchAck, serial: serial, localTag: localTag, cseq: ackCSeq)
    }

    static func bye(serial: Int, localTag: [UInt8]) -> [UInt8] {
        inDialog(byeHead, branchBye, serial: serial, localTag: localTag, cseq: byeCSeq)
    }

    private static func inDialog(_ head: [UInt8], _ branch: [UInt8], serial: Int, localTag: [UInt8], cseq: [UInt8]) -> [UInt8] {
        let number = Array(String(serial).utf8)
        var bytes = head
        bytes += branch + number + afterBranch
        bytes += toTagged + localTag + crlf + fromLine + number + fromTag + number + callIDLine + number + callIDEnd
        bytes += cseq
        return bytes
    }

    private static let inviteHead = Array("INVITE sip:1001@127.0.0.1:5060 SIP/2.0\r\n".utf8)
    private static let ackHead = Array("ACK sip:1001@127.0.0.1:5060 SIP/2.0\r\n".utf8)
    private static let byeHead = Array("BYE sip:1001@127.0.0.1:5060 SIP/2.0\r\n".utf8)
    private static let branchInvite = Array("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-inv-".utf8)
    private static let branchAck = Array("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ack-".utf8)
    private static let branchBye = Array("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-bye-".utf8)
    private static let afterBranch = Array(";rport\r\nMax-Forwards: 70\r\n".utf8)
    private static let toLine = Array("To: <sip:1001@127.0.0.1:5060>\r\n".utf8)
    private static let toTagged = Array("To: <sip:1001@127.0.0.1:5060>;tag=".utf8)
    private static let crlf = Array("\r\n".utf8)
    private static let fromLine = Array("From: \"Caller\" <sip:+1555".utf8)
    private static let fromTag = Array("@127.0.0.1>;tag=caller".utf8)
    private static let callIDLine = Array("\r\nCall-ID: bench-".utf8)
    private static let callIDEnd = Array("@127.0.0.1\r\n".utf8)
    private static let inviteTail = Array(
        "CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n\(sdp)"
            .utf8)
    private static let ackCSeq = Array("CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n".utf8)
    private static let byeCSeq = Array("CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n".utf8)
}

/// Drives a user agent with overlapping calls; `step()` is one whole call.
final class UserAgentCallDriver {
    private var userAgent: UserAgent
    private var now = SIPInstant(nanoseconds: 1_000_000_000)
    private let phone = SIPPeer(transport: .udp, host: "127.0.0.1", port: 5070)
    /// Our tag of each call still up, by serial, for its BYE.
    private var localTags: [Int: [UInt8]] = [:]
    private var serial = 0
    private let hold = 1_000
    private var buffer: [UInt8] = []
    /// What one step sent (a call's 100 and 200, and the 200 to an earlier call's BYE), for the
    /// baseline.
    private(set) var sentByOneStep: [SIPMessage] = []

    init() {
        var settings = UserAgentSettings(advertisedHost: "127.0.0.1", sipPort: 5060)
        // As `scripts/load` starts the daemon.
        settings.maxCalls = 40_000
        settings.rtpPorts = 20000...31999
        userAgent = UserAgent(settings: settings, dialplan: Self.plan, random: SeededGenerator(seed: 7))
        buffer.reserveCapacity(4096)
    }

    /// `dialplans/default.dialplan`, as the daemon loads it.
    static let plan: ActiveDialplan = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("dialplans/default.dialplan").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fatalError("no \(path)") }
        let (document, diagnostics) = DialplanLoader.load([DialplanSource(path: path, text: text)]) { _, _ in nil }
        guard diagnostics.isEmpty else { fatalError("\(diagnostics)") }
        return ActiveDialplan(document: document)
    }()

    /// One call: its INVITE (answered at once by the echo route) and ACK, then the BYE of the call
    /// `hold` calls earlier; timers fire as the clock passes them.
    func step() {
        now = now + .milliseconds(1)
        while let deadline = userAgent.nextDeadline, deadline <= now { send(userAgent.fireTimers(now: now)) }
        let answer = receive(CallDatagrams.invite(serial: serial))
        let localTag = Self.localTag(in: answer, serial: serial)
        send(answer)
        send(receive(CallDatagrams.ack(serial: serial, localTag: localTag)))
        localTags[serial] = localTag
        if serial >= hold, let tag = localTags.removeValue(forKey: serial - hold) {
            send(receive(CallDatagrams.bye(serial: serial - hold, localTag: tag)))
        }
        serial += 1
    }

    private func receive(_ bytes: [UInt8]) -> [UserAgentAction] {
        do {
            return userAgent.receive(try SIPMessageParser.parseDatagram(bytes), from: phone, now: now)
        } catch {
            return userAgent.receiveMalformed(error, from: phone, now: now)
        }
    }

    private func send(_ actions: [UserAgentAction]) {
        for case .send(let message, _) in actions {
            buffer.removeAll(keepingCapacity: true)
            message.serialize(into: &buffer)
            consume(buffer.count)
            if serial == hold { sentByOneStep.append(message) }
        }
        consume(actions.count)
    }

    /// Our To tag, from the 200 (the caller needs it for the ACK and BYE, as sipp does).
    private static func localTag(in actions: [UserAgentAction], serial: Int) -> [UInt8] {
        for case .send(.response(let response), _) in actions where response.statusCode == 200 {
            if let tag = (try? response.headers.to())?.tag { return Array(tag.utf8) }
        }
        fatalError("call \(serial) was not answered: \(actions)")
    }
}
