import Foundation
import Testing

extension LoopbackIntegration {
    /// `dialgate serve --metrics` (issue 8): Prometheus scrapes `GET /metrics` on loopback, and the
    /// figures match what real calls did: a caller who passed the IVR with RFC 4733 digits into a
    /// standard meeting (sipp), and one refused from an `e2ee` meeting by policy (sipp). The same run
    /// logs with `--log-format json`: every line of the daemon's log is one JSON object.
    @Suite(.serialized)
    struct MetricsIntegrationTests {
        /// The metrics of one scrape: `name{labels}` → value.
        static func scrape(_ url: String) async throws -> [String: Double] {
            let result = try await ExternalProcess.run("curl", ["-sS", "--fail", "--max-time", "10", url], timeout: .seconds(15))
            guard result.status == 0 else { throw HarnessError("curl \(url): \(result.standardError)") }
            var metrics: [String: Double] = [:]
            for line in result.standardOutput.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                metrics[String(line[..<space])] = value
            }
            return metrics
        }

        @Test func theScrapeCountsWhatTheCallsDid() async throws {
            let daemon = try await Daemon.start(["--metrics", "127.0.0.1:0", "--log-format", "json"])
            defer { daemon.cleanUp() }
            let status = try await daemon.ctlJSON(["status"])["status"] as? [String: Any] ?? [:]
            let listeners = status["listeners"] as? [[String: Any]] ?? []
            let url = try #require(listeners.first { $0["kind"] as? String == "metrics" }?["address"] as? String, "\(status)")
            #expect(url.hasPrefix("http://127.0.0.1:") && url.hasSuffix("/metrics"))

            let before = try await Self.scrape(url)
            #expect(before["dialgate_calls_active"] == 0 && before["dialgate_calls_total{outcome=\"completed\"}"] == 0, "\(before)")

            // A caller passes the IVR with RFC 4733 digits and joins a standard meeting, then hangs up.
            let capture = "ivr-123456789-4321.pcap"
            try FileManager.default.copyItem(
                at: SIPIntegrationTests.scenarios.deletingLastPathComponent().appendingPathComponent("Fixtures/\(capture)"),
                to: daemon.state.appendingPathComponent(capture))
            #expect(try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"]).status == 0)
            let joined = try await MediaIntegrationTests().sipp(
                daemon, scenario: "ivr-join-rfc4733.xml", number: "1000", timeout: .seconds(60))
            #expect(joined.status == 0, "\(joined.standardOutput.suffix(2000))")
            // A caller into an e2ee meeting is refused by the bundled policy.
            #expect(
                try await daemon.ctl(["meeting", "create", "--id", "987654321", "--passcode", "4321", "--mode", "e2ee", "--tier", "paid"])
                    .status == 0)
            let refused = try await MediaIntegrationTests().sipp(daemon, scenario: "e2ee-refused.xml", number: "987654321*4321")
            #expect(refused.status == 0, "\(refused.standardOutput.suffix(2000))")

            // The records are written per call; the metrics as the events happen.
            var after: [String: Double] = [:]
            for _ in 0..<50 {
                after = try await Self.scrape(url)
                if after["dialgate_calls_active"] == 0, after["dialgate_calls_total{outcome=\"refused-e2ee\"}"] == 1 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let notFound = try await ExternalProcess.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url + "x"])
            await daemon.stop()

            #expect(after["dialgate_calls_started_total"] == 2, "\(after)")
            #expect(after["dialgate_calls_active"] == 0)
            #expect(after["dialgate_calls_total{outcome=\"completed\"}"] == 1)
            #expect(after["dialgate_calls_total{outcome=\"refused-e2ee\"}"] == 1)
            #expect(after["dialgate_call_setup_seconds_count"] == 2, "both were answered")
            #expect(after["dialgate_policy_decisions_total{decision=\"admit\"}"] == 1)
            #expect(after["dialgate_policy_decisions_total{decision=\"refused-e2ee\"}"] == 1)
            #expect(after["dialgate_dtmf_digits_total{source=\"rfc4733\"}"] == 15, "123456789#4321#")
            #expect((after["dialgate_media_packets_received_total"] ?? 0) > 50, "\(after)")
            #expect(after["dialgate_meetings{mode=\"standard\"}"] != nil && after["dialgate_meetings{mode=\"e2ee\"}"] != nil)
            #expect(notFound.standardOutput == "404")

            let lines = daemon.log.split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(!lines.isEmpty && objects.count == lines.count, "not JSON: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
            let digits = objects.filter { $0["msg"] == "digit" }
            #expect(digits.count == 15 && digits.allSatisfy { $0["via"] == "rfc4733" && $0["call"] != nil }, "\(digits.prefix(2))")
            #expect(objects.contains { $0["msg"] == "policy decision" && $0["decision"] == "refused-e2ee" })
        }
    }
}
