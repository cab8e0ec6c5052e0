import ControlAPI
import Foundation

enum Fixtures {
    /// 2026-11-26T19:46:19.250Z, a fixed instant with milliseconds.
    static let start = Date(timeIntervalSince1970: 1_795_722_379.25)

    static let ringing = CallSnapshot(
        id: "c7f3a2", sipCallID: "a84b4c76e66710@pc33.example.com", caller: "+4930123456",
        callerName: "Alice", called: "1000", trunk: "loopback", route: "1000", state: .ringing,
        transport: "udp", remote: "127.0.0.1:5070", startedAt: start)

    static var ended: CallSnapshot {
        var call = ringing
        call.state = .ended
        call.meeting = "4711"
        call.codec = "PCMU"
        call.srtp = true
        call.answeredAt = start.addingTimeInterval(1)
        call.endedAt = start.addingTimeInterval(61.5)
        call.durationSeconds = 60.5
        call.outcome = .completed
        call.endReason = "BYE from caller"
        call.hungUpBy = .caller
        return call
    }

    /// A meeting as `meeting ID` shows it (passcode included).
    static let meeting = MeetingSnapshot(
        id: "123456789", passcode: "024680", mode: .e2ee, tier: "paid", host: "Alice", createdAt: start)

    /// The same meeting as `meetings` lists it: no passcode.
    static var listedMeeting: MeetingSnapshot {
        var meeting = meeting
        meeting.passcode = nil
        return meeting
    }

    static let reloadAccepted = DialplanReloadResult(
        accepted: true, files: ["dialplans/default.dialplan", "dialplans/trunks.dialplan"], routes: 5, trunks: 2, errors: [],
        version: 3)

    static let reloadRefused = DialplanReloadResult(
        accepted: false, files: ["dialplans/default.dialplan"], routes: 0, trunks: 0,
        errors: ["dialplans/default.dialplan:12:5: unknown action 'anwser'"], version: 2)

    static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
