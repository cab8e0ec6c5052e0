import ControlAPI
import Foundation
import Testing

@Suite struct ControlWireReplyTests {
    static let status = GatewayStatus(
        version: "0.1.0", startedAt: Fixtures.start, uptimeSeconds: 12.5,
        listeners: [.init(kind: "sip-udp", address: "127.0.0.1:5060"), .init(kind: "control", address: "var/dialgate.sock")],
        activeCalls: 1, totalCalls: 3, draining: false)

    static let payloads: [ControlReplyPayload] = [
        .status(status), .calls([Fixtures.ringing, Fixtures.ended]), .call(Fixtures.ended),
        .history([Fixtures.ended]), .history([]), .watching([Fixtures.ringing]),
        .event(ControlEvent(kind: .callEnded, call: Fixtures.ended)),
        .meetings([Fixtures.listedMeeting]), .meetings([]), .meeting(Fixtures.meeting),
        .reload(Fixtures.reloadAccepted), .reload(Fixtures.reloadRefused),
        .policy(
            PolicyExplanation(
                meeting: "123456789", mode: .e2ee, tier: "paid", hostPresent: true, srtp: false, outcome: "lobby", lobbySeconds: 30,
                reasons: ["the meeting is end-to-end encrypted and a phone cannot hold its key"],
                lines: [
                    .init(setting: "phone-join", value: "lobby", source: "tier paid", location: "default.dialplan:97:5"),
                    .init(setting: "re-upgrade", value: "yes", source: "built-in default", location: nil),
                ], callerShown: "••• 4567", reUpgrade: true, planVersion: 2)),
    ]

    @Test(arguments: payloads)
    func replyRoundTrips(_ payload: ControlReplyPayload) throws {
        let reply = ControlReply(id: 42, result: .success(payload))
        let line = ControlWire.encode(reply)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(try ControlWire.decodeReply(line.dropLast()) == reply)
    }

    @Test(arguments: [
        ControlError.unknownCommand("auditExport"), .notFound("c123"), .badRequest("malformed JSON"),
        .unsupportedVersion(9), .internal("disk full"), .meetingNotFound("123456789"), .meetingExists("123456789"),
    ])
    func errorRoundTrips(_ error: ControlError) throws {
        let reply = ControlReply(id: 1, result: .failure(error))
        #expect(try ControlWire.decodeReply(ControlWire.encode(reply).dropLast()) == reply)
    }

    @Test func errorLineShape() {
        let line = Fixtures.string(ControlWire.encode(ControlReply(id: 5, result: .failure(.notFound("c123")))))
        #expect(line == #"{"error":{"call":"c123","code":"notFound","message":"no call c123"},"id":5,"version":1}"# + "\n")
    }

    @Test func unknownErrorCodeFromNewerDaemonIsKept() throws {
        let line = #"{"version":1,"id":2,"error":{"code":"duplicateMeeting","message":"meeting 4711 exists"}}"#
        let reply = try ControlWire.decodeReply(Array(line.utf8))
        #expect(reply.result == .failure(.other(code: "duplicateMeeting", message: "meeting 4711 exists")))
    }

    @Test func datesAreISO8601WithMilliseconds() {
        let line = Fixtures.string(ControlWire.encode(ControlReply(id: 1, result: .success(.call(Fixtures.ringing)))))
        #expect(line.contains(#""startedAt":"2026-11-26T19:46:19.250Z""#))
    }

    @Test func payloadPrintsAsOneKeyObject() throws {
        let line = Fixtures.string(try ControlWire.encodeLine(ControlReplyPayload.history([])))
        #expect(line == #"{"history":[]}"# + "\n")
    }

    @Test func unknownStatesAndOutcomesFromNewerDaemonDecode() throws {
        var call = Fixtures.ended
        call.state = "on-hold"
        call.outcome = "transferred"
        let reply = ControlReply(id: 1, result: .success(.call(call)))
        let decoded = try ControlWire.decodeReply(ControlWire.encode(reply).dropLast())
        #expect(decoded == reply)
    }

    @Test func nonFiniteNumberBecomesInternalError() throws {
        var call = Fixtures.ended
        call.durationSeconds = .nan
        let line = ControlWire.encode(ControlReply(id: 3, result: .success(.call(call))))
        let decoded = try ControlWire.decodeReply(line.dropLast())
        #expect(decoded.id == 3)
        guard case .failure(.internal) = decoded.result else {
            Issue.record("expected internal error, got \(decoded.result)")
            return
        }
    }
}
