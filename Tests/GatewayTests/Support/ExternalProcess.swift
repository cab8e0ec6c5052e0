import Foundation

/// A program run to completion with a time limit, its output captured.
struct ProcessResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
    var timedOut: Bool
}

enum ExternalProcess {
    /// Runs `executable` (a path, or a name looked up on PATH) and waits at most `timeout`;
    /// `started` gets the process ID once it runs (for a test that inspects the running process).
    static func run(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(120), currentDirectory: URL? = nil,
        environment: [String: String]? = nil, started: (@Sendable (Int32) -> Void)? = nil
    ) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(executable))
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // Output goes to files, not pipes: a chatty child never blocks on a full pipe.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out"), err = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        started?(process.processIdentifier)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        var timedOut = false
        while process.isRunning {
            if clock.now >= deadline {
                timedOut = true
                process.terminate()
                try? await Task.sleep(for: .milliseconds(200))
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: err, encoding: .utf8)) ?? "",
            timedOut: timedOut)
    }

    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        // Servers (kamailio) install to sbin, which a non-login PATH may lack.
        for directory in ((ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin").split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw HarnessError("\(executable) is not installed (scripts/install-deps installs the test peers)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
