import Foundation
import Frames
import Logging
import ParticipantTransport
import Testing

@testable import Gateway

/// `MeetingRooms` against clients that misbehave on purpose, over a real loopback socket: one that
/// never says `hello`, and more connections than the limit.
@Suite struct MeetingRoomsLimitsTests {
    @Test func silentConnectionsAreClosedAndTheConnectionLimitHolds() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.cleanup() }
        let store = try RecordFixtures.open(folder)
        let rooms = MeetingRooms(
            directory: MeetingDirectory(store: store), identity: try ParticipantIdentity.generate(), logger: Logger(label: "test"),
            limits: MeetingRooms.Limits(connections: 1, helloTimeout: .milliseconds(300)))
        let server = try await ParticipantWebSocketServer.bind(host: "127.0.0.1", port: 0)
        let serving = Task { try await server.run { session in await rooms.serve(session) } }
        defer { serving.cancel() }

        let silent = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(server.port)/v1")
        let silentDone = Task { await silent.run { _ in } }
        while await rooms.openConnections < 1 { try await Task.sleep(for: .milliseconds(10)) }
        // The one connection allowed is taken: the next is told to come back later.
        let extra = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(server.port)/v1")
        let extraClose = await extra.run { _ in }
        #expect(extraClose?.code == 1013)
        let started = ContinuousClock.now
        let silentClose = await silentDone.value
        #expect(silentClose?.code == WebSocketClose.policyViolation)
        #expect(silentClose?.reason.contains("no hello") == true, "\(String(describing: silentClose))")
        #expect(ContinuousClock.now - started < .seconds(2))
        await server.close()
        try await store.close()
    }
}
