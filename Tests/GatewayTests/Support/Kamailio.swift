import Foundation

/// A real Kamailio (Debian's `kamailio` package) on loopback, playing a provider's registrar and
/// proxy: it challenges REGISTERs with digest (the algorithm given), keeps bindings in memory, and
/// routes INVITEs for a registered user to its contact (`Fixtures/kamailio-registrar.cfg`).
final class Kamailio: @unchecked Sendable {
    /// UDP and TCP.
    let port: Int
    /// TLS, when started with a certificate.
    let tlsPort: Int?
    let directory: URL
    private let tls: TestPKI.Pair?
    private var process: Process?
    private var generation = 0

    private init(port: Int, tlsPort: Int?, tls: TestPKI.Pair?, directory: URL) {
        self.port = port
        self.tlsPort = tlsPort
        self.tls = tls
        self.directory = directory
    }

    static let configTemplate = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kamailio-registrar.cfg")

    /// Starts one on free ports of 127.0.0.1 (UDP and TCP on one, TLS with `tls`'s certificate on
    /// another), challenging with `algorithm` (`SHA-256` or `MD5`).
    static func start(algorithm: String, tls: TestPKI.Pair? = nil) async throws -> Kamailio {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-kamailio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Ports the kernel just handed out and took back: free for the moment it takes to start.
        let kamailio = Kamailio(
            port: try UDPProbe().localPort, tlsPort: tls == nil ? nil : try UDPProbe().localPort, tls: tls, directory: directory)
        try await kamailio.launch(algorithm: algorithm)
        return kamailio
    }

    /// The log of the instance running now (each start writes its own).
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    private var logFile: URL { directory.appendingPathComponent("kamailio-\(generation).log") }

    /// Stops it (bindings are lost: they live in memory) and starts it again on the same port.
    func restart(algorithm: String) async throws {
        stop()
        try await launch(algorithm: algorithm)
    }

    private func launch(algorithm: String) async throws {
        generation += 1
        let template = try String(contentsOf: Self.configTemplate, encoding: .utf8)
        let config = directory.appendingPathComponent("kamailio.cfg")
        var text = template.replacingOccurrences(of: "@PORT@", with: "\(port)").replacingOccurrences(of: "@ALGORITHM@", with: algorithm)
        if let tls, let tlsPort {
            let tlsConfig = directory.appendingPathComponent("tls.cfg")
            try """
            [server:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no
            private_key = \(tls.key.path)
            certificate = \(tls.certificate.path)

            [client:default]
            method = TLSv1.2+
            verify_certificate = no
            require_certificate = no

            """.write(to: tlsConfig, atomically: true, encoding: .utf8)
            text = text.replacingOccurrences(of: "#@TLS_LISTEN@", with: "enable_tls=yes\nlisten=tls:127.0.0.1:\(tlsPort)")
                .replacingOccurrences(of: "#@TLS_MODULE@", with: "loadmodule \"tls.so\"")
                .replacingOccurrences(of: "#@TLS_CONFIG@", with: "modparam(\"tls\", \"config\", \"\(tlsConfig.path)\")")
        }
        try text.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        // Kamailio closes every inherited descriptor at start, which Foundation's Process reads as
        // "exited" and then blocks in wait4() for it, stalling every other child's reaping. So a
        // shell is the child Foundation watches; Kamailio runs under it in the foreground (not
        // `&` and `wait`: the shell inherits a blocked SIGCHLD and would never see it end), and is
        // stopped by its pid file. The command after it keeps dash from exec'ing Kamailio in its place.
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Foreground (-DD), logging to stderr (-E), small memory pools, runtime files in our folder.
        process.arguments = [
            "-c", "\"$0\" \"$@\"; exit $?", try ExternalProcess.resolve("kamailio"), "-f", config.path, "-DD", "-E", "-m", "32", "-M", "4",
            "-Y", directory.path, "-P", pidFile.path,
        ]
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        try await waitForLog("SO_RCVBUF is finally", timeout: .seconds(10))
    }

    /// Waits until the running instance's log holds `text`.
    func waitForLog(_ text: String, timeout: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while !log.contains(text) {
            guard clock.now < deadline, process?.isRunning == true else {
                throw HarnessError("kamailio's log has no '\(text)' after \(timeout):\n\(log.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private var pidFile: URL { directory.appendingPathComponent("pid") }

    /// SIGTERM to Kamailio's main process (it ends its children), SIGKILL if it lingers; the shell
    /// above it then exits.
    func stop() {
        guard let process, process.isRunning else { return }
        let text = (try? String(contentsOf: pidFile, encoding: .utf8)) ?? ""
        if let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGTERM)
            for _ in 0..<150 where process.isRunning { usleep(20_000) }
            if process.isRunning { kill(pid, SIGKILL) }
        }
        for _ in 0..<100 where process.isRunning { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: pidFile)
        // Its children end with it; give them the moment it takes to let go of the port.
        usleep(200_000)
    }

    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
