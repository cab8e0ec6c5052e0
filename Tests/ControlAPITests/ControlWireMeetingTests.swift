import ControlAPI
import Foundation
import Testing

/// The wire shapes of the meeting directory commands and `reload`, as docs/control-api.md shows them.
@Suite struct ControlWireMeetingTests {
    private func requestLine(_ command: ControlCommand, id: Int) -> String {
        Fixtures.string(ControlWire.encode(ControlRequest(id: id, command: command)))
    }

    private func replyLine(_ payload: ControlReplyPayload, id: Int) -> String {
        Fixtures.string(ControlWire.encode(ControlReply(id: id, result: .success(payload))))
    }

    private func decode(_ line: String) throws -> ControlCommand {
        try ControlWire.decodeRequest(Array(line.utf8)).get().command
    }

    @Test func requestShapes() {
        #expect(requestLine(.meetings, id: 1) == #"{"command":{"name":"meetings"},"id":1,"version":1}"# + "\n")
        #expect(
            requestLine(.meeting(id: "123456789"), id: 2)
                == #"{"command":{"meeting":"123456789","name":"meeting"},"id":2,"version":1}"# + "\n")
        #expect(
            requestLine(.meetingCreate(MeetingCreation(id: "123456789", passcode: "2468", mode: .e2ee, tier: "paid", host: "Alice")), id: 3)
                == #"{"command":{"host":"Alice","meeting":"123456789","mode":"e2ee","name":"meetingCreate","passcode":"2468","tier":"paid"},"id":3,"version":1}"#
                + "\n")
        #expect(requestLine(.reload, id: 4) == #"{"command":{"name":"reload"},"id":4,"version":1}"# + "\n")
    }

    @Test func meetingCreateDefaultsModeAndTier() throws {
        let command = try decode(#"{"version":1,"id":1,"command":{"name":"meetingCreate","meeting":"123456789"}}"#)
        #expect(command == .meetingCreate(MeetingCreation(id: "123456789", passcode: nil, mode: .standard, tier: "free", host: nil)))
    }

    @Test func meetingCreateKeepsAnUnknownModeForTheDaemonToJudge() throws {
        // The wire is an open set; the daemon answers badRequest for a mode it does not know.
        let command = try decode(#"{"version":1,"id":1,"command":{"name":"meetingCreate","meeting":"123456789","mode":"hybrid"}}"#)
        #expect(command == .meetingCreate(MeetingCreation(id: "123456789", mode: "hybrid")))
    }

    @Test(arguments: [
        (#"{"version":1,"id":5,"command":{"name":"meeting"}}"#, ControlError.badRequest("missing field 'command.meeting'")),
        (#"{"version":1,"id":5,"command":{"name":"meetingCreate","passcode":"2468"}}"#, .badRequest("missing field 'command.meeting'")),
        (
            #"{"version":1,"id":5,"command":{"name":"meetingCreate","meeting":123456789}}"#,
            .badRequest("field 'command.meeting': expected a string")
        ),
    ])
    func badArgumentsAreRejectedWithTheRequestID(line: String, error: ControlError) {
        #expect(ControlWire.decodeRequest(Array(line.utf8)) == .failure(ControlRequestRejection(id: 5, error: error)))
    }

    @Test func replyShapes() {
        #expect(
            replyLine(.meeting(Fixtures.meeting), id: 2)
                == #"{"id":2,"ok":{"meeting":{"createdAt":"2026-11-26T19:46:19.250Z","host":"Alice","id":"123456789","locked":false,"mode":"e2ee","passcode":"024680","tier":"paid"}},"version":1}"#
                + "\n")
        #expect(
            replyLine(.reload(Fixtures.reloadRefused), id: 4)
                == #"{"id":4,"ok":{"reload":{"accepted":false,"errors":["dialplans/default.dialplan:12:5: unknown action 'anwser'"],"files":["dialplans/default.dialplan"],"routes":0,"trunks":0,"version":2}},"version":1}"#
                + "\n")
    }

    @Test func listingsCarryNoPasscodeKey() throws {
        let line = replyLine(.meetings([Fixtures.listedMeeting]), id: 1)
        #expect(!line.contains("passcode"))
        #expect(line.contains(#""meetings":[{"createdAt":"2026-11-26T19:46:19.250Z","host":"Alice","id":"123456789""#))
    }

    @Test func meetingErrorShapes() throws {
        let missing = Fixtures.string(ControlWire.encode(ControlReply(id: 6, result: .failure(.meetingNotFound("123456789")))))
        #expect(
            missing == #"{"error":{"code":"meetingNotFound","meeting":"123456789","message":"no meeting 123456789"},"id":6,"version":1}"#
                + "\n")
        let duplicate = Fixtures.string(ControlWire.encode(ControlReply(id: 7, result: .failure(.meetingExists("123456789")))))
        #expect(
            duplicate
                == #"{"error":{"code":"meetingExists","meeting":"123456789","message":"meeting 123456789 already exists"},"id":7,"version":1}"#
                + "\n")
    }

    @Test func unknownModeFromNewerDaemonDecodes() throws {
        var meeting = Fixtures.meeting
        meeting.mode = "hybrid"
        let reply = ControlReply(id: 1, result: .success(.meeting(meeting)))
        #expect(try ControlWire.decodeReply(ControlWire.encode(reply).dropLast()) == reply)
    }
}
