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

        /// `policy explain` against the real daemon and the bundled plan: an e2ee meeting refuses
        /// phones, naming the lines of `dialplans/default.dialplan` that say so; a standard one admits
        /// them; a plan reloaded with another tier setting answers differently at once.
        @Test func policyExplainWithoutPlacingACall() async throws {
            let plans = try SIPIntegrationTests.dialplanFolder()
            defer { try? FileManager.default.removeItem(at: plans) }
            let bundled = try String(contentsOfFile: Daemon.bundledDialplans + "/default.dialplan", encoding: .utf8)
            let daemon = try await Daemon.start(["--dialplans", plans.path])
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321", "--mode", "e2ee", "--tier", "paid"])
            _ = try await daemon.ctl(["meeting", "create", "--id", "987654321", "--passcode", "4321"])
            let e2ee = try await daemon.ctl(["policy", "explain", "--meeting", "123456789", "--caller", "+15551234567"])
            let json = try await daemon.ctlJSON(["policy", "explain", "--meeting", "123456789", "--caller", "+15551234567"])
            let standard = try await daemon.ctlJSON(["policy", "explain", "--meeting", "987654321", "--caller", "+15551234567"])
            let missing = try await daemon.ctl(["policy", "explain", "--meeting", "111111111", "--caller", "1"])
            let badTrunk = try await daemon.ctl(["policy", "explain", "--meeting", "123456789", "--caller", "1", "--trunk", "nope"])
            // The operator lets paid meetings hold phones in a lobby, and reloads.
            let edited = bundled.replacingOccurrences(
                of: "tier paid {\n    policy default\n}",
                with:
                    "tier paid {\n    policy default\n    phone-join lobby\n    lobby-timeout 45s\n}\ntier gold {\n    e2ee-creation deny\n}"
            )
            #expect(edited != bundled)
            try edited.write(
                to: plans.appendingPathComponent("default.dialplan"), atomically: true, encoding: .utf8)
            let reload = try await daemon.ctl(["reload"])
            let lobby = try await daemon.ctlJSON(["policy", "explain", "--meeting", "123456789", "--caller", "+15551234567"])
            // Who may create e2ee meetings follows the plan too.
            let gold = try await daemon.ctl(["meeting", "create", "--id", "555000111", "--mode", "e2ee", "--tier", "gold"])
            await daemon.stop()
            #expect(gold.standardError == "dialgatectl: bad request: the gold tier cannot create e2ee meetings\n")

            #expect(e2ee.status == 0, "\(e2ee.standardError)")
            #expect(e2ee.standardOutput.hasPrefix("meeting 123456789 (e2ee, tier paid, host not in, media RTP): refused-e2ee\n"))
            #expect(e2ee.standardOutput.contains("participants see the caller as: ••• 4567"))
            #expect(e2ee.standardOutput.contains("phone-join refuse  (policy default (of tier paid)"), "\(e2ee.standardOutput)")
            let policy = try #require(json["policy"] as? [String: Any])
            #expect(policy["outcome"] as? String == "refused-e2ee")
            let lines = policy["lines"] as? [[String: Any]] ?? []
            #expect(lines.contains { ($0["location"] as? String)?.contains("default.dialplan:") == true }, "\(lines)")
            #expect((standard["policy"] as? [String: Any])?["outcome"] as? String == "admit")
            #expect(missing.status == 1 && missing.standardError.contains("111111111"), "\(missing.standardError)")
            #expect(badTrunk.status == 1 && badTrunk.standardError.contains("unknown trunk 'nope'"), "\(badTrunk.standardError)")
            #expect(reload.status == 0, "\(reload.standardError)")
            let lobbyPolicy = try #require(lobby["policy"] as? [String: Any])
            #expect(lobbyPolicy["outcome"] as? String == "lobby" && lobbyPolicy["lobbySeconds"] as? Int == 45, "\(lobbyPolicy)")
        }

        /// `meeting create`, `meetings`, `meeting ID` and `reload` against the real daemon.
        @Test func meetingDirectoryAndReload() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "24680", "--host", "Alice"])
            let generated = try await daemon.ctlJSON(["meeting", "create", "--id", "55500011122", "--mode", "e2ee", "--tier", "paid"])
            let duplicate = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--mode", "e2ee", "--tier", "paid"])
            let freeE2EE = try await daemon.ctl(["meeting", "create", "--id", "123456781", "--mode", "e2ee"])
            let badKey = try await daemon.ctl(["meeting", "create", "--id", "123456782", "--host-key", "c2hvcnQ="])
            let badID = try await daemon.ctl(["meeting", "create", "--id", "12ab"])
            let badMode = try await daemon.ctl(["meeting", "create", "--id", "123456780", "--mode", "hybrid"])
            let list = try await daemon.ctl(["meetings"])
            let listJSON = try await daemon.ctlJSON(["meetings"])
            let one = try await daemon.ctl(["meeting", "123456789"])
            // Global options after the subcommand, and the explicit `show` form.
            let oneJSON = try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgatectl").path,
                ["meeting", "show", "123456789", "--json", "--socket", daemon.socket])
            let missing = try await daemon.ctl(["meeting", "987654321"])
            let reload = try await daemon.ctl(["reload"])
            let reloadJSON = try await daemon.ctl(["--json", "reload"])
            await daemon.stop()

            #expect(created.status == 0, "\(created.standardError)")
            #expect(created.standardOutput == "created meeting 123456789 (passcode 24680, standard, tier free, host Alice)\n")

            let meeting = try #require(generated["meeting"] as? [String: Any])
            let passcode = try #require(meeting["passcode"] as? String)
            #expect(passcode.count == 6 && passcode.allSatisfy(\.isNumber), "generated passcode \(passcode)")
            #expect(meeting["mode"] as? String == "e2ee")
            #expect(meeting["tier"] as? String == "paid")

            #expect(duplicate.status == 1)
            #expect(duplicate.standardError == "dialgatectl: meeting 123456789 already exists\n")
            #expect(badKey.standardError == "dialgatectl: bad request: hostKey must be the host's 32-byte signing key in base64\n")
            #expect(freeE2EE.status == 1)
            #expect(freeE2EE.standardError == "dialgatectl: bad request: the free tier cannot create e2ee meetings\n")
            #expect(badID.status == 1)
            #expect(badID.standardError.contains("meeting ID must be 9 to 11 digits"))
            #expect(badID.standardError.split(separator: "\n").count == 1)
            #expect(badMode.status == 1)
            #expect(badMode.standardError.contains("mode must be standard or e2ee"))

            #expect(list.status == 0)
            let lines = list.standardOutput.split(separator: "\n")
            #expect(
                lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["ID", "MODE", "TIER", "HOST", "CREATED", "LOCKED"])
            #expect(lines.count == 3)
            #expect(list.standardOutput.contains("123456789"))
            #expect(list.standardOutput.contains("55500011122"))
            #expect(!list.standardOutput.contains("24680"), "meetings must not show passcodes")
            #expect(!list.standardOutput.contains(passcode), "meetings must not show passcodes")
            let listed = try #require(listJSON["meetings"] as? [[String: Any]])
            #expect(listed.map { $0["id"] as? String } == ["123456789", "55500011122"])
            #expect(listed.allSatisfy { $0["passcode"] == nil })

            #expect(one.status == 0)
            #expect(one.standardOutput.contains("passcode: 24680"))
            #expect(one.standardOutput.contains("host:     Alice"))
            #expect(oneJSON.status == 0, "\(oneJSON.standardError)")
            let shown = try JSONSerialization.jsonObject(with: Data(oneJSON.standardOutput.utf8)) as? [String: Any]
            #expect((shown?["meeting"] as? [String: Any])?["passcode"] as? String == "24680")
            #expect(missing.status == 1)
            #expect(missing.standardError == "dialgatectl: no meeting 987654321 (see 'dialgatectl meetings')\n")

            // The bundled folder reloads cleanly; each accepted reload is a new version.
            #expect(reload.status == 0, "\(reload.standardError)")
            #expect(reload.standardOutput == "dialplans reloaded: 1 files, 5 routes, 1 trunks (version 2)\n")
            #expect(reloadJSON.status == 0)
            let reloaded = try JSONSerialization.jsonObject(with: Data(reloadJSON.standardOutput.utf8)) as? [String: Any]
            #expect((reloaded?["reload"] as? [String: Any])?["accepted"] as? Bool == true)
            #expect((reloaded?["reload"] as? [String: Any])?["version"] as? Int == 3)
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
            let tlsWithoutCertificate = try await ExternalProcess.run(
                dialgate, ["serve", "--sip-tls", "127.0.0.1:5061"], timeout: .seconds(20))
            let badNumber = try await ExternalProcess.run(dialgate, ["serve", "--max-calls", "0"], timeout: .seconds(20))
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-\(UUID().uuidString).yaml")
            try "sip: 127.0.0.1:0\nmax-cals: 10\nsrtp: sometimes\n".write(to: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: config) }
            let badFile = try await ExternalProcess.run(dialgate, ["serve", "--config", config.path], timeout: .seconds(20))
            let noFolder = try await ExternalProcess.run(
                dialgate,
                ["serve", "--sip", "127.0.0.1:0", "--dialplans", "/nonexistent-\(UUID().uuidString)", "--state", NSTemporaryDirectory()],
                timeout: .seconds(20))
            #expect(badAddress.status != 0)
            #expect(badAddress.standardError.contains("HOST:PORT"))
            // SIP over TLS needs its certificate and key: one line saying so.
            #expect(tlsWithoutCertificate.status != 0)
            #expect(
                tlsWithoutCertificate.standardError.contains("--sip-tls needs --tls-cert and --tls-key"),
                "\(tlsWithoutCertificate.standardError)")
            #expect(
                badNumber.status != 0 && badNumber.standardError.contains("--max-calls must be a whole number from 1 to 1000000, not '0'"))
            // Every mistake of a settings file, each with its place; the daemon does not start.
            #expect(badFile.status != 0)
            #expect(
                badFile.standardError.contains("\(config.path):2:1: unknown key 'max-cals' (did you mean 'max-calls'?)"),
                "\(badFile.standardError)")
            #expect(
                badFile.standardError.contains("\(config.path):3:7: srtp must be one of forbidden, optional, mandatory, not 'sometimes'"))
            #expect(noFolder.status != 0)
            #expect(noFolder.standardError.contains("dialplan folder"))
        }

        /// Under sipp load (30 calls to the echo number, 10 a second, each held 2 s), `calls --json`
        /// shows the calls in progress as answered, and `history --json` then has every one of them,
        /// completed, with the numbers sipp used.
        @Test func callsAndHistoryMatchWhatASippLoadDid() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            async let load = SIPIntegrationTests().sipp(
                daemon, ["-sn", "uac", "-s", "1001", "-r", "10", "-m", "30", "-d", "2000", "-l", "40"], timeout: .seconds(60))
            var peak: [[String: Any]] = []
            for _ in 0..<40 {
                try await Task.sleep(for: .milliseconds(100))
                let live = try await daemon.ctlJSON(["calls"])["calls"] as? [[String: Any]] ?? []
                if live.count > peak.count { peak = live }
            }
            let sipp = try await load
            let history = try await daemon.ctlJSON(["history", "--limit", "100"])["history"] as? [[String: Any]] ?? []
            let live = try await daemon.ctlJSON(["calls"])["calls"] as? [[String: Any]] ?? []
            await daemon.stop()
            #expect(sipp.status == 0, "\(sipp.standardOutput.suffix(1500))")
            // 10 calls a second held 2 s: about 20 at once.
            #expect(peak.count >= 10 && peak.count <= 30, "peak \(peak.count)")
            #expect(
                peak.allSatisfy { $0["called"] as? String == "1001" && ["answered", "ringing", "ending"].contains($0["state"] as? String) })
            #expect(live.isEmpty, "\(live)")
            #expect(history.count == 30, "\(history.count) records")
            #expect(
                history.allSatisfy { $0["outcome"] as? String == "completed" && $0["called"] as? String == "1001" }, "\(history.prefix(2))")
            #expect(Set(history.compactMap { $0["sipCallID"] as? String }).count == 30, "one record per call")
        }

        /// An operator's view of one real call (sipp through the 1000 IVR, digits as SIP INFO typed
        /// ahead): `calls` while it is in the meeting (state, masked caller, meeting, mode, filters),
        /// then `call ID` of its record: the timeline of SIP messages, dialplan steps with their
        /// `file:line:column`, the digits with the passcode nowhere, the policy decision, the end.
        @Test func callTimelineOfARealIVRCall() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            async let call = MediaIntegrationTests().sipp(daemon, scenario: "ivr-join.xml", number: "1000", timeout: .seconds(60))
            var inMeeting: [String: Any]?
            for _ in 0..<100 where inMeeting == nil {
                try await Task.sleep(for: .milliseconds(100))
                let live = try await daemon.ctlJSON(["calls", "--state", "in-meeting"])["calls"] as? [[String: Any]] ?? []
                inMeeting = live.first
            }
            let table = try await daemon.ctl(["calls"])
            let filteredOut = try await daemon.ctlJSON(["calls", "--meeting", "987654321"])["calls"] as? [[String: Any]]
            let result = try await call
            #expect(result.status == 0, "\(result.standardOutput.suffix(1500))")
            let id = try #require(inMeeting?["id"] as? String, "the call was never listed in the meeting")
            #expect(inMeeting?["meeting"] as? String == "123456789" && inMeeting?["meetingMode"] as? String == "standard")
            #expect(inMeeting?["callerShown"] as? String == "•••", "a short number is masked whole: \(inMeeting ?? [:])")
            #expect(filteredOut?.isEmpty == true)
            #expect(table.standardOutput.contains("MODE") && table.standardOutput.contains("in-meeting"), "\(table.standardOutput)")
            #expect(table.standardOutput.contains("•••") && !table.standardOutput.contains(" sipp "), "\(table.standardOutput)")

            let record = try #require(try await daemon.ctlJSON(["call", id])["call"] as? [String: Any])
            let human = try await daemon.ctl(["call", id])
            await daemon.stop()
            let timeline = try #require(record["timeline"] as? [[String: Any]], "\(record)")
            let lines = timeline.map { "\($0["kind"] as? String ?? "?") \($0["text"] as? String ?? "?")" }
            #expect(lines.first?.hasPrefix("received INVITE sip:1000@") == true, "\(lines)")
            #expect(lines.contains("sent 200 OK (INVITE) (SDP)"), "\(lines)")
            #expect(lines.contains("dialplan collected meeting_id: 123456789 (9 digits)"), "\(lines)")
            #expect(lines.contains("dialplan check-passcode: accepted"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("policy admit for meeting 123456789 (standard)") }, "\(lines)")
            #expect(lines.contains("meeting in the meeting 123456789"), "\(lines)")
            #expect(lines.filter { $0.hasPrefix("digit ") }.count == 15, "\(lines)")
            #expect(!lines.contains { $0.contains("4321") }, "the passcode appears nowhere: \(lines)")
            #expect(lines.last?.hasPrefix("call ended: completed, BYE from caller") == true, "\(lines)")
            let answer = try #require(timeline.first { $0["text"] as? String == "answer" })
            let location = try #require(answer["location"] as? String)
            #expect(location.hasSuffix("/default.dialplan:26:5"), "the answer step of route meeting-entry: \(location)")
            #expect(human.standardOutput.contains("timeline:"), "\(human.standardOutput)")
            let inviteLine = human.standardOutput.split(separator: "\n").first { $0.contains("INVITE sip:1000@") }
            #expect(inviteLine?.contains("+0.000s  <-") == true, "\(human.standardOutput)")
        }

        /// `export`: every recorded call as CSV (a header, then one record each) or JSON lines, after
        /// real calls (sipp: three calls to a number the plan does not have, each 404).
        @Test func exportPrintsEveryRecordAsCSVOrJSONLines() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let sipp = try await SIPIntegrationTests().sipp(
                daemon, ["-sf", SIPIntegrationTests.scenarios.appendingPathComponent("not-found.xml").path, "-s", "5550100", "-m", "3"])
            #expect(sipp.status == 0, "\(sipp.standardOutput.suffix(1000))")
            let csv = try await daemon.ctl(["export"])
            let jsonl = try await daemon.ctl(["export", "--format", "jsonl", "--outcome", "rejected"])
            let none = try await daemon.ctl(["export", "--until", "2000-01-01"])
            await daemon.stop()
            let lines = csv.standardOutput.split(separator: "\n")
            #expect(csv.status == 0 && lines.count == 4, "\(csv.standardOutput) \(csv.standardError)")
            #expect(lines.first?.hasPrefix("id,sip_call_id,started_at,") == true)
            #expect(lines.dropFirst().allSatisfy { $0.contains(",5550100,") && $0.contains(",rejected,") }, "\(lines)")
            let objects = jsonl.standardOutput.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(
                objects.count == 3 && objects.allSatisfy { $0["outcome"] as? String == "rejected" && $0["called"] as? String == "5550100" })
            #expect(none.standardOutput.split(separator: "\n").count == 1, "only the header: \(none.standardOutput)")
        }

        /// `calls --watch` in a real terminal (tmux): the table is drawn, shows a call while baresip
        /// is on the echo number (state in colour), and is redrawn without it once the call ends.
        @Test func callsWatchRedrawsTheTableInATerminal() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let session = "dgwatch-\(UUID().uuidString.prefix(8))"
            let ctl = Daemon.productsDirectory.appendingPathComponent("dialgatectl").path
            let started = try await Tmux.run(
                ["new-session", "-d", "-s", session, "-x", "200", "-y", "30", "\(ctl) --socket \(daemon.socket) calls --watch"])
            #expect(started.status == 0)
            /// The pane as it is now, escape sequences (colours) included.
            func pane() async throws -> String {
                try await Tmux.run(["capture-pane", "-p", "-e", "-t", session]).output
            }
            func wait(for text: String) async throws -> String {
                var screen = ""
                for _ in 0..<100 {
                    screen = try await pane()
                    if screen.contains(text) { return screen }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return screen
            }
            let idle = try await wait(for: "0 live calls")
            #expect(idle.contains("dialgate: 0 live calls"), "\(idle)")

            async let call = Baresip.call(uri: "sip:1001@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, duration: .seconds(6))
            let busy = try await wait(for: "1 live call ")
            let finished = try await call
            defer { finished.cleanUp() }
            let after = try await wait(for: "0 live calls")
            _ = try await Tmux.run(["kill-session", "-t", session])
            await daemon.stop()

            #expect(busy.contains("ID") && busy.contains("STATE") && busy.contains("DURATION") && busy.contains("MOS"), "\(busy)")
            #expect(busy.contains("1001") && busy.contains("PCMU"), "\(busy)")
            #expect(busy.contains("\u{1B}[36manswered") || busy.contains("\u{1B}[32m"), "the state in colour: \(busy.debugDescription)")
            #expect(after.contains("dialgate: 0 live calls") && !after.contains("PCMU"), "redrawn without the call: \(after)")
            #expect(finished.established, "\(finished.log.suffix(1000))")
        }

        /// `--config`: the file's settings apply (here its log format), and flags win over it (the
        /// harness's own `--sip`, `--state`, `--dialplans`).
        @Test func aSettingsFileIsApplied() async throws {
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-\(UUID().uuidString).yaml")
            try "# test settings\nsip: 127.0.0.1:1\nlog-format: json\nmax-calls: 7\n".write(to: config, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: config) }
            let daemon = try await Daemon.start(["--config", config.path])
            defer { daemon.cleanUp() }
            #expect(daemon.sipPort != 1, "the flag --sip 127.0.0.1:0 wins over the file")
            await daemon.stop()
            let lines = daemon.log.split(separator: "\n")
            #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("{\"ts\":") }, "\(lines.prefix(3))")
        }

        /// A broken plan is refused as a whole with file:line:column errors, and the old plan keeps
        /// serving; a good one is then accepted.
        @Test func brokenReloadKeepsTheOldPlan() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-reload-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let plan = folder.appendingPathComponent("default.dialplan")
            let bundled = try String(contentsOfFile: Daemon.bundledDialplans + "/default.dialplan", encoding: .utf8)
            try bundled.write(to: plan, atomically: true, encoding: .utf8)
            let daemon = try await Daemon.start(["--dialplans", folder.path])
            defer { daemon.cleanUp() }
            do {
                try "route broken {\n    match called 2000\n    anwser\n}\n".write(
                    to: folder.appendingPathComponent("broken.dialplan"), atomically: true, encoding: .utf8)
                let refused = try await daemon.ctl(["reload"])
                #expect(refused.status == 1)
                #expect(refused.standardError.contains("broken.dialplan:3:5:"), "\(refused.standardError)")
                #expect(refused.standardError.contains("reload refused: the previous dialplan stays active"))
                let status = try await daemon.ctlJSON(["status"])
                #expect(status["status"] != nil)
                try FileManager.default.removeItem(at: folder.appendingPathComponent("broken.dialplan"))
                let afterRefusal = try #require(try await daemon.ctlJSON(["status"])["status"] as? [String: Any])
                let planAfterRefusal = try #require(afterRefusal["dialplan"] as? [String: Any])
                let refusal = try #require(planAfterRefusal["lastReload"] as? [String: Any])
                #expect(planAfterRefusal["version"] as? Int == 1)
                #expect(refusal["accepted"] as? Bool == false && refusal["trigger"] as? String == "dialgatectl reload")
                #expect((refusal["errors"] as? [String])?.first?.contains("broken.dialplan:3:5:") == true, "\(refusal)")
                let humanStatus = try await daemon.ctl(["status"])
                #expect(humanStatus.standardOutput.contains("last reload:"), "\(humanStatus.standardOutput)")
                #expect(humanStatus.standardOutput.contains("refused, 1 errors: "), "\(humanStatus.standardOutput)")
                let accepted = try await daemon.ctl(["reload"])
                #expect(accepted.status == 0, "\(accepted.standardError)")
                #expect(accepted.standardOutput.contains("(version 2)"), "the refused reload did not count")
                // The same files: the same fingerprints. A policy edit changes the policy's.
                let same = try #require(try await daemon.ctlJSON(["status"])["status"] as? [String: Any])["dialplan"] as? [String: Any]
                #expect(same?["version"] as? Int == 2)
                #expect(same?["fingerprint"] as? String == planAfterRefusal["fingerprint"] as? String)
                #expect(same?["policyFingerprint"] as? String == planAfterRefusal["policyFingerprint"] as? String)
                #expect((same?["lastReload"] as? [String: Any])?["accepted"] as? Bool == true)
                try (bundled + "\ntier gold {\n    policy default\n}\n").write(to: plan, atomically: true, encoding: .utf8)
                _ = try await daemon.ctl(["reload"])
                let edited = try #require(try await daemon.ctlJSON(["status"])["status"] as? [String: Any])["dialplan"] as? [String: Any]
                #expect(edited?["version"] as? Int == 3)
                #expect(edited?["policyFingerprint"] as? String != planAfterRefusal["policyFingerprint"] as? String)
                #expect(edited?["tiers"] as? Int == (planAfterRefusal["tiers"] as? Int ?? 0) + 1)
            }
        }
    }
}
