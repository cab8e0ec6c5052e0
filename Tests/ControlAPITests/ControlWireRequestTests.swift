import ControlAPI
import Foundation
import Testing

@Suite struct ControlWireRequestTests {
    static let commands: [ControlCommand] = [
        .status, .calls, .call(id: "c7f3a2"), .hangup(id: "c7f3a2"), .watchCalls,
        .history(HistoryQuery()),
        .history(
            HistoryQuery(
                limit: 10, caller: "+4930", called: "1000", outcome: .rejected,
                since: Fixtures.start, until: Fixtures.start.addingTimeInterval(3600))),
        .meetings, .meeting(id: "123456789"), .reload,
        .policyExplain(PolicyExplainRequest(meeting: "123456789", caller: "+15551234567")),
        .policyExplain(PolicyExplainRequest(meeting: "123456789", caller: "anonymous", trunk: "carrier", policy: "strict", srtp: true)),
        .meetingCreate(MeetingCreation(id: "123456789")),
        .meetingCreate(MeetingCreation(id: "12345678901", passcode: "2468", mode: .e2ee, tier: "paid", host: "Alice")),
        .meetingCreate(
            MeetingCreation(id: "12345678901", mode: .e2ee, tier: "paid", hostKey: "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")),
    ]

    @Test(arguments: commands)
    func requestRoundTrips(_ command: ControlCommand) throws {
        let line = ControlWire.encode(ControlRequest(id: 7, command: command))
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
        let decoded = try ControlWire.decodeRequest(line.dropLast()).get()
        #expect(decoded == ControlRequest(id: 7, command: command))
    }

    @Test func wireShapeIsDocumented() {
        let line = Fixtures.string(ControlWire.encode(ControlRequest(id: 3, command: .call(id: "c7f3a2"))))
        #expect(line == #"{"command":{"call":"c7f3a2","name":"call"},"id":3,"version":1}"# + "\n")
    }

    @Test func historyDefaultsLimit() throws {
        let line = #"{"version":1,"id":1,"command":{"name":"history","caller":"+4930"}}"#
        let request = try ControlWire.decodeRequest(Array(line.utf8)).get()
        #expect(request.command == .history(HistoryQuery(limit: 50, caller: "+4930")))
    }

    @Test func historyAcceptsDatesWithoutFraction() throws {
        let line = #"{"version":1,"id":1,"command":{"name":"history","since":"2026-11-26T00:00:00Z"}}"#
        let request = try ControlWire.decodeRequest(Array(line.utf8)).get()
        guard case .history(let query) = request.command else {
            Issue.record("not a history command")
            return
        }
        #expect(query.since == ControlWire.parseISO8601("2026-11-26T00:00:00.000Z"))
        #expect(query.since != nil)
    }

    @Test(arguments: [
        (#"{"version":1,"id":4,"command":{"name":"auditExport"}}"#, 4, ControlError.unknownCommand("auditExport")),
        (#"{"version":2,"id":5,"command":{"name":"status"}}"#, 5, .unsupportedVersion(2)),
        (#"{"version":1,"id":6,"command":{"name":"call"}}"#, 6, .badRequest("missing field 'command.call'")),
        (
            #"{"version":1,"id":8,"command":{"name":"history","limit":0}}"#, 8,
            .badRequest("limit must be between 1 and 1000, not 0")
        ),
        (
            #"{"version":1,"id":9,"command":{"name":"history","limit":1001}}"#, 9,
            .badRequest("limit must be between 1 and 1000, not 1001")
        ),
        (
            #"{"version":1,"id":10,"command":{"name":"history","limit":"ten"}}"#, 10,
            .badRequest("field 'command.limit': expected an integer")
        ),
        (#"{"version":1,"id":11}"#, 11, .badRequest("missing field 'command'")),
    ])
    func rejectionsKeepTheRequestID(line: String, id: Int, error: ControlError) {
        let result = ControlWire.decodeRequest(Array(line.utf8))
        #expect(result == .failure(ControlRequestRejection(id: id, error: error)))
    }

    @Test(arguments: [
        "{not json", "[1,2,3]", "42", #""status""#, #"{"id":1}"#, #"{"version":"one","id":1}"#,
        #"{"version":1}"#, #"{"version":1,"id":1.5,"command":{"name":"status"}}"#, "\u{0}\u{ff}\u{fe}",
    ])
    func brokenLinesGetBadRequestReplies(line: String) {
        let result = ControlWire.decodeRequest(Array(line.utf8))
        guard case .failure(let rejection) = result, case .badRequest = rejection.error else {
            Issue.record("expected badRequest for \(line), got \(result)")
            return
        }
        // The rejection's reply is itself a valid reply line.
        let reply = ControlWire.encode(rejection.reply)
        #expect((try? ControlWire.decodeReply(reply.dropLast())) == rejection.reply)
    }

    @Test func unknownArgumentsAreIgnored() throws {
        // A newer client may send an argument an older daemon does not know.
        let line = #"{"version":1,"id":1,"command":{"name":"calls","meeting":"4711"},"trace":true}"#
        #expect(try ControlWire.decodeRequest(Array(line.utf8)).get().command == .calls)
    }
}
