import Foundation
import Testing

extension LoopbackIntegration {
    /// Session timers (RFC 4028), UPDATE (RFC 3311) and PRACK with 100rel early media (RFC 3262)
    /// against sipp. The four scenarios run at once against one daemon: the timer cases need real
    /// time (Session-Expires is at least 90 s, so the gateway refreshes at 45 s and gives up at 60 s).
    @Suite(.serialized)
    struct SessionRefreshIntegrationTests {
        @Test func sessionTimersUpdateAndReliableEarlyMediaWithSipp() async throws {
            // A route with early media (the prompt before answer some carriers need), before the
            // catch-all; media timeout long enough for a call without RTP to outlive the timers.
            let plans = try SIPIntegrationTests.dialplanFolder {
                $0.replacingOccurrences(
                    of: "route not-found {",
                    with: "route early {\n    match called 2000\n    early-media welcome\n    answer\n    echo\n}\n\nroute not-found {")
            }
            defer { try? FileManager.default.removeItem(at: plans) }
            let daemon = try await Daemon.start(["--dialplans", plans.path, "--media-timeout", "600"])
            defer { daemon.cleanUp() }
            let media = MediaIntegrationTests()
            async let refresh = media.sipp(daemon, scenario: "session-timer-refresh.xml", number: "1001", timeout: .seconds(80))
            async let expiry = media.sipp(daemon, scenario: "session-timer-expiry.xml", number: "1001", timeout: .seconds(90))
            async let update = media.sipp(daemon, scenario: "update.xml", number: "1001", timeout: .seconds(30))
            async let prack = media.sipp(daemon, scenario: "prack-early-media.xml", number: "2000", timeout: .seconds(30))
            let results = try await [("refresh", refresh), ("expiry", expiry), ("update", update), ("prack", prack)]
            let history = try await SIPIntegrationTests().history(daemon)
            await daemon.stop()
            for (name, result) in results {
                #expect(result.status == 0, "\(name):\n\(result.standardOutput.suffix(2500))\n\(daemon.log.suffix(2000))")
            }
            // The call sipp never refreshed was ended by the gateway's session timer.
            let ended = history.filter { $0["hungUpBy"] as? String == "gateway" }
            #expect(ended.count == 1, "\(history)")
            #expect((ended.first?["endReason"] as? String)?.contains("session timer expired") == true, "\(ended)")
            #expect(history.count == 4 && history.allSatisfy { $0["outcome"] as? String == "completed" }, "\(history)")
        }
    }
}
