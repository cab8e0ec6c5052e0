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

        /// A folder holding the bundled plan (so the IVR and echo numbers work), changed by `edit`
        /// when a test needs a route before the catch-all or a tier set otherwise, and `extra` as
        /// `extra.dialplan`; the caller removes it.
        static func dialplanFolder(extra: String? = nil, editing edit: (String) -> String = { $0 }) throws -> URL {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-plans-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let bundled = try String(contentsOfFile: Daemon.bundledDialplans + "/default.dialplan", encoding: .utf8)
            let plan = edit(bundled)
            try plan.write(to: folder.appendingPathComponent("default.dialplan"), atomically: true, encoding: .utf8)
            if let extra { try extra.write(to: folder.appendingPathComponent("extra.dialplan"), atomically: true, encoding: .utf8) }
            return folder
        }

        /// sipp answers the gateway's digest challenge (MD5 with qop=auth, what sipp 3.6
        /// computes) from -au/-ap: the right password gets the call, a wrong one 403, a record
        /// and one security line with the source address.
        @Test func digestAuthenticationWithSipp() async throws {
            let plan = """
                trunk authenticated-pbx {
                    from 127.0.0.2
                    auth {
                        realm "dialgate.test"
                        algorithms md5
                        user "sipp" password "right-password"
                    }
                }
                """
            let folder = try Self.dialplanFolder(extra: plan)
            defer { try? FileManager.default.removeItem(at: folder) }
            let daemon = try await Daemon.start(["--dialplans", folder.path])
            defer { daemon.cleanUp() }
            // 127.0.0.2 belongs to the authenticated trunk (the bundled loopback trunk keeps the rest
            // of 127.0.0.0/8: the narrower range wins).
            let scenario = Self.scenarios.appendingPathComponent("digest-auth.xml").path
            func call(password: String) async throws -> ProcessResult {
                try await ExternalProcess.run(
                    "sipp",
                    [
                        "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.2", "-sf", scenario, "-s", "1001", "-m", "1", "-au", "sipp", "-ap",
                        password, "-nostdin", "-timeout", "25s", "-timeout_error",
                    ], timeout: .seconds(30), currentDirectory: daemon.state)
            }
            let right = try await call(password: "right-password")
            let wrong = try await call(password: "wrong-password")
            let records = try await history(daemon)
            await daemon.stop()
            #expect(right.status == 0, "\(right.standardOutput.suffix(3000))\n\(daemon.log.suffix(3000))")
            #expect(wrong.status == 0, "\(wrong.standardOutput.suffix(3000))\n\(daemon.log.suffix(3000))")
            let outcomes = records.map { ($0["outcome"] as? String ?? "", $0["trunk"] as? String ?? "") }
            #expect(outcomes.contains { $0 == ("completed", "authenticated-pbx") }, "\(records)")
            #expect(records.contains { ($0["endReason"] as? String)?.hasPrefix("403") == true }, "\(records)")
            let security = daemon.log.split(separator: "\n").filter { $0.contains("security:") && $0.contains("wrong response for user") }
            #expect(security.count == 1 && security[0].contains("127.0.0.2"), "\(daemon.log.suffix(3000))")
        }

        /// Reloads under load: while sipp places 50 calls a second, a broken plan is refused and a
        /// good one accepted, and no call fails or is dropped by either; new calls follow the new
        /// plan (its number 1009 answers).
        @Test func reloadsUnderLoadLoseNoCall() async throws {
            let folder = try Self.dialplanFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let daemon = try await Daemon.start(["--dialplans", folder.path])
            defer { daemon.cleanUp() }
            async let load = sipp(daemon, ["-sn", "uac", "-s", "1001", "-m", "400", "-r", "50", "-d", "500"], timeout: .seconds(90))
            try await Task.sleep(for: .seconds(2))
            let broken = folder.appendingPathComponent("broken.dialplan")
            try "route broken {\n    match called 2000\n    anwser\n}\n".write(to: broken, atomically: true, encoding: .utf8)
            let refused = try await daemon.ctl(["reload"])
            try FileManager.default.removeItem(at: broken)
            try await Task.sleep(for: .seconds(1))
            // Files load in name order, so this route comes before the bundled catch-all 404.
            try "route extra-echo {\n    match called 1009\n    answer\n    echo\n}\n".write(
                to: folder.appendingPathComponent("00-extra.dialplan"), atomically: true, encoding: .utf8)
            let accepted = try await daemon.ctl(["reload"])
            let newNumber = try await sipp(daemon, ["-sn", "uac", "-s", "1009", "-m", "1"], timeout: .seconds(30))
            let result = try await load
            let records = try await history(daemon)
            await daemon.stop()
            #expect(refused.status == 1 && refused.standardError.contains("broken.dialplan:3:5:"), "\(refused.standardError)")
            #expect(accepted.status == 0 && accepted.standardOutput.contains("(version 2)"), "\(accepted.standardError)")
            #expect(result.status == 0, "sipp reported failed calls:\n\(result.standardOutput.suffix(3000))")
            #expect(newNumber.status == 0, "the reloaded plan's 1009 did not answer:\n\(newNumber.standardOutput.suffix(2000))")
            #expect(records.count == 401)
            #expect(records.allSatisfy { $0["outcome"] as? String == "completed" })
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
            #expect(result.standardOutput.contains("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK"))
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
