import ControlAPI
import Foundation
import Testing

@testable import Gateway

@Suite(.timeLimit(.minutes(1))) struct ControlServerTests {
    @Test func everyCommandRoundTrips() async throws {
        try await withControlServer { server, handler in
            try await withControlClient(server.socketPath) { (client) async throws in
                #expect(try await client.request(.status).result == .success(.status(FakeControlHandler.status)))
                #expect(try await client.request(.calls).result == .success(.calls(FakeControlHandler.live)))
                #expect(try await client.request(.call(id: "c0ffee")).result == .success(.call(FakeControlHandler.live[1])))
                #expect(try await client.request(.call(id: "c123")).result == .failure(.notFound("c123")))
                #expect(
                    try await client.request(.history(HistoryQuery(limit: 5))).result
                        == .success(.history([FakeControlHandler.recorded])))
                guard case .success(.call(let hungUp)) = try await client.request(.hangup(id: "c7f3a2")).result else {
                    Issue.record("hangup did not answer with the call")
                    return
                }
                #expect(hungUp.hungUpBy == .operator)
            }
            #expect(
                handler.commands == [
                    .status, .calls, .call(id: "c0ffee"), .call(id: "c123"),
                    .history(HistoryQuery(limit: 5)), .hangup(id: "c7f3a2"),
                ])
        }
    }

    @Test func brokenRequestsGetErrorRepliesAndTheConnectionStaysUsable() async throws {
        try await withControlServer { server, _ in
            try await withControlClient(server.socketPath) { (client) async throws in
                try await client.send(raw: Array("{this is not json\n".utf8))
                let malformed = try #require(try await client.readReply())
                #expect(malformed.id == nil)
                #expect(malformed.result == .failure(.badRequest("malformed JSON")))

                try await client.send(raw: Array(#"{"version":1,"id":9,"command":{"name":"auditExport"}}"#.utf8 + [10]))
                #expect(try await client.readReply() == ControlReply(id: 9, result: .failure(.unknownCommand("auditExport"))))

                try await client.send(raw: Array(#"{"version":2,"id":10,"command":{"name":"status"}}"#.utf8 + [10]))
                #expect(try await client.readReply() == ControlReply(id: 10, result: .failure(.unsupportedVersion(2))))

                try await client.send(raw: [0xff, 0xfe, 0x00, 10])
                guard case .failure(.badRequest) = try #require(try await client.readReply()).result else {
                    Issue.record("binary garbage was not a badRequest")
                    return
                }
                #expect(try await client.request(.status).result == .success(.status(FakeControlHandler.status)))
            }
        }
    }

    @Test func overLongLineClosesOnlyThatConnection() async throws {
        try await withControlServer { server, _ in
            try await withControlClient(server.socketPath) { (bystander) async throws in
                #expect(try await bystander.request(.status).result == .success(.status(FakeControlHandler.status)))
                try await withControlClient(server.socketPath) { (hostile) async throws in
                    // 64 KiB + 1 without a newline: the server must not wait for one.
                    try await hostile.send(raw: [UInt8](repeating: UInt8(ascii: "a"), count: ControlWire.maxLineLength + 1))
                    let reply = try #require(try await hostile.readReply())
                    #expect(reply.result == .failure(.badRequest("line longer than 65536 bytes")))
                    #expect(try await hostile.readReply() == nil)  // closed
                }
                #expect(try await bystander.request(.calls).result == .success(.calls(FakeControlHandler.live)))
            }
        }
    }

    @Test func watchStreamsEventsUntilTheClientLeaves() async throws {
        try await withControlServer { server, handler in
            try await withControlClient(server.socketPath) { (client) async throws in
                #expect(try await client.request(.watchCalls).result == .success(.watching(FakeControlHandler.live)))
                let started = ControlEvent(kind: .callStarted, call: FakeControlHandler.recorded)
                let ended = ControlEvent(kind: .callEnded, call: FakeControlHandler.live[0])
                handler.emit(started)
                handler.emit(ended)
                #expect(try await client.readReply() == ControlReply(id: 1, result: .success(.event(started))))
                #expect(try await client.readReply() == ControlReply(id: 1, result: .success(.event(ended))))
            }
            // The client closed: the server ends the subscription.
            var terminations = handler.terminations.makeAsyncIterator()
            await terminations.next()
            #expect(handler.subscriberCount == 0)
        }
    }

    @Test func shutdownClosesWatchersAndRemovesTheSocket() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        let handler = FakeControlHandler()
        let server = try await ControlServer.bind(socketPath: socket.path, handler: handler)
        let running = Task { try await server.run() }
        try await withControlClient(socket.path) { (client) async throws in
            #expect(try await client.request(.watchCalls).result == .success(.watching(FakeControlHandler.live)))
            running.cancel()
            #expect(try await client.readReply() == nil)
        }
        try await running.value
        #expect(!FileManager.default.fileExists(atPath: socket.path))
    }

    @Test func socketIsOwnerOnlyInACreatedDirectory() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        let nested = socket.directory + "/a/b/ctl.sock"
        let server = try await ControlServer.bind(socketPath: nested, handler: FakeControlHandler())
        let attributes = try FileManager.default.attributesOfItem(atPath: nested)
        #expect(attributes[.type] as? FileAttributeType == .typeSocket)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        await server.close()
        #expect(!FileManager.default.fileExists(atPath: nested))
    }
}

@Suite(.timeLimit(.minutes(1))) struct ControlServerHostileClientTests {
    @Test func garbageOnManyConnectionsLeavesTheServerServing() async throws {
        try await withControlServer { server, _ in
            var seed: UInt64 = 0xBAD
            for _ in 0..<8 {
                try await withControlClient(server.socketPath) { (client) async throws in
                    var bytes: [UInt8] = []
                    for _ in 0..<4096 {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
                    }
                    try await client.send(raw: bytes)
                    // Whatever came back, every line is a well-formed error reply.
                    try await client.send(raw: [10])
                    while let reply = try await client.readReply() {
                        guard case .failure = reply.result else {
                            Issue.record("garbage got a success reply: \(reply)")
                            break
                        }
                        if reply.result == .failure(.badRequest("line longer than 65536 bytes")) { break }
                        // Stop once the server has answered everything it read.
                        if client.framer.bufferedByteCount == 0 { break }
                    }
                }
            }
            try await withControlClient(server.socketPath) { (client) async throws in
                #expect(try await client.request(.status).result == .success(.status(FakeControlHandler.status)))
            }
        }
    }
}
