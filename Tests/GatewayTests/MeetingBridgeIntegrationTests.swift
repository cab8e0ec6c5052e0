import Foundation
import Media
import Testing

extension LoopbackIntegration {
    /// Phone callers and app participants in one `standard` meeting, all real processes on
    /// loopback: two `dialgate-participant` clients and a baresip phone that joins through the
    /// `1000` IVR (meeting ID and passcode as RFC 4733 digits). Each side's recording must contain the others' speech
    /// (cross-correlation against the source WAV, with a bounded delay), and nobody hears themselves.
    @Suite(.serialized)
    struct MeetingBridgeIntegrationTests {
        /// Speech through Opus (app) → decode at 8 kHz → mix → G.711 (phone), and back, is not
        /// waveform-exact: measured correlations are noted in the test; below this is a failure.
        static let heardThreshold = 0.5
        /// Someone's own voice in what they hear would correlate far above this.
        static let selfThreshold = 0.3

        static func participant(_ daemon: Daemon, name: String, arguments: [String], duration: Int) async throws -> ProcessResult {
            try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgate-participant").path,
                [
                    "--server", daemon.participantsURL, "--meeting", "123456789", "--passcode", "4321", "--name", name,
                    "--duration", String(duration), "--events",
                ] + arguments, timeout: .seconds(duration + 30))
        }

        /// The per-sender recording whose file name contains `name`.
        static func recording(in folder: URL, named name: String) -> URL? {
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            return files.first { $0.lastPathComponent.contains(name) && $0.pathExtension == "wav" }
        }

        @Test func phoneCallerAndAppParticipantsHearEachOther() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            #expect(created.status == 0, "\(created.standardError)")
            let folder = daemon.state.appendingPathComponent("participants")
            let aliceDir = folder.appendingPathComponent("alice")
            let bobDir = folder.appendingPathComponent("bob")
            try FileManager.default.createDirectory(at: aliceDir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: bobDir, withIntermediateDirectories: true)

            // Alice speaks after 16 s of silence, so the phone is through the IVR by then. She says
            // the fixture backwards: the phone says it forwards, and "the phone hears itself" must
            // not be fooled by hearing Alice say the same words.
            var speech = try AudioCheck.load(Baresip.fixture(sampleRate: 48000))
            speech.samples.reverse()
            var alicesAudio = speech
            alicesAudio.samples = [Int16](repeating: 0, count: 16 * 48000) + speech.samples
            let alicesFile = folder.appendingPathComponent("alice-send.wav")
            try Data(alicesAudio.serialized()).write(to: alicesFile)

            // The phone speaks once it is in the meeting: 14 s of silence (the IVR) first.
            let phonesSpeech = try AudioCheck.load(Baresip.fixture(sampleRate: 8000))
            var phonesAudio = phonesSpeech
            phonesAudio.samples = [Int16](repeating: 0, count: 14 * 8000) + phonesSpeech.samples
            let phonesFile = folder.appendingPathComponent("phone-send.wav")
            try Data(phonesAudio.serialized()).write(to: phonesFile)

            async let alice = Self.participant(
                daemon, name: "Alice", arguments: ["--host", "--send", alicesFile.path, "--record-dir", aliceDir.path], duration: 26)
            async let bob = Self.participant(daemon, name: "Bob", arguments: ["--record-dir", bobDir.path], duration: 26)
            try await Task.sleep(for: .seconds(2))
            let call = try await Baresip.call(
                uri: "sip:1000@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, digits: "123456789#4321#", duration: .seconds(2),
                audio: phonesFile, afterDigits: .seconds(13))
            defer { call.cleanUp() }
            let aliceRun = try await alice
            let bobRun = try await bob
            await daemon.stop()

            #expect(call.established, "\(call.log.suffix(3000))")
            #expect(aliceRun.status == 0, "\(aliceRun.standardError.suffix(2000))")
            #expect(bobRun.status == 0, "\(bobRun.standardError.suffix(2000))")
            #expect(daemon.log.contains("phone leg joined meeting"), "\(daemon.log.suffix(3000))")
            // The meeting ID is logged; the passcode (read by check-passcode) is masked.
            #expect(String(MediaIntegrationTests.loggedDigits(daemon.log).map(\.digit)) == "123456789#•••••")
            // The bridge tells the apps who is talking: the phone speaks in its first seconds.
            let speaking = aliceRun.standardOutput.split(separator: "\n").filter { $0.contains("\"speaking\":true") }
            #expect(speaking.contains { $0.contains("Phone") }, "\(aliceRun.standardOutput.suffix(3000))")

            // The phone hears Alice (app → gateway decrypts, decodes at 8 kHz, mixes, G.711).
            let received = try #require(call.received, "baresip recorded nothing")
            let phoneHearsAlice = try AudioCheck.compare(sent: speech, received: AudioCheck.load(received), maximumLag: .seconds(24))
            #expect(phoneHearsAlice.correlation > Self.heardThreshold, "phone hears Alice: \(phoneHearsAlice)")
            // Alice and Bob hear the phone (G.711 → gateway encodes Opus, SFrame under the phone's KID).
            var heardPhone: [String] = []
            for (who, dir) in [("Alice", aliceDir), ("Bob", bobDir)] {
                let file = try #require(Self.recording(in: dir, named: "Phone"), "\(who) recorded no phone sender")
                let result = try AudioCheck.compare(sent: phonesSpeech, received: AudioCheck.load(file), maximumLag: .seconds(24))
                #expect(result.correlation > Self.heardThreshold, "\(who) hears the phone: \(result)")
                heardPhone.append("\(who) hears the phone \(result)")
            }
            // Bob hears Alice (app to app: forwarded byte-identical, decoded by Bob).
            let bobsAlice = try #require(Self.recording(in: bobDir, named: "Alice"), "Bob recorded no Alice")
            let bobHearsAlice = try AudioCheck.compare(sent: speech, received: AudioCheck.load(bobsAlice), maximumLag: .seconds(24))
            #expect(bobHearsAlice.correlation > Self.heardThreshold, "Bob hears Alice: \(bobHearsAlice)")
            // Nobody hears themselves: no file of one's own, and the phone's mix is not its own voice.
            #expect(Self.recording(in: aliceDir, named: "Alice") == nil)
            // Where its own speech would come back (it speaks from 14 s into the call): the IVR's
            // earlier prompts, spoken by the same synthesiser as the fixture, are left out.
            let heard = try AudioCheck.load(received)
            let around = WAVFile(sampleRate: heard.sampleRate, samples: Array(heard.samples.dropFirst(13 * heard.sampleRate)))
            let phoneHearsItself = try AudioCheck.compare(sent: phonesSpeech, received: around, maximumLag: .seconds(4))
            #expect(phoneHearsItself.correlation < Self.selfThreshold, "the phone hears itself: \(phoneHearsItself)")
            print(
                "meeting bridge: phone hears Alice \(phoneHearsAlice); Bob hears Alice \(bobHearsAlice); \(heardPhone.joined(separator: "; "))"
            )
        }
    }
}
