import Foundation
import Testing

extension LoopbackIntegration {
    /// The daemon's lifecycle promises, on loopback with real peers: IPv6, SIGTERM drains live calls
    /// with BYE, records survive a restart, and a crash leaves live calls marked interrupted.
    @Suite(.serialized)
    struct LifecycleIntegrationTests {
        static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")

        @Test func callsOverIPv6() async throws {
            let daemon = try await Daemon.start(["--sip", "[::1]:0"])
            defer { daemon.cleanUp() }
            let result = try await ExternalProcess.run(
                "sipp",
                [
                    "[::1]:\(daemon.sipPort)", "-i", "::1", "-sn", "uac", "-s", "1001", "-m", "20", "-r", "20", "-nostdin", "-timeout",
                    "50s",
                    "-timeout_error",
                ],
                timeout: .seconds(60), currentDirectory: daemon.state)
            let history = try await daemon.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await daemon.stop()
            #expect(result.status == 0, "sipp over IPv6 failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            #expect(history.count == 20)
            #expect(history.allSatisfy { ($0["remote"] as? String)?.hasPrefix("[::1]:") == true })
        }

        /// SIGTERM: live calls get the grace period, then BYE with a Reason; the daemon exits 0 and
        /// the records say who hung up, also after a restart on the same state folder.
        @Test func sigtermDrainsLiveCallsWithByeAndRecordsSurviveRestart() async throws {
            let daemon = try await Daemon.start(["--drain-grace", "1"])
            defer { daemon.cleanUp() }
            async let sipp = ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-sf",
                    Self.scenarios.appendingPathComponent("bye-from-gateway.xml").path,
                    "-s", "1000",
                    "-m", "1", "-nostdin", "-timeout", "40s", "-timeout_error",
                ],
                timeout: .seconds(45), currentDirectory: daemon.state)
            try await daemon.waitForLiveCalls(1)
            let exit = await daemon.stop(grace: .seconds(15))
            let result = try await sipp
            #expect(exit == 0, "dialgate did not exit cleanly:\n\(daemon.log.suffix(2000))")
            #expect(
                result.status == 0,
                "the live call got no BYE on shutdown:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            #expect(daemon.log.contains("draining"))

            let restarted = try await Daemon.start(reusing: daemon.state)
            let history = try await restarted.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await restarted.stop()
            let record = try #require(history.first)
            #expect(record["hungUpBy"] as? String == "gateway")
            #expect(record["endReason"] as? String == "gateway shutting down")
            #expect(record["outcome"] as? String == "completed")
        }

        /// DESIGN.md §5: after a crash, calls that were live are marked interrupted on restart.
        @Test func killedDaemonLeavesLiveCallsInterrupted() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            async let sipp = ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-sf",
                    Self.scenarios.appendingPathComponent("bye-from-gateway.xml").path,
                    "-s", "1001",
                    "-m", "1", "-nostdin", "-timeout", "3s",
                ],
                timeout: .seconds(15), currentDirectory: daemon.state)
            try await daemon.waitForLiveCalls(1)
            // Asking for the history flushes the records (the answered call is then committed), so
            // the crash comes after a known commit, without guessing at the batching interval.
            _ = try await daemon.ctlJSON(["history"])
            daemon.kill()
            _ = try await sipp

            let restarted = try await Daemon.start(reusing: daemon.state)
            let history = try await restarted.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await restarted.stop()
            let record = try #require(history.first, "the answered call was not in the records:\n\(restarted.log)")
            #expect(record["outcome"] as? String == "interrupted")
            #expect(record["endReason"] as? String == "gateway restarted")
            #expect(record["called"] as? String == "1001")
        }
    }
}
