import Foundation
import Testing

/// The real `dialgate serve`, started on loopback with port 0 and its own state folder, for one
/// test. Stopped (SIGTERM, then SIGKILL) by `stop()`.
final class Daemon: @unchecked Sendable {
    let state: URL
    let process: Process
    let logFile: URL
    private(set) var sipPort: Int = 0
    /// The participant server's URL, `ws://127.0.0.1:PORT/v1`.
    private(set) var participantsURL = ""

    var socket: String { state.appendingPathComponent("dialgate.sock").path }

    /// The folder holding the built products (`dialgate`, `dialgatectl`) next to the test bundle.
    static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while !url.path.isEmpty, url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("dialgate").path) { return url }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent()
    }

    /// Starts a daemon with a new state folder, or on `reusing` an earlier one's (a restart).
    /// The repository's `dialplans/` (the bundled default plan, DESIGN.md §3).
    static let bundledDialplans = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("dialplans").path

    /// Later arguments win, so `["--sip", "[::1]:0"]` replaces the default address.
    static func start(_ extraArguments: [String] = [], reusing existing: URL? = nil) async throws -> Daemon {
        let state = existing ?? FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let daemon = Daemon(state: state)
        daemon.process.arguments =
            [
                "serve", "--sip", "127.0.0.1:0", "--participants", "127.0.0.1:0", "--state", state.path, "--dialplans",
                Daemon.bundledDialplans, "--drain-grace", "2",
            ]
            + extraArguments
        try daemon.process.run()
        do {
            try await daemon.waitUntilListening()
        } catch {
            // Never leave a daemon behind a failed start.
            daemon.kill()
            throw error
        }
        return daemon
    }

    private init(state: URL) {
        self.state = state
        self.logFile = state.appendingPathComponent("daemon-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process = Process()
        process.executableURL = Daemon.productsDirectory.appendingPathComponent("dialgate")
        process.standardOutput = try? FileHandle(forWritingTo: logFile)
        process.standardError = try? FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
    }

    private func waitUntilListening() async throws {
        let clock = ContinuousClock()
        // Generous: a loaded CI machine can be slow to start a debug build.
        let deadline = clock.now.advanced(by: .seconds(60))
        while clock.now < deadline {
            guard process.isRunning else { throw HarnessError("dialgate exited early:\n\(log)") }
            if FileManager.default.fileExists(atPath: socket), let status = try? await ctlJSON(["status"]),
                let listeners = (status["status"] as? [String: Any])?["listeners"] as? [[String: Any]],
                let udp = listeners.first(where: { $0["kind"] as? String == "sip-udp" })?["address"] as? String,
                let port = udp.split(separator: ":").last.flatMap({ Int($0) }), port > 0
            {
                sipPort = port
                participantsURL = listeners.first(where: { $0["kind"] as? String == "participants" })?["address"] as? String ?? ""
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("dialgate did not start listening within 60 s:\n\(log)")
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Runs `dialgatectl --socket STATE/dialgate.sock ARGS`.
    func ctl(_ arguments: [String], timeout: Duration = .seconds(20)) async throws -> ProcessResult {
        try await ExternalProcess.run(
            Daemon.productsDirectory.appendingPathComponent("dialgatectl").path, ["--socket", socket] + arguments, timeout: timeout)
    }

    /// Runs `dialgatectl ... --json ARGS` and parses its one JSON object.
    func ctlJSON(_ arguments: [String]) async throws -> [String: Any] {
        let result = try await ctl(arguments + ["--json"])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        else {
            throw HarnessError("dialgatectl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
        }
        return object
    }

    /// SIGTERM (the daemon drains), then SIGKILL if it has not exited within `grace`.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Int32 {
        if process.isRunning { process.terminate() }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        while process.isRunning, clock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Waits until `dialgatectl calls` shows `count` answered calls.
    func waitForLiveCalls(_ count: Int, timeout: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let calls = try await ctlJSON(["calls"])["calls"] as? [[String: Any]] ?? []
            if calls.filter({ $0["state"] as? String == "answered" }).count >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("\(count) answered calls did not appear within \(timeout):\n\(log)")
    }

    /// SIGKILL: a crash, with no drain and no last flush.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Removes the state directory; a daemon still running (a test that failed before `stop`) is
    /// killed first, so no failed test leaves a daemon behind to load the next ones.
    func cleanUp() {
        kill()
        try? FileManager.default.removeItem(at: state)
    }
}
