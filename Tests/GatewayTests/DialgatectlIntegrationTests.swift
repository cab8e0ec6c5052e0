import Foundation
import Testing

extension LoopbackIntegration {
    /// `dialgatectl` as operators use it: human tables, global options before or after the
    /// subcommand, and one-line errors with a non-zero exit.
    @Suite(.serialized)
    struct DialgatectlIntegrationTests {
        @Test func humanOutputAndOptionPlacement() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let status = try await daemon.ctl(["status"])
            let calls = try await daemon.ctl(["calls"])
            let jsonAfter = try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgatectl").path, ["status", "--json", "--socket", daemon.socket])
            let missing = try await daemon.ctl(["call", "c000000"])
            await daemon.stop()
            #expect(status.status == 0)
            #expect(status.standardOutput.contains("sip-udp"))
            #expect(status.standardOutput.contains("127.0.0.1:\(daemon.sipPort)"))
            #expect(calls.status == 0)
            #expect(jsonAfter.status == 0, "global options after the subcommand: \(jsonAfter.standardError)")
            let object = try JSONSerialization.jsonObject(with: Data(jsonAfter.standardOutput.utf8)) as? [String: Any]
            #expect(object?["status"] != nil)
            #expect(missing.status != 0)
            #expect(missing.standardError.hasPrefix("dialgatectl: "))
            #expect(missing.standardError.split(separator: "\n").count == 1)
        }

        @Test func noDaemonIsAOneLineErrorNotACrash() async throws {
            let socket = FileManager.default.temporaryDirectory.appendingPathComponent("nothing-\(UUID().uuidString).sock").path
            let result = try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgatectl").path, ["--socket", socket, "calls"])
            #expect(result.status != 0)
            #expect(result.standardError.contains("cannot connect"))
            #expect(result.standardError.split(separator: "\n").count == 1)
        }

        @Test func daemonRefusesBadFlagsWithOneLine() async throws {
            let dialgate = Daemon.productsDirectory.appendingPathComponent("dialgate").path
            let badAddress = try await ExternalProcess.run(dialgate, ["serve", "--sip", "nonsense"], timeout: .seconds(20))
            let later = try await ExternalProcess.run(dialgate, ["serve", "--metrics", "127.0.0.1:9090"], timeout: .seconds(20))
            let noFolder = try await ExternalProcess.run(
                dialgate,
                ["serve", "--sip", "127.0.0.1:0", "--dialplans", "/nonexistent-\(UUID().uuidString)", "--state", NSTemporaryDirectory()],
                timeout: .seconds(20))
            #expect(badAddress.status != 0)
            #expect(badAddress.standardError.contains("HOST:PORT"))
            #expect(later.status != 0)
            #expect(later.standardError.contains("--metrics is not available"))
            #expect(noFolder.status != 0)
            #expect(noFolder.standardError.contains("dialplan folder"))
        }
    }
}
