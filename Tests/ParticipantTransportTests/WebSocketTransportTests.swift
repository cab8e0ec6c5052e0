import NIOCore
import Testing

@testable import ParticipantTransport

/// The WebSocket transport on loopback: a real server and client from swift-nio's WebSocket
/// implementation, each side ours.
@Suite struct WebSocketTransportTests {
    /// A server that hands every session to `serve`, on a free port.
    func withServer(
        settings: ParticipantWebSocketServer.Settings = ParticipantWebSocketServer.Settings(),
        serve: @escaping @Sendable (WebSocketSession) async -> Void,
        body: (Int) async throws -> Void
    ) async throws {
        let server = try await ParticipantWebSocketServer.bind(host: "127.0.0.1", port: 0, settings: settings)
        let task = Task { try await server.run(serve: serve) }
        defer { task.cancel() }
        try await body(server.port)
        await server.close()
    }

    @Test func textAndBinaryEchoAndCloseHandshake() async throws {
        try await withServer(serve: { session in
            await session.run { message in
                switch message {
                case .text(let text): session.outbox.send(text: "echo: " + text)
                case .binary(let bytes): session.outbox.send(frame: bytes)
                }
            }
        }) { port in
            let client = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/v1")
            let received = Received()
            let done = Task { await client.run { await received.append($0) } }
            client.outbox.send(text: "hello ünïcode")
            let frame = ByteBuffer(bytes: (0..<200).map { UInt8($0) })
            client.outbox.send(frame: frame)
            try await received.wait(count: 2)
            client.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            let serverClose = await done.value
            #expect(await received.messages == [.text("echo: hello ünïcode"), .binary(frame)])
            #expect(serverClose?.code == WebSocketClose.normal, "the server echoes the close code")
        }
    }

    @Test func serverCloseReachesTheClientWithItsReason() async throws {
        try await withServer(serve: { session in
            await session.run { _ in
                session.outbox.close(WebSocketClose(code: WebSocketClose.policyViolation, reason: "wrong passcode"))
            }
        }) { port in
            let client = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/v1")
            client.outbox.send(text: "{}")
            let close = await client.run { _ in }
            #expect(close == WebSocketClose(code: WebSocketClose.policyViolation, reason: "wrong passcode"))
        }
    }

    /// A message over the limit closes that connection with 1009; another connection carries on.
    @Test func oversizedMessageClosesOnlyThatConnection() async throws {
        var settings = ParticipantWebSocketServer.Settings()
        settings.maxMessageSize = 1024
        try await withServer(
            settings: settings,
            serve: { session in
                await session.run { message in
                    if case .text(let text) = message { session.outbox.send(text: text) }
                }
            }
        ) { port in
            let big = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/v1")
            let small = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/v1")
            let received = Received()
            let smallDone = Task { await small.run { await received.append($0) } }
            big.outbox.send(text: String(repeating: "x", count: 4096))
            let bigClose = await big.run { _ in }
            #expect(bigClose?.code == WebSocketClose.messageTooBig)
            small.outbox.send(text: "still here")
            try await received.wait(count: 1)
            #expect(await received.messages == [.text("still here")])
            small.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: ""))
            _ = await smallDone.value
        }
    }

    @Test func otherPathsAreClosedWithAReason() async throws {
        try await withServer(serve: { _ in Issue.record("a session on the wrong path reached the application") }) { port in
            let client = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/elsewhere")
            let close = await client.run { _ in }
            #expect(close?.code == WebSocketClose.policyViolation)
            #expect(close?.reason.contains("/v1") == true)
        }
    }

    /// The outbox never blocks its producer: a full frame queue drops its oldest frame and
    /// counts it; control messages are kept in order.
    @Test func outboxDropsOldestFramesAndKeepsControl() {
        let outbox = WebSocketOutbox(limits: WebSocketOutbox.Limits(frames: 3, controlMessages: 10))
        for value in 0..<5 { outbox.send(frame: ByteBuffer(bytes: [UInt8(value)])) }
        outbox.send(text: "roster")
        #expect(outbox.droppedFrames == 2)
        let items = outbox.drain()
        let texts = items.compactMap { if case .text(let text) = $0 { text } else { nil } }
        let frames = items.compactMap { if case .binary(let bytes) = $0 { bytes.getInteger(at: 0, as: UInt8.self) } else { nil } }
        #expect(texts == ["roster"])
        #expect(frames == [2, 3, 4])
    }

    /// A reader that never reads: past the control limit the connection is given up (1008)
    /// instead of memory growing.
    @Test func unreadControlMessagesCloseTheConnection() {
        let outbox = WebSocketOutbox(limits: WebSocketOutbox.Limits(frames: 3, controlMessages: 4))
        let accepted = (0..<6).map { outbox.send(text: "m\($0)") }
        #expect(accepted == [true, true, true, true, false, false])
        #expect(outbox.closeRequested?.code == WebSocketClose.policyViolation)
    }

    @Test func closeReasonIsCutToAControlFrameOnACharacterBoundary() {
        let close = WebSocketClose(code: 1000, reason: String(repeating: "é", count: 100))
        let payload = close.payload(allocator: ByteBufferAllocator())
        #expect(payload.readableBytes <= 125)
        #expect(WebSocketClose(payload: payload).reason == String(repeating: "é", count: 61))
    }

    @Test func urlParsing() throws {
        #expect(try ParticipantWebSocketClient.parse("ws://127.0.0.1:8088").path == "/v1")
        #expect(try ParticipantWebSocketClient.parse("ws://[::1]:9000/v1") == ("::1", 9000, "/v1", false))
        #expect(try ParticipantWebSocketClient.parse("wss://gateway.example:8443/v1") == ("gateway.example", 8443, "/v1", true))
        #expect(throws: ParticipantWebSocketClient.ConnectError.self) { try ParticipantWebSocketClient.parse("http://x:1") }
        #expect(throws: ParticipantWebSocketClient.ConnectError.self) { try ParticipantWebSocketClient.parse("ws://host:99999") }
    }
}

/// Messages a session received, awaited by the test.
actor Received {
    private(set) var messages: [WebSocketMessage] = []
    func append(_ message: WebSocketMessage) { messages.append(message) }
    func wait(count: Int, timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while messages.count < count {
            guard ContinuousClock.now < deadline else { throw TimeoutError(count: count, got: messages.count) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
    struct TimeoutError: Error { var count: Int; var got: Int }
}
