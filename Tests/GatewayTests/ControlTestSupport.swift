import ControlAPI
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// A gateway stand-in: two live calls, one recorded call, and events the test emits by hand.
final class FakeControlHandler: ControlCommandHandler, @unchecked Sendable {
    static let live = [
        CallSnapshot(
            id: "c7f3a2", sipCallID: "a84b4c76e66710@pc33.example.com", caller: "+4930123456",
            called: "1000", trunk: "loopback", route: "1000", state: .answered, transport: "udp",
            remote: "127.0.0.1:5070", codec: "PCMU", startedAt: RecordFixtures.base),
        CallSnapshot(
            id: "c0ffee", sipCallID: "3848276298220188511@atlanta.example.com", caller: "+4940555",
            called: "4711*1234", trunk: "loopback", route: "direct", meeting: "4711", state: .inMeeting,
            transport: "tcp", remote: "127.0.0.1:5071", codec: "opus", srtp: true,
            startedAt: RecordFixtures.base),
    ]
    static let recorded = CallSnapshot(
        id: "c0ld00", sipCallID: "old@example.com", caller: "+4930999", called: "1001", trunk: "loopback",
        route: "1001", state: .ended, transport: "udp", remote: "127.0.0.1:5072", startedAt: RecordFixtures.base,
        endedAt: RecordFixtures.base.addingTimeInterval(5), durationSeconds: 5, outcome: .completed,
        endReason: "BYE from caller", hungUpBy: .caller)
    static let status = GatewayStatus(
        version: "0.1.0-test", startedAt: RecordFixtures.base, uptimeSeconds: 42,
        listeners: [.init(kind: "sip-udp", address: "127.0.0.1:5060")], activeCalls: 2, totalCalls: 3, draining: false)

    private let lock = NSLock()
    private var subscribers: [Int: AsyncStream<ControlEvent>.Continuation] = [:]  // guarded by lock
    private var nextSubscriber = 0  // guarded by lock
    private var received: [ControlCommand] = []  // guarded by lock
    /// One element each time a watcher's stream terminates.
    let terminations: AsyncStream<Void>
    private let terminationContinuation: AsyncStream<Void>.Continuation

    init() {
        (terminations, terminationContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    var commands: [ControlCommand] { lock.withLock { received } }
    var subscriberCount: Int { lock.withLock { subscribers.count } }

    func handle(_ command: ControlCommand) async -> Result<ControlReplyPayload, ControlError> {
        lock.withLock { received.append(command) }
        switch command {
        case .status: return .success(.status(Self.status))
        case .calls: return .success(.calls(Self.live))
        case .call(let id):
            guard let call = (Self.live + [Self.recorded]).first(where: { $0.id == id }) else { return .failure(.notFound(id)) }
            return .success(.call(call))
        case .history(let query):
            return .success(.history(Array([Self.recorded].prefix(query.limit))))
        case .hangup(let id):
            guard var call = Self.live.first(where: { $0.id == id }) else { return .failure(.notFound(id)) }
            call.state = .ending
            call.hungUpBy = .operator
            call.endReason = "hangup by operator"
            return .success(.call(call))
        case .watchCalls:
            return .failure(.internal("the server handles watchCalls"))
        case .meetings, .meeting, .meetingCreate, .meetingLock, .meetingEnd, .policyExplain:
            return .failure(.meetingNotFound("000000000"))
        case .reload:
            return .success(.reload(DialplanReloadResult(accepted: true, files: [], routes: 0, trunks: 0, errors: [], version: 1)))
        case .trunks:
            return .success(.trunks([TrunkSnapshot(name: "loopback", sources: ["127.0.0.0/8"], authenticates: false, activeCalls: 0)]))
        }
    }

    func callEvents() -> AsyncStream<ControlEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ControlEvent.self, bufferingPolicy: .bufferingNewest(100))
        let key = lock.withLock {
            nextSubscriber += 1
            subscribers[nextSubscriber] = continuation
            return nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.subscribers.removeValue(forKey: key) }
            self.terminationContinuation.yield()
        }
        return stream
    }

    func emit(_ event: ControlEvent) {
        for continuation in lock.withLock({ Array(subscribers.values) }) { continuation.yield(event) }
    }
}

/// A short socket path (sun_path holds 108 bytes) in a fresh directory.
struct TemporarySocket {
    let directory: String
    var path: String { directory + "/ctl.sock" }

    init() {
        directory = "/tmp/dgctl-" + UUID().uuidString.prefix(8)
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Binds a ControlServer on a temporary socket, runs it, and shuts it down after `body`.
func withControlServer(
    handler: FakeControlHandler = FakeControlHandler(),
    _ body: (ControlServer, FakeControlHandler) async throws -> Void
) async throws {
    let socket = TemporarySocket()
    defer { socket.cleanup() }
    let server = try await ControlServer.bind(socketPath: socket.path, handler: handler)
    let running = Task { try await server.run() }
    do {
        try await body(server, handler)
    } catch {
        running.cancel()
        try? await running.value
        throw error
    }
    running.cancel()
    try await running.value
}

/// A raw client: sends bytes, reads reply lines.
struct TestControlClient {
    var reads: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    var framer = ControlLineFramer(maxLineLength: 1 << 24)
    var nextID = 1

    mutating func send(raw bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends one request and reads its reply.
    mutating func request(_ command: ControlCommand) async throws -> ControlReply {
        let id = nextID
        nextID += 1
        try await send(raw: ControlWire.encode(ControlRequest(id: id, command: command)))
        let reply = try #require(try await readReply())
        #expect(reply.id == id)
        return reply
    }

    /// The next reply line, or nil when the server closed the connection.
    mutating func readReply() async throws -> ControlReply? {
        while true {
            if let line = try framer.nextLine() { return try ControlWire.decodeReply(line) }
            guard let buffer = try await reads.next() else { return nil }
            framer.append(buffer.readableBytesView)
        }
    }
}

func withControlClient(
    _ path: String, _ body: (inout TestControlClient) async throws -> Void
) async throws {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(unixDomainSocketPath: path) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    try await channel.executeThenClose { inbound, outbound in
        var client = TestControlClient(reads: inbound.makeAsyncIterator(), outbound: outbound)
        try await body(&client)
    }
}
