import Foundation
import Testing

extension LoopbackIntegration {
    /// The real daemon on loopback (port 0) driven by real SIP peers: sipp (Debian `sip-tester`) and
    /// sipsak. Serialized: each test runs its own daemon, and 2 cores are better spent on one load
    /// test at a time.
    @Suite(.serialized)
    struct SIPIntegrationTests {
        static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")

        func sipp(_ daemon: Daemon, _ arguments: [String], timeout: Duration = .seconds(120)) async throws -> ProcessResult {
            try await ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-nostdin", "-timeout", "\(Int(timeout.components.seconds) - 5)s",
                    "-timeout_error",
                ]
                    + arguments,
                timeout: timeout, currentDirectory: daemon.state)
        }

        func history(_ daemon: Daemon, limit: Int = 1000) async throws -> [[String: Any]] {
            try await daemon.ctlJSON(["history", "--limit", "\(limit)"])["history"] as? [[String: Any]] ?? []
        }

        @Test func thousandCallsOverUDPWithSippUAC() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(
                daemon, ["-sn", "uac", "-s", "1000", "-m", "1000", "-r", "100", "-d", "200"], timeout: .seconds(90))
            let records = try await history(daemon)
            await daemon.stop()
            #expect(result.status == 0, "sipp reported failed calls:\n\(result.standardOutput.suffix(3000))\n\(daemon.log.suffix(2000))")
            #expect(records.count == 1000)
            #expect(records.allSatisfy { $0["outcome"] as? String == "completed" && $0["hungUpBy"] as? String == "caller" })
        }

        @Test func callsOverTCPWithSippUAC() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, ["-sn", "uac", "-t", "t1", "-s", "1001", "-m", "100", "-r", "50"])
            let records = try await history(daemon)
            await daemon.stop()
            #expect(result.status == 0, "sipp over TCP failed:\n\(result.standardOutput.suffix(3000))\n\(daemon.log.suffix(2000))")
            #expect(records.count == 100)
            #expect(records.allSatisfy { $0["transport"] as? String == "tcp" && $0["outcome"] as? String == "completed" })
        }

        @Test func optionsPingFromSipsak() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            // sipsak sends OPTIONS and exits 0 on a 200 (its trunk keep-alive use).
            let result = try await ExternalProcess.run(
                "sipsak", ["-vv", "-s", "sip:ping@127.0.0.1:\(daemon.sipPort)"], timeout: .seconds(30))
            await daemon.stop()
            #expect(result.status == 0, "sipsak: \(result.standardOutput) \(result.standardError)")
            #expect(result.standardOutput.contains("200 OK"))
            #expect(result.standardOutput.contains("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"))
        }

        @Test func cancelBeforeAnswer() async throws {
            let daemon = try await Daemon.start(["--ring-time", "10000"])
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, ["-sf", Self.scenarios.appendingPathComponent("cancel.xml").path, "-s", "1000", "-m", "1"])
            let records = try await history(daemon)
            await daemon.stop()
            #expect(result.status == 0, "cancel scenario failed:\n\(result.standardOutput.suffix(3000))\n\(daemon.log.suffix(2000))")
            #expect(records.first?["outcome"] as? String == "cancelled")
            #expect(records.first?["answeredAt"] == nil)
        }

        @Test func unknownNumberIsNotFound() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(
                daemon, ["-sf", Self.scenarios.appendingPathComponent("not-found.xml").path, "-s", "5550100", "-m", "1"])
            let records = try await history(daemon)
            await daemon.stop()
            #expect(result.status == 0, "not-found scenario failed:\n\(result.standardOutput.suffix(3000))")
            #expect(records.first?["outcome"] as? String == "rejected")
            #expect((records.first?["endReason"] as? String)?.hasPrefix("404 Not Found") == true)
        }

        @Test func holdAndResumeByReinvite() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(
                daemon, ["-sf", Self.scenarios.appendingPathComponent("hold-resume.xml").path, "-s", "1001", "-m", "1"])
            await daemon.stop()
            #expect(result.status == 0, "hold/resume scenario failed:\n\(result.standardOutput.suffix(3000))\n\(daemon.log.suffix(2000))")
        }

        @Test func operatorHangupSendsBye() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            async let sippResult = sipp(
                daemon, ["-sf", Self.scenarios.appendingPathComponent("bye-from-gateway.xml").path, "-s", "1000", "-m", "1"],
                timeout: .seconds(60))
            // Wait for the call to be answered, as `dialgatectl calls --json` shows it.
            var live: [[String: Any]] = []
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(20))
            while clock.now < deadline {
                live = try await daemon.ctlJSON(["calls"])["calls"] as? [[String: Any]] ?? []
                if live.first?["state"] as? String == "answered" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let call = try #require(live.first, "no live call appeared:\n\(daemon.log)")
            #expect(call["called"] as? String == "1000")
            #expect(call["route"] as? String == "meeting-entry")
            #expect((call["sipCallID"] as? String)?.isEmpty == false)
            let id = try #require(call["id"] as? String)
            let hangup = try await daemon.ctl(["hangup", id])
            #expect(hangup.status == 0, "\(hangup.standardError)")
            let result = try await sippResult
            // The ended call is in the history with who hung up.
            let records = try await history(daemon)
            let stillLive = try await daemon.ctlJSON(["calls"])["calls"] as? [Any] ?? []
            await daemon.stop()
            #expect(stillLive.isEmpty)
            #expect(
                result.status == 0,
                "sipp did not get a BYE with a Reason:\n\(result.standardOutput.suffix(3000))\n\(daemon.log.suffix(2000))")
            let record = try #require(records.first { $0["id"] as? String == id })
            #expect(record["hungUpBy"] as? String == "operator")
            #expect(record["outcome"] as? String == "completed")
        }

        @Test func retransmittedInviteMakesNoSecondDialog() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let probe = try UDPProbe()
            let invite = Self.invite(to: "1001", port: daemon.sipPort, from: probe.localPort, callID: "retransmit-\(UUID().uuidString)")
            probe.send(invite, toPort: daemon.sipPort)
            let first = probe.drain()
            probe.send(invite, toPort: daemon.sipPort)  // the same INVITE again, as after a lost 200
            let second = probe.drain()
            let live = try await daemon.ctlJSON(["calls"])["calls"] as? [[String: Any]] ?? []
            await daemon.stop()
            #expect(first.contains { $0.hasPrefix("SIP/2.0 200 OK") })
            // The retransmission is absorbed by the transaction: at most the 2xx again, never a new call.
            #expect(second.allSatisfy { $0.hasPrefix("SIP/2.0 200 OK") })
            // 100 Trying carries no tag (RFC 3261 §8.2.6.2); every 2xx must carry the same one.
            let toTags = Set((first + second).filter { $0.hasPrefix("SIP/2.0 200") }.compactMap { Self.header("To", in: $0) })
            #expect(toTags.count == 1, "one dialog, one To tag: \(toTags)")
            #expect(live.count == 1)
        }

        @Test func tortureMessagesNeverBringTheDaemonDown() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("SIPTests/Vectors/RFC4475")
            let files = try FileManager.default.contentsOfDirectory(atPath: vectors.path).filter { $0.hasSuffix(".dat") }.sorted()
            #expect(files.count == 50)
            let probe = try UDPProbe()
            for file in files {
                probe.send(Array(try Data(contentsOf: vectors.appendingPathComponent(file))), toPort: daemon.sipPort)
            }
            _ = probe.drain()
            // Still answering, over UDP and TCP.
            let ping = try await ExternalProcess.run("sipsak", ["-s", "sip:ping@127.0.0.1:\(daemon.sipPort)"], timeout: .seconds(20))
            let tcp = try await sipp(daemon, ["-sn", "uac", "-t", "t1", "-s", "1001", "-m", "5", "-r", "10"])
            let stopped = await daemon.stop()
            #expect(ping.status == 0)
            #expect(tcp.status == 0)
            #expect(stopped == 0, "the daemon did not exit cleanly on SIGTERM:\n\(daemon.log.suffix(2000))")
        }

        static func invite(to number: String, port: Int, from localPort: Int, callID: String) -> [UInt8] {
            let sdp =
                "v=0\r\no=probe 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
            let message = """
                INVITE sip:\(number)@127.0.0.1:\(port) SIP/2.0\r
                Via: SIP/2.0/UDP 127.0.0.1:\(localPort);branch=z9hG4bK-probe-\(callID);rport\r
                Max-Forwards: 70\r
                From: <sip:probe@127.0.0.1:\(localPort)>;tag=probe1\r
                To: <sip:\(number)@127.0.0.1:\(port)>\r
                Call-ID: \(callID)\r
                CSeq: 1 INVITE\r
                Contact: <sip:probe@127.0.0.1:\(localPort)>\r
                Content-Type: application/sdp\r
                Content-Length: \(sdp.utf8.count)\r
                \r
                \(sdp)
                """
            return Array(message.utf8)
        }

        static func header(_ name: String, in message: String) -> String? {
            message.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ":") }
        }
    }
}
