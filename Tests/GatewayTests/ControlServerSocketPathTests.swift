import ControlAPI
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

#if canImport(Glibc)
    import Glibc
#endif

@Suite(.timeLimit(.minutes(1))) struct ControlServerSocketPathTests {
    @Test func staleSocketIsReplaced() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        try FileManager.default.createDirectory(atPath: socket.directory, withIntermediateDirectories: true)
        // A socket file nobody listens on, as a killed daemon leaves it (NIO would unlink on close).
        try makeStaleSocket(at: socket.path)
        #expect(FileManager.default.fileExists(atPath: socket.path))

        let server = try await ControlServer.bind(socketPath: socket.path, handler: FakeControlHandler())
        let running = Task { try await server.run() }
        try await withControlClient(socket.path) { (client) async throws in
            #expect(try await client.request(.status).result == .success(.status(FakeControlHandler.status)))
        }
        running.cancel()
        try await running.value
    }

    @Test func liveSocketIsNotTakenOver() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        let first = try await ControlServer.bind(socketPath: socket.path, handler: FakeControlHandler())
        let running = Task { try await first.run() }
        await #expect(throws: ControlServerError.alreadyRunning(path: socket.path)) {
            _ = try await ControlServer.bind(socketPath: socket.path, handler: FakeControlHandler())
        }
        // The first server still answers.
        try await withControlClient(socket.path) { (client) async throws in
            #expect(try await client.request(.calls).result == .success(.calls(FakeControlHandler.live)))
        }
        running.cancel()
        try await running.value
    }

    @Test func regularFileIsLeftAlone() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        try FileManager.default.createDirectory(atPath: socket.directory, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: URL(fileURLWithPath: socket.path))
        await #expect(throws: ControlServerError.notASocket(path: socket.path)) {
            _ = try await ControlServer.bind(socketPath: socket.path, handler: FakeControlHandler())
        }
        #expect(try String(contentsOfFile: socket.path, encoding: .utf8) == "precious")
    }

    /// `--control-group`: the socket belongs to the group, mode 0660; an unknown group stops the
    /// start with its name, and no socket is left behind.
    @Test func aControlGroupGetsTheSocketReadWrite() async throws {
        let socket = TemporarySocket()
        defer { socket.cleanup() }
        let group = try #require(getgrgid(getegid())).pointee.gr_name.map { String(cString: $0) } ?? "root"
        let server = try await ControlServer.bind(socketPath: socket.path, group: group, handler: FakeControlHandler())
        var info = stat()
        #expect(stat(socket.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660 && info.st_gid == getegid())
        let running = Task { try await server.run() }
        running.cancel()
        try await running.value

        let other = TemporarySocket()
        defer { other.cleanup() }
        await #expect(throws: ControlServerError.cannotBind(path: other.path, reason: "no group 'no-such-group-dialgate'")) {
            _ = try await ControlServer.bind(socketPath: other.path, group: "no-such-group-dialgate", handler: FakeControlHandler())
        }
        #expect(!FileManager.default.fileExists(atPath: other.path))
    }
}

/// Binds a Unix socket at `path` and closes it without unlinking: what `kill -9` leaves behind.
private func makeStaleSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    try #require(bytes.count < MemoryLayout.size(ofValue: address.sun_path))
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: bytes)
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    try #require(result == 0)
}
