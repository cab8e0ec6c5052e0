// E2EE forwarding load (issue 10, docs/performance.md; run by `scripts/load`).
//
//   ForwardingLoad relay [--port N]
//       A bare loopback relay (the baseline): the participant protocol's own WebSocket transport
//       (ParticipantTransport), every binary message forwarded to every other connection, and
//       nothing else: no meeting, no roster, no hub. Prints "relay listening on PORT".
//   ForwardingLoad clients --server ws://127.0.0.1:PORT/v1 [--relay] --clients K --rates "R1 R2 ..."
//                  [--seconds S]
//       K load clients in one meeting. Against dialgate the first creates a `standard` meeting
//       (`create`) and joins as its host, the others join with its passcode (`hello`), each with
//       a fresh identity, exactly as dialgate-participant does (the same Meetings and
//       ParticipantTransport code). With --relay they just connect. Then, at each rate, every
//       client sends R frames per second for S seconds; every frame should reach the K-1 others.
//       One line per step: "step R sent N expected E received D seconds S p50 X p99 Y" (delays in
//       microseconds, send to receive).
//
// A frame is what dialgate-participant sends for 20 ms of speech: an SFrame header whose KID
// carries the client's sender index (the gateway checks it), then 80 bytes standing for the Opus
// ciphertext and a 16-byte tag. The load client does not encrypt: the gateway never opens a frame
// in a meeting without phones, so it forwards these bytes at exactly the cost of real ones. The
// last 24 bytes before the tag carry the step number and the send time, read by the receivers
// (all clients live in this process and share one clock).
import Foundation
import Frames
import LoadSupport
import Meetings
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParticipantTransport

#if canImport(Glibc)
    import Glibc
#endif

/// Nanoseconds on one monotonic clock shared by every client of the process.
let origin = ContinuousClock.now
func nanosecondsNow() -> UInt64 {
    let elapsed = ContinuousClock.now - origin
    return UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
}

// MARK: - The bare relay

/// Every binary message to every other connection; text is ignored.
final class Relay: Sendable {
    private let sessions = NIOLockedValueBox<[ObjectIdentifier: WebSocketSession]>([:])

    func serve(_ session: WebSocketSession) async {
        let id = ObjectIdentifier(session)
        sessions.withLockedValue { $0[id] = session }
        await session.run { [self] message in
            guard case .binary(let frame) = message else { return }
            let others = sessions.withLockedValue { $0 }
            for (other, receiver) in others where other != id { receiver.outbox.send(frame: frame) }
        }
        sessions.withLockedValue { $0[id] = nil }
    }
}

// MARK: - The load clients

/// What one client received in the current step.
struct Received {
    var step: UInt64 = 0
    var count = 0
    var delaysMicroseconds: [UInt32] = []
}

final class LoadClient: Sendable {
    let session: WebSocketSession
    let received = NIOLockedValueBox(Received())
    let welcome = NIOLockedValueBox<Welcome?>(nil)
    let created = NIOLockedValueBox<(meeting: String, passcode: String)?>(nil)
    let refusal = NIOLockedValueBox<String?>(nil)

    init(session: WebSocketSession) { self.session = session }

    func handle(_ message: WebSocketMessage) {
        switch message {
        case .binary(let frame):
            let end = frame.readerIndex + frame.readableBytes - 16
            guard frame.readableBytes >= 40, let step = frame.getInteger(at: end - 16, as: UInt64.self),
                let sent = frame.getInteger(at: end - 8, as: UInt64.self)
            else { return }
            let now = nanosecondsNow()
            received.withLockedValue { state in
                guard step == state.step else { return }
                state.count += 1
                state.delaysMicroseconds.append(UInt32(min((now &- sent) / 1000, UInt64(UInt32.max))))
            }
        case .text(let text):
            guard let decoded = try? ParticipantProtocol.decode(text, from: .fromGateway) else { return }
            switch decoded {
            case .welcome(let value): welcome.withLockedValue { $0 = value }
            case .created(let meeting, let passcode, _): created.withLockedValue { $0 = (meeting, passcode) }
            case .error(let code, let reason): refusal.withLockedValue { $0 = "\(code): \(reason)" }
            default: break
            }
        }
    }

    /// Starts a step: frames of earlier steps still in flight are ignored from now on.
    func begin(step: UInt64, expected: Int) {
        received.withLockedValue { state in
            state = Received(step: step, count: 0, delaysMicroseconds: [])
            state.delaysMicroseconds.reserveCapacity(expected + expected / 4)
        }
    }

    /// Sends `rate` frames a second for `seconds`, paced in 5 ms slices; returns how many it sent.
    func send(step: UInt64, rate: Int, seconds: Double, keyID: UInt64, allocator: ByteBufferAllocator) async -> Int {
        let start = ContinuousClock.now
        let duration = Duration.milliseconds(Int64(seconds * 1000))
        var sent = 0
        var counter: UInt64 = 0
        let filler = [UInt8](repeating: 0x5A, count: 80 - 16)
        let tag = [UInt8](repeating: 0xEE, count: 16)
        while true {
            let elapsed = ContinuousClock.now - start
            if elapsed >= duration { break }
            let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let due = Int(elapsedSeconds * Double(rate))
            while sent < due {
                counter += 1
                let header = SFrameHeader(keyID: keyID, counter: counter).encoded
                var frame = allocator.buffer(capacity: header.count + 80 + 16)
                frame.writeBytes(header)
                frame.writeBytes(filler)
                frame.writeInteger(step)
                frame.writeInteger(nanosecondsNow())
                frame.writeBytes(tag)
                session.outbox.send(frame: frame)
                sent += 1
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return sent
    }
}

func waitFor<T: Sendable>(_ what: String, within: Duration = .seconds(10), _ probe: () -> T?) async -> T {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if let value = probe() { return value }
        try? await Task.sleep(for: .milliseconds(10))
    }
    fail("no \(what) within \(within)")
}

func runClients() async throws {
    guard let server = option("--server") else { fail("--server ws://HOST:PORT/v1 is required") }
    let relay = arguments.contains("--relay")
    let count = Int(option("--clients") ?? "10") ?? 10
    let rates = (option("--rates") ?? "50 100").split(separator: " ").compactMap { Int($0) }
    let seconds = Double(option("--seconds") ?? "3") ?? 3
    guard count >= 2, !rates.isEmpty else { fail("need --clients 2 or more and --rates") }
    // Large enough that the client side never drops a frame of its own before the socket.
    let limits = WebSocketOutbox.Limits(frames: 4096)

    var clients: [LoadClient] = []
    var runs: [Task<Void, Never>] = []
    func connect() async throws -> LoadClient {
        let session = try await ParticipantWebSocketClient.connect(server, outboxLimits: limits)
        let client = LoadClient(session: session)
        runs.append(Task { await session.run { message in client.handle(message) } })
        return client
    }

    var keyIDs: [UInt64] = []
    if relay {
        for index in 0..<count {
            clients.append(try await connect())
            keyIDs.append(try SFrameKeyID(senderIndex: UInt64(index + 1), epoch: 1).rawValue)
        }
    } else {
        let host = try await connect()
        let hostIdentity = try ParticipantIdentity.generate()
        host.session.outbox.send(
            text: ParticipantProtocol.encode(.create(CreateMeeting(name: "load host", identity: IdentityKeys(hostIdentity.publicIdentity))))
        )
        let (meeting, passcode) = await waitFor("created") { () -> (meeting: String, passcode: String)? in
            if let why = host.refusal.withLockedValue({ $0 }) { fail("create: \(why)") }
            return host.created.withLockedValue { $0 }
        }
        for index in 0..<count {
            let client = index == 0 ? host : try await connect()
            let identity = index == 0 ? hostIdentity : try ParticipantIdentity.generate()
            let hello = Hello(
                meeting: meeting, passcode: passcode, name: "load \(index)", role: index == 0 ? .host : .guest,
                identity: IdentityKeys(identity.publicIdentity))
            client.session.outbox.send(text: ParticipantProtocol.encode(.hello(hello)))
            let welcome = await waitFor("welcome for client \(index)") { () -> Welcome? in
                if let why = client.refusal.withLockedValue({ $0 }) { fail("hello: \(why)") }
                return client.welcome.withLockedValue { $0 }
            }
            keyIDs.append(try SFrameKeyID(senderIndex: UInt64(welcome.senderIndex.rawValue), epoch: 1).rawValue)
            clients.append(client)
        }
        emit("joined meeting \(meeting) with \(count) clients")
    }
    // Let the joins' epochs and roster messages settle.
    try await Task.sleep(for: .milliseconds(500))

    let allocator = ByteBufferAllocator()
    for (stepIndex, rate) in rates.enumerated() {
        let step = UInt64(stepIndex + 1)
        let expectedPerClient = Int(Double(rate) * seconds) * (count - 1)
        for client in clients { client.begin(step: step, expected: expectedPerClient) }
        let started = ContinuousClock.now
        let sent = await withTaskGroup(of: Int.self) { group in
            for (index, client) in clients.enumerated() {
                let keyID = keyIDs[index]
                group.addTask { await client.send(step: step, rate: rate, seconds: seconds, keyID: keyID, allocator: allocator) }
            }
            return await group.reduce(0, +)
        }
        let expected = sent * (count - 1)
        // Frames still queued get a grace period; the figure's time is the sending time plus
        // however long the last frames took (up to the grace), so a backlog lowers it.
        var lastCount = -1
        var received = 0
        for _ in 0..<40 {
            received = clients.reduce(0) { $0 + $1.received.withLockedValue { $0.count } }
            if received >= expected || received == lastCount { break }
            lastCount = received
            try await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = ContinuousClock.now - started
        let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        var delays: [UInt32] = []
        delays.reserveCapacity(received)
        for client in clients { delays += client.received.withLockedValue { $0.delaysMicroseconds } }
        delays.sort()
        let p50 = delays.isEmpty ? 0 : delays[min(delays.count - 1, delays.count / 2)]
        let p99 = delays.isEmpty ? 0 : delays[min(delays.count - 1, Int((Double(delays.count) * 0.99).rounded(.up)) - 1)]
        emit(
            "step \(rate) sent \(sent) expected \(expected) received \(delays.count) seconds \(String(elapsedSeconds)) p50 \(p50) p99 \(p99)"
        )
        if delays.count * 1000 < expected * 999 { break }  // over 0.1 % lost: the next rate only loses more
        try await Task.sleep(for: .milliseconds(500))
    }
    for client in clients { client.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "done")) }
    for run in runs { await run.value }
}

func runRelay() async throws {
    let port = Int(option("--port") ?? "0") ?? 0
    var settings = ParticipantWebSocketServer.Settings()
    settings.outboxLimits = WebSocketOutbox.Limits()  // the gateway's defaults
    let server = try await ParticipantWebSocketServer.bind(host: "127.0.0.1", port: port, settings: settings)
    FileHandle.standardOutput.write(Data("relay listening on \(server.port)\n".utf8))
    let relay = Relay()
    try await server.run { session in await relay.serve(session) }
}

signal(SIGPIPE, SIG_IGN)
switch arguments.first {
case "relay": try await runRelay()
case "clients": try await runClients()
default: fail("usage: ForwardingLoad relay [--port N] | clients --server URL [--relay] --clients K --rates \"R ...\" [--seconds S]")
}
