import Foundation
import Media
import Testing

extension LoopbackIntegration {
    /// The media path against real peers: sipp playing captured RTP, SIP INFO digits, the no-media
    /// timer, and what 1002 plays (heard by baresip).
    @Suite(.serialized)
    struct MediaIntegrationTests {
        static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scenarios")

        func sipp(_ daemon: Daemon, scenario: String, number: String, timeout: Duration = .seconds(40)) async throws -> ProcessResult {
            try await ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-sf", Self.scenarios.appendingPathComponent(scenario).path, "-s",
                    number,
                    "-m", "1", "-nostdin", "-timeout", "\(Int(timeout.components.seconds) - 5)s", "-timeout_error",
                ],
                timeout: timeout, currentDirectory: daemon.state)
        }

        /// Whether the daemon logged a phone leg admitted to meeting 123456789.
        static func joinedMeeting(_ log: String) -> Bool {
            log.split(separator: "\n").contains {
                $0.contains("phone leg joined meeting") && $0.contains("meeting=123456789") && $0.contains("admitted=true")
            }
        }

        /// The digits the daemon logged for its calls, in order, with how they arrived.
        static func loggedDigits(_ log: String) -> [(digit: Character, via: String)] {
            log.split(separator: "\n").filter { $0.contains("] digit") }.compactMap { line in
                let fields = line.split(separator: " ")
                guard let digit = fields.first(where: { $0.hasPrefix("digit=") })?.dropFirst(6).first,
                    let via = fields.first(where: { $0.hasPrefix("via=") })?.dropFirst(4)
                else { return nil }
                return (digit, String(via))
            }
        }

        /// sipp's `play_pcap_audio` with the captures Debian's sip-tester ships: PCMA speech, then
        /// RFC 2833/4733 digits 1, 2, 3; each digit is heard exactly once.
        @Test func capturedRTPAndDigitsFromSipp() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, scenario: "pcap-media.xml", number: "1001")
            await daemon.stop()
            #expect(result.status == 0, "sipp pcap scenario failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            let digits = Self.loggedDigits(daemon.log)
            #expect(String(digits.map(\.digit)) == "123", "\(daemon.log.suffix(3000))")
            #expect(digits.allSatisfy { $0.via == "rfc4733" })
        }

        @Test func sipInfoDigitsFromSipp() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, scenario: "info-dtmf.xml", number: "1001")
            await daemon.stop()
            #expect(result.status == 0, "sipp INFO scenario failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            let digits = Self.loggedDigits(daemon.log)
            #expect(String(digits.map(\.digit)) == "42#")
            #expect(digits.allSatisfy { $0.via == "sip-info" })
        }

        /// The 1000 IVR with a real peer: sipp types the meeting ID and passcode (SIP INFO) and the
        /// caller joins the meeting as a phone participant, until sipp hangs up.
        @Test func ivrRightEntriesJoinTheMeeting() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            #expect(created.status == 0, "\(created.standardError)")
            let result = try await sipp(daemon, scenario: "ivr-join.xml", number: "1000", timeout: .seconds(60))
            await daemon.stop()
            #expect(result.status == 0, "sipp IVR scenario failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(3000))")
            #expect(!daemon.log.contains("wrong meeting entry"))
            #expect(Self.joinedMeeting(daemon.log), "\(daemon.log.suffix(3000))")
        }

        /// The same IVR with RFC 4733 telephone-events (a capture from scripts/make-dtmf-pcap):
        /// every digit is heard once, repeated digits included.
        @Test func ivrWithRFC4733DigitsJoinsTheMeeting() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            // sipp runs in the state folder and finds the capture there by its plain name.
            let capture = "ivr-123456789-4321.pcap"
            try FileManager.default.copyItem(
                at: Self.scenarios.deletingLastPathComponent().appendingPathComponent("Fixtures/\(capture)"),
                to: daemon.state.appendingPathComponent(capture))
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            #expect(created.status == 0, "\(created.standardError)")
            let result = try await sipp(daemon, scenario: "ivr-join-rfc4733.xml", number: "1000", timeout: .seconds(60))
            await daemon.stop()
            #expect(result.status == 0, "sipp IVR scenario failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(3000))")
            let digits = Self.loggedDigits(daemon.log)
            // Every press is logged once. The passcode's are masked, and so are digits typed ahead
            // during the welcome prompt (on a route that asks for a passcode, they might be it); the
            // meeting ID's typed while its collect runs are shown.
            #expect(digits.count == 15, "\(daemon.log.suffix(3000))")
            #expect(zip(digits.prefix(10), "123456789#").allSatisfy { $0.digit == "•" || $0.digit == $1 }, "\(digits)")
            #expect(digits.suffix(5).allSatisfy { $0.digit == "•" }, "\(digits)")
            #expect(digits[9].digit == "#", "the meeting ID's end is typed during its collect")
            #expect(digits.allSatisfy { $0.via == "rfc4733" })
            #expect(!daemon.log.contains("wrong meeting entry"))
            #expect(Self.joinedMeeting(daemon.log), "\(daemon.log.suffix(3000))")
        }

        /// Three wrong entries: the retry prompt, then goodbye and BYE with cause 16; each failure
        /// is one security line with the source address.
        @Test func ivrWrongEntriesEndWithGoodbye() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            let result = try await sipp(daemon, scenario: "ivr-wrong-entries.xml", number: "1000", timeout: .seconds(90))
            await daemon.stop()
            #expect(result.status == 0, "sipp IVR scenario failed:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(3000))")
            let failures = daemon.log.split(separator: "\n").filter { $0.contains("wrong meeting entry") }
            #expect(failures.count == 3)
            #expect(failures.allSatisfy { $0.contains("127.0.0.1") })
        }

        /// A caller that sends no media is ended with BYE and a Reason after --media-timeout.
        @Test func silentCallerIsEndedAfterTheMediaTimeout() async throws {
            let daemon = try await Daemon.start(["--media-timeout", "2"])
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, scenario: "bye-from-gateway.xml", number: "1001")
            let history = try await daemon.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await daemon.stop()
            #expect(result.status == 0, "no BYE came:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            #expect(history.first?["endReason"] as? String == "no media for 2 s")
            #expect(history.first?["hungUpBy"] as? String == "gateway")
        }

        /// A leg whose RTP port cannot be bound (another process holds every port of the range)
        /// ends its call with BYE and a Reason instead of living on without media.
        @Test func unbindableRTPPortEndsTheCall() async throws {
            let low = 41000 + Int.random(in: 0..<500) * 2
            let squatters = try [UDPProbe(port: low), UDPProbe(port: low + 2)]
            let daemon = try await Daemon.start(["--rtp-ports", "\(low)-\(low + 2)"])
            defer { daemon.cleanUp() }
            let result = try await sipp(daemon, scenario: "bye-from-gateway.xml", number: "1001")
            let history = try await daemon.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await daemon.stop()
            withExtendedLifetime(squatters) {}
            #expect(result.status == 0, "no BYE came:\n\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
            #expect((history.first?["endReason"] as? String)?.hasPrefix("media failed: cannot bind RTP port") == true, "\(history)")
        }

        /// 1002 plays its prompt, then a 1 kHz tone: baresip hears speech first, then the tone.
        @Test func toneTestPlaysPromptThenTone() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let call = try await Baresip.call(uri: "sip:1002@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, duration: .seconds(5))
            defer { call.cleanUp() }
            await daemon.stop()
            #expect(call.established)
            let received = try AudioCheck.load(try #require(call.received)).samples.map(Double.init)
            let rate = 8000.0
            // The tone follows the prompt: find the loudest 1 kHz stretch and check it is a pure tone.
            func share(of frequency: Double, in window: ArraySlice<Double>) -> Double {
                var real = 0.0, imaginary = 0.0, total = 0.0
                for (n, x) in window.enumerated() {
                    let phase = 2 * Double.pi * frequency * Double(n) / rate
                    real += x * cos(phase)
                    imaginary += x * sin(phase)
                    total += x * x
                }
                return total > 0 ? 2 * (real * real + imaginary * imaginary) / (Double(window.count) * total) : 0
            }
            let windows = stride(from: 0, to: max(0, received.count - 1600), by: 800).map { received[$0..<($0 + 1600)] }
            let tone = windows.map { share(of: 1000, in: $0) }
            let firstTone = try #require(tone.firstIndex { $0 > 0.9 }, "no 1 kHz tone heard")
            #expect(firstTone > 2, "the prompt comes before the tone")
            let speech = windows[..<firstTone].map { $0.reduce(0) { $0 + $1 * $1 } / Double($0.count) }.max() ?? 0
            #expect(speech.squareRoot() > 300, "the prompt is audible before the tone")
        }
    }

    /// The leg's figures reach the call record: a clean loopback call has no loss and a MOS near the
    /// G.711 ceiling.
    @Suite(.serialized)
    struct MediaQualityIntegrationTests {
        @Test func recordsCarryMediaQuality() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let call = try await Baresip.call(uri: "sip:1001@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, duration: .seconds(3))
            defer { call.cleanUp() }
            let history = try await daemon.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await daemon.stop()
            let quality = try #require(history.first?["quality"] as? [String: Any], "no quality in \(history)")
            #expect((quality["packetsReceived"] as? Int ?? 0) > 50)
            #expect((quality["packetsSent"] as? Int ?? 0) > 50)
            #expect(quality["lossPercent"] as? Double == 0)
            #expect((quality["mos"] as? Double ?? 0) > 4.2)
        }
    }
}
