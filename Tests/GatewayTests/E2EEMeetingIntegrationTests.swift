import Foundation
import Frames
import Media
import Meetings
import NIOCore
import ParticipantClient
import ParticipantTransport
import TestSupport
import Testing

extension LoopbackIntegration {
    /// End-to-end encrypted meetings on loopback (issue 6): real `dialgate serve`, real
    /// `dialgate-participant` processes, and the proofs that the gateway forwards what it cannot open.
    @Suite(.serialized)
    struct E2EEMeetingIntegrationTests {
        static let meetingID = "123456789"
        static let passcode = "4321"

        static func createE2EEMeeting(_ daemon: Daemon) async throws {
            let created = try await daemon.ctl([
                "meeting", "create", "--id", meetingID, "--passcode", passcode, "--mode", "e2ee", "--tier", "paid", "--host", "Alice",
            ])
            #expect(created.status == 0, "\(created.standardError)")
        }

        static func participant(
            _ daemon: Daemon, name: String, _ arguments: [String], duration: Int, started: (@Sendable (Int32) -> Void)? = nil
        ) async throws -> ProcessResult {
            try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgate-participant").path,
                [
                    "--server", daemon.participantsURL, "--meeting", meetingID, "--passcode", passcode, "--name", name,
                    "--duration", String(duration), "--events",
                ] + arguments, timeout: .seconds(duration + 30), started: started)
        }

        /// `--events` lines of one kind.
        static func events(_ run: ProcessResult, _ kind: String) -> [[String: Any]] {
            run.standardOutput.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["event"] as? String == kind
                else { return nil }
                return object
            }
        }

        /// One `--frame-log` file: the frames sent and received, as bytes.
        static func frameLog(_ url: URL) throws -> (sent: [[UInt8]], received: [[UInt8]]) {
            var log: (sent: [[UInt8]], received: [[UInt8]]) = ([], [])
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                    let frame = object["frame"].flatMap({ Data(base64Encoded: $0) })
                else { throw HarnessError("bad frame log line: \(line.prefix(80))") }
                if object["direction"] == "sent" { log.sent.append(Array(frame)) } else { log.received.append(Array(frame)) }
            }
            return log
        }

        /// A signal unlike speech for the third participant: a tone that jumps to a new random pitch
        /// every 100 ms (the same every run), so cross-correlation finds exactly one alignment.
        static func toneHops(seconds: Int, sampleRate: Int = 48000) -> WAVFile {
            var generator = SeededGenerator(seed: 0x70_4E5)
            var samples: [Int16] = []
            var phase = 0.0
            for _ in 0..<(seconds * 10) {
                let frequency = Double.random(in: 300...2400, using: &generator)
                for _ in 0..<(sampleRate / 10) {
                    phase += 2 * Double.pi * frequency / Double(sampleRate)
                    samples.append(Int16(sin(phase) * 8000))
                }
            }
            return WAVFile(sampleRate: sampleRate, samples: samples)
        }

        /// Three `dialgate-participant` processes in an `e2ee` meeting, and a fourth participant (this test,
        /// through the same client library) who joins and leaves. Everyone hears everyone (cross-
        /// correlation of the per-sender recordings); every frame anyone received is byte for byte one
        /// its sender sent; every join and leave made the host's client start an epoch, signed by the
        /// host, not held by the gateway; and the leaver's keys open none of the frames sent after it left.
        @Test func threeParticipantsHearEachOtherThroughAGatewayThatCannotOpenTheirFrames() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            try await Self.createE2EEMeeting(daemon)
            let folder = daemon.state.appendingPathComponent("e2ee")
            var directories: [String: URL] = [:]
            for name in ["Alice", "Bob", "Carol"] {
                directories[name] = folder.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: directories[name]!, withIntermediateDirectories: true)
            }
            let speech = try AudioCheck.load(Baresip.fixture(sampleRate: 48000))
            var reversed = speech
            reversed.samples.reverse()
            let hops = Self.toneHops(seconds: 3)
            // Each speaks a few seconds in, when everyone is there and keyed.
            var signals: [String: WAVFile] = ["Alice": speech, "Bob": reversed, "Carol": hops]
            var files: [String: URL] = [:]
            for (name, signal) in signals {
                var padded = signal
                padded.samples = [Int16](repeating: 0, count: 6 * 48000) + signal.samples
                signals[name] = signal
                files[name] = folder.appendingPathComponent("\(name)-send.wav")
                try Data(padded.serialized()).write(to: files[name]!)
            }
            var arguments: [String: [String]] = [:]
            for name in ["Alice", "Bob", "Carol"] {
                arguments[name] = [
                    "--send", files[name]!.path, "--record-dir", directories[name]!.path, "--frame-log",
                    folder.appendingPathComponent("\(name).frames").path,
                ]
            }
            let aliceArguments = ["--host"] + arguments["Alice"]!, bobArguments = arguments["Bob"]!, carolArguments = arguments["Carol"]!

            async let alice = Self.participant(daemon, name: "Alice", aliceArguments, duration: 16)
            try await Task.sleep(for: .seconds(1))
            async let bob = Self.participant(daemon, name: "Bob", bobArguments, duration: 15)
            async let carol = Self.participant(daemon, name: "Carol", carolArguments, duration: 15)

            // Dave (this test) joins once the others are in, stays about three seconds, and leaves.
            try await Task.sleep(for: .seconds(3))
            let dave = try await MeetingClient.connect(
                MeetingClientConfiguration(server: daemon.participantsURL, meeting: Self.meetingID, passcode: Self.passcode, name: "Dave"))
            let daveRun = Task { try await dave.run() }
            let daveSends = Task { try await dave.stream(speech.samples) }
            #expect(await dave.waitForKeys(), "Dave got no keys")
            try await Task.sleep(for: .seconds(3))
            await dave.leave()
            let daveClose = try await daveRun.value
            daveSends.cancel()
            let daveLastEpoch = try #require(await dave.currentEpoch)
            let daveStatistics = await dave.statistics

            let runs = ["Alice": try await alice, "Bob": try await bob, "Carol": try await carol]
            await daemon.stop()
            for (name, run) in runs { #expect(run.status == 0, "\(name): \(run.standardError.suffix(2000))") }
            #expect(daveClose?.code == WebSocketClose.normal)
            #expect(daveStatistics.framesReceived > 50, "Dave heard nothing while in: \(daveStatistics)")

            // Keys: the host's client made every epoch; nobody else did; the gateway held none.
            let aliceFingerprint = try #require(Self.events(runs["Alice"]!, "identity").first?["fingerprint"] as? String)
            let gatewayLine = try #require(daemon.log.split(separator: "\n").first { $0.contains("dialgate starting") })
            let aliceEpochs = Self.events(runs["Alice"]!, "epoch")
            #expect(Set(aliceEpochs.compactMap { $0["reason"] as? String }).isSuperset(of: ["start", "join", "leave"]), "\(aliceEpochs)")
            #expect(aliceEpochs.count >= 4, "start, Bob, Carol, Dave joining, Dave leaving: \(aliceEpochs.count)")
            for (name, run) in runs {
                let epochs = Self.events(run, "epoch")
                #expect(!epochs.isEmpty, "\(name) installed no epoch")
                #expect(Self.events(run, "epochRefused").isEmpty, "\(name): \(Self.events(run, "epochRefused"))")
                for epoch in epochs {
                    #expect(epoch["mode"] as? String == "e2ee")
                    #expect(epoch["signer"] as? String == aliceFingerprint, "\(name): an epoch not signed by the host")
                    let holders = epoch["keyHolderFingerprints"] as? [String] ?? []
                    #expect(!holders.isEmpty && holders.allSatisfy { !gatewayLine.contains($0) }, "the gateway holds an e2ee key")
                }
            }
            // Everyone ends on the same epoch with the same security code.
            let lastCodes = Set(runs.values.compactMap { Self.events($0, "epoch").last?["securityCode"] as? String })
            #expect(lastCodes.count == 1, "\(lastCodes)")

            // Forwarding: every frame received is byte for byte a frame its sender sent.
            var logs: [String: (sent: [[UInt8]], received: [[UInt8]])] = [:]
            for name in ["Alice", "Bob", "Carol"] { logs[name] = try Self.frameLog(folder.appendingPathComponent("\(name).frames")) }
            let sentBy = logs.mapValues { Set($0.sent) }
            for (name, log) in logs {
                let received = Set(log.received)
                #expect(received.isDisjoint(with: sentBy[name]!), "\(name) got its own frames back")
                for other in ["Alice", "Bob", "Carol"] where other != name {
                    let fromOther = received.intersection(sentBy[other]!).count
                    #expect(fromOther > 400, "\(name) got \(fromOther) of \(other)'s frames")
                }
                let strangers = received.subtracting(sentBy.values.reduce(into: Set()) { $0.formUnion($1) })
                // Dave's frames are the only ones not in a log; they are his KID's (sender index 4).
                let notDaves = strangers.filter { (try? SFrameHeader.decode($0).header.keyID >> 8) != 4 }
                #expect(notDaves.isEmpty, "\(name) received \(notDaves.count) frames nobody sent")
            }

            // The leaver: frames sent after Dave left are in epochs he has no key for.
            let later = logs["Bob"]!.received.filter { frame in
                guard let header = try? SFrameHeader.decode(frame).header else { return false }
                return header.keyID & 0xFF > daveLastEpoch & 0xFF
            }
            #expect(later.count > 200, "only \(later.count) frames after Dave left")
            var opened = 0
            for frame in later where (try? await dave.unprotect(frame)) != nil { opened += 1 }
            #expect(opened == 0, "Dave opened \(opened) frames sent after he left")

            // Hearing: each per-sender recording carries that sender's signal.
            var heard: [String] = []
            for (listener, directory) in directories {
                for (speaker, signal) in signals where speaker != listener {
                    let file = try #require(
                        MeetingBridgeIntegrationTests.recording(in: directory, named: speaker), "\(listener) recorded no \(speaker)")
                    let result = try AudioCheck.compare(sent: signal, received: AudioCheck.load(file), maximumLag: .seconds(14))
                    #expect(result.correlation > 0.8, "\(listener) hears \(speaker): \(result)")
                    heard.append("\(listener)←\(speaker) \(String(format: "%.2f", result.correlation))")
                }
                #expect(MeetingBridgeIntegrationTests.recording(in: directory, named: listener) == nil, "\(listener) hears itself")
            }
            print("e2ee meeting: \(heard.sorted().joined(separator: ", ")); \(later.count) frames after Dave left, none opened")
        }
    }
}
