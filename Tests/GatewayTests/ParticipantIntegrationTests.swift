import Foundation
import Frames
import Meetings
import NIOCore
import ParticipantTransport
import TestSupport
import Testing

extension LoopbackIntegration {
    /// The daemon's participant server with protocol clients built from the same library parts a
    /// real client uses (transport, protocol, keys); `dialgate-participant` drives it end to end
    /// elsewhere. What is checked here is the gateway's side of the contract.
    @Suite(.serialized)
    struct ParticipantIntegrationTests {
        /// One protocol client: its identity, its session, and what it received.
        final class Client: Sendable {
            let identity: ParticipantIdentity
            let session: WebSocketSession
            let received = Inbox()
            let done: Task<WebSocketClose?, Never>

            init(url: String, identity: ParticipantIdentity = try! .generate(), trusting certificates: String? = nil) async throws {
                self.identity = identity
                session = try await ParticipantWebSocketClient.connect(url, trustedCertificates: certificates)
                let received = received
                let session = session
                done = Task { await session.run { await received.append($0) } }
            }

            func hello(meeting: String, passcode: String, name: String, role: ParticipantRole = .guest) {
                let hello = Hello(
                    meeting: meeting, passcode: passcode, name: name, role: role, identity: IdentityKeys(identity.publicIdentity))
                session.outbox.send(text: ParticipantProtocol.encode(.hello(hello)))
            }
        }

        actor Inbox {
            private(set) var messages: [WebSocketMessage] = []
            func append(_ message: WebSocketMessage) { messages.append(message) }

            var controls: [ParticipantMessage] {
                messages.compactMap { message in
                    guard case .text(let text) = message else { return nil }
                    return try? ParticipantProtocol.decode(text, from: .fromGateway)
                }
            }
            var frames: [[UInt8]] {
                messages.compactMap { if case .binary(let buffer) = $0 { Array(buffer.readableBytesView) } else { nil } }
            }
        }

        /// A sipp phone that dials 123456789*4321, presses `*6` and `*#` (meeting-controls.xml) and hangs up.
        static func phoneInMeeting(_ daemon: Daemon) async throws -> ProcessResult {
            try await ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-sf",
                    SIPIntegrationTests.scenarios.appendingPathComponent("meeting-controls.xml").path, "-s", "123456789*4321", "-m", "1",
                    "-nostdin", "-timeout", "30s", "-timeout_error",
                ], timeout: .seconds(40), currentDirectory: daemon.state)
        }

        /// Polls `check` until it holds, or fails after `timeout`.
        static func eventually(_ what: String, timeout: Duration = .seconds(10), _ check: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while try await !check() {
                guard ContinuousClock.now < deadline else { throw WaitError(what: what) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        struct WaitError: Error, CustomStringConvertible {
            var what: String
            var description: String { "timed out waiting for \(what)" }
        }

        static func welcome(_ inbox: Inbox) async -> Welcome? {
            for case .welcome(let welcome) in await inbox.controls { return welcome }
            return nil
        }

        static func epochs(_ inbox: Inbox) async -> [EpochAnnouncement] {
            await inbox.controls.compactMap { if case .epoch(let epoch) = $0 { epoch } else { nil } }
        }

        /// Two app participants in a standard meeting: the gateway signs each epoch with the
        /// identity it names in `welcome`, seals its secret to each participant, rekeys on join
        /// and leave; frames sealed under that key reach the other participant byte-identical
        /// and never come back to their sender.
        @Test func standardMeetingKeysAndByteIdenticalForwarding() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            #expect(created.status == 0, "\(created.standardError)")

            let alice = try await Client(url: daemon.participantsURL)
            alice.hello(meeting: "123456789", passcode: "4321", name: "Alice", role: .host)
            try await Self.eventually("Alice's welcome and first epoch") { await !Self.epochs(alice.received).isEmpty }
            let aliceWelcome = try #require(await Self.welcome(alice.received))
            let keyManager = try #require(aliceWelcome.keyManager, "a standard meeting names the gateway as key manager")
            let gateway = try PublicIdentity(keyManager)
            #expect(daemon.log.contains("fingerprint=\(gateway.fingerprint)"), "the daemon logs the identity it hands out")

            let bob = try await Client(url: daemon.participantsURL)
            bob.hello(meeting: "123456789", passcode: "4321", name: "Bob")
            try await Self.eventually("Bob's epoch") { await !Self.epochs(bob.received).isEmpty }
            try await Self.eventually("Alice's second epoch") { await Self.epochs(alice.received).count >= 2 }
            let bobWelcome = try #require(await Self.welcome(bob.received))
            #expect(bobWelcome.roster.map(\.name) == ["Alice", "Bob"])

            // Each client verifies the latest manifest against the gateway and opens its own sealed secret.
            func ring(for client: Client) async throws -> EpochKeyRing {
                let announcement = try #require(await Self.epochs(client.received).last)
                let signed = try SignedEpochManifest(canonicalEncoding: announcement.manifest, signature: announcement.signature)
                let verified = try EpochManifestVerifier(meetingID: "123456789", host: gateway, gateway: gateway).verify(signed)
                #expect(verified.manifest.keyHolders.count == 3, "the gateway, Alice and Bob")
                let ring = EpochKeyRing(localIdentity: client.identity.fingerprint)
                try ring.install(verified, sealed: try SealedEpochSecret(encoded: announcement.sealedSecret), identity: client.identity)
                return ring
            }
            let aliceRing = try await ring(for: alice)
            let bobRing = try await ring(for: bob)
            #expect(await Self.epochs(alice.received).last?.epoch == Self.epochs(bob.received).last?.epoch)

            let sender = try #require(aliceRing.ownSender)
            var sent: [[UInt8]] = []
            for index in 0..<20 {
                let frame = try sender.protect([UInt8](repeating: UInt8(index), count: 60))
                sent.append(frame)
                alice.session.outbox.send(frame: ByteBuffer(bytes: frame))
            }
            try await Self.eventually("Bob's 20 frames") { await bob.received.frames.count == 20 }
            #expect(await bob.received.frames == sent, "forwarded byte-identical, in order")
            #expect(try await bob.received.frames.map { try bobRing.unprotect($0).plaintext.first } == (0..<20).map { UInt8($0) })
            #expect(await alice.received.frames.isEmpty, "a sender never hears its own frames")

            // A wrong passcode gets the same answer as an unknown meeting, then 1008.
            let mallory = try await Client(url: daemon.participantsURL)
            mallory.hello(meeting: "123456789", passcode: "0000", name: "Mallory")
            let refusal = await mallory.done.value
            #expect(refusal?.code == WebSocketClose.policyViolation)
            #expect(await mallory.received.controls.contains { if case .error(.badCredentials, _) = $0 { true } else { false } })

            // Bob leaves: Alice sees him go and gets an epoch he does not hold.
            bob.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            _ = await bob.done.value
            try await Self.eventually("Alice's epoch after Bob left") { await Self.epochs(alice.received).count >= 3 }
            let last = try #require(await Self.epochs(alice.received).last)
            let afterLeave = try SignedEpochManifest(canonicalEncoding: last.manifest, signature: last.signature)
            #expect(!afterLeave.manifest.isKeyHolder(bob.identity.fingerprint))
            #expect(await alice.received.controls.contains { if case .roster(let update) = $0 { update.event == .left } else { false } })
            alice.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            _ = await alice.done.value
            await daemon.stop()
        }

        /// `dialgatectl meeting lock` keeps newcomers out of a live meeting and `meeting end`
        /// tells everyone and disconnects them.
        @Test func operatorLocksAndEndsALiveMeeting() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "987654321", "--passcode", "2468"])
            let alice = try await Client(url: daemon.participantsURL)
            alice.hello(meeting: "987654321", passcode: "2468", name: "Alice", role: .host)
            try await Self.eventually("Alice's welcome") { await Self.welcome(alice.received) != nil }

            let locked = try await daemon.ctl(["meeting", "lock", "987654321"])
            #expect(locked.status == 0 && locked.standardOutput.contains("locked"), "\(locked.standardError)")
            #expect(
                try await daemon.ctlJSON(["meeting", "987654321"])["meeting"].flatMap { ($0 as? [String: Any])?["locked"] as? Bool } == true
            )
            try await Self.eventually("Alice told of the lock") {
                await alice.received.controls.contains { if case .locked(true) = $0 { true } else { false } }
            }
            let late = try await Client(url: daemon.participantsURL)
            late.hello(meeting: "987654321", passcode: "2468", name: "Late")
            let lateClose = await late.done.value
            #expect(lateClose?.code == WebSocketClose.policyViolation)
            #expect(await late.received.controls.contains { if case .error(.meetingLocked, _) = $0 { true } else { false } })

            let ended = try await daemon.ctl(["meeting", "end", "987654321"])
            #expect(ended.status == 0, "\(ended.standardError)")
            let aliceClose = await alice.done.value
            #expect(aliceClose != nil)
            #expect(await alice.received.controls.contains { if case .ended = $0 { true } else { false } })
            #expect(try await daemon.ctl(["meeting", "end", "111111111"]).status != 0, "an unknown meeting is an error")
            await daemon.stop()
        }

        /// A phone caller beside an app participant: the app sees the phone join (kind `phone`,
        /// masked name), mute itself with `*6`, and leave; `*#` is carried to the meeting side.
        @Test func phoneCallerControlsSeenByTheApp() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            let alice = try await Client(url: daemon.participantsURL)
            alice.hello(meeting: "123456789", passcode: "4321", name: "Alice", role: .host)
            try await Self.eventually("Alice's welcome") { await Self.welcome(alice.received) != nil }
            let sipp = try await Self.phoneInMeeting(daemon)
            try await Self.eventually("the phone's departure") {
                await alice.received.controls.contains { if case .roster(let update) = $0 { update.event == .left } else { false } }
            }
            let updates = await alice.received.controls.compactMap { if case .roster(let update) = $0 { update } else { nil } }
            alice.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            _ = await alice.done.value
            await daemon.stop()
            #expect(sipp.status == 0, "\(sipp.standardOutput.suffix(2000))\n\(daemon.log.suffix(3000))")
            let phone = try #require(updates.first { $0.event == .joined }?.participant)
            #expect(phone.kind == .phone)
            #expect(phone.name.hasPrefix("Phone"), "\(phone.name)")
            #expect(updates.map(\.event) == [.joined, .muted, .left], "\(updates)")
            #expect(daemon.log.contains("control=*6") && daemon.log.contains("control=*#"), "\(daemon.log.suffix(3000))")
            #expect(await Self.epochs(alice.received).count >= 3, "rekeyed when the phone came and when it left")
        }

        /// A meeting whose phones wait for the host: a phone caller is held out (hearing so) while
        /// only a guest is in, and joins as soon as the host arrives.
        /// Either by the meeting's own setting (`--phones-wait-for-host`) or by policy
        /// (`phones-before-host no` for the meeting's tier).
        @Test(arguments: [false, true]) func phonesWaitForTheHost(byPolicy: Bool) async throws {
            let plans = try SIPIntegrationTests.dialplanFolder(extra: "tier vip {\n    phones-before-host no\n}\n")
            defer { try? FileManager.default.removeItem(at: plans) }
            let daemon = try await Daemon.start(["--dialplans", plans.path])
            defer { daemon.cleanUp() }
            let setting = byPolicy ? ["--tier", "vip"] : ["--phones-wait-for-host"]
            let created = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"] + setting)
            #expect(created.status == 0, "\(created.standardError)")
            if !byPolicy { #expect(try await daemon.ctl(["meeting", "123456789"]).standardOutput.contains("wait for the host")) }
            let bob = try await Client(url: daemon.participantsURL)
            bob.hello(meeting: "123456789", passcode: "4321", name: "Bob")
            try await Self.eventually("Bob's welcome") { await Self.welcome(bob.received) != nil }
            async let sipp = Self.phoneInMeeting(daemon)
            try await Self.eventually("the phone waiting") { daemon.log.contains("phone leg waits for the host") }
            func phoneJoined() async -> Bool {
                await bob.received.controls.contains {
                    if case .roster(let update) = $0 { update.event == .joined && update.participant.kind == .phone } else { false }
                }
            }
            #expect(await !phoneJoined(), "no phone in the meeting before the host")
            let alice = try await Client(url: daemon.participantsURL)
            alice.hello(meeting: "123456789", passcode: "4321", name: "Alice", role: .host)
            try await Self.eventually("the phone joining after the host") { await phoneJoined() }
            let result = try await sipp
            let joins = await bob.received.controls.compactMap { message -> String? in
                if case .roster(let update) = message, update.event == .joined { update.participant.name } else { nil }
            }
            for client in [alice, bob] {
                client.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
                _ = await client.done.value
            }
            await daemon.stop()
            #expect(result.status == 0, "\(result.standardOutput.suffix(2000))")
            #expect(joins.count == 2 && joins[0] == "Alice" && joins[1].hasPrefix("Phone"), "\(joins)")
        }

        /// With `--tls-cert` and `--tls-key` the participant server speaks `wss://` (TLS 1.2+): a
        /// client that trusts the certificate joins; one that does not, or that speaks plain
        /// `ws://` to it, gets no session.
        @Test func participantServerOverTLS() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let certificate = folder.appendingPathComponent("cert.pem").path
            let key = folder.appendingPathComponent("key.pem").path
            let made = try await ExternalProcess.run(
                "openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out",
                    certificate, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                ], timeout: .seconds(30))
            #expect(made.status == 0, "\(made.standardError)")
            let daemon = try await Daemon.start(["--tls-cert", certificate, "--tls-key", key])
            defer { daemon.cleanUp() }
            #expect(daemon.participantsURL.hasPrefix("wss://127.0.0.1:"), "\(daemon.participantsURL)")
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])

            let alice = try await Client(url: daemon.participantsURL, trusting: certificate)
            alice.hello(meeting: "123456789", passcode: "4321", name: "Alice", role: .host)
            try await Self.eventually("Alice's welcome over TLS") { await Self.welcome(alice.received) != nil }
            await #expect(throws: (any Error).self, "a client that does not trust the certificate") {
                _ = try await ParticipantWebSocketClient.connect(daemon.participantsURL)
            }
            let plain = daemon.participantsURL.replacingOccurrences(of: "wss://", with: "ws://")
            await #expect(throws: (any Error).self, "plain ws:// to a TLS port") {
                _ = try await ParticipantWebSocketClient.connect(plain)
            }
            alice.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            _ = await alice.done.value
            await daemon.stop()
        }

        /// A host client creates a meeting over the protocol (`dialgate-participant --create`):
        /// the directory has it, with the creator's key as the host's, so another client claiming
        /// the host role is refused while a guest joins with the shared ID and passcode.
        @Test func hostClientCreatesAMeeting() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let participant = Daemon.productsDirectory.appendingPathComponent("dialgate-participant").path
            async let creator = ExternalProcess.run(
                participant, ["--server", daemon.participantsURL, "--create", "--name", "Alice", "--duration", "4", "--events"],
                timeout: .seconds(30))
            var created: [String: Any]?
            try await Self.eventually("the meeting in the directory") {
                let meetings = try await daemon.ctlJSON(["meetings"])["meetings"] as? [[String: Any]] ?? []
                created = meetings.first
                return created != nil
            }
            let meetingID = try #require(created?["id"] as? String)
            #expect(created?["host"] as? String == "Alice")
            let shown = try await daemon.ctlJSON(["meeting", meetingID])["meeting"] as? [String: Any]
            let passcode = try #require(shown?["passcode"] as? String)

            let impostor = try await Client(url: daemon.participantsURL)
            impostor.hello(meeting: meetingID, passcode: passcode, name: "Mallory", role: .host)
            #expect(await impostor.done.value?.code == WebSocketClose.policyViolation, "only the creator's key is the host")
            let guest = try await Client(url: daemon.participantsURL)
            guest.hello(meeting: meetingID, passcode: passcode, name: "Bob")
            try await Self.eventually("Bob's welcome") { await Self.welcome(guest.received) != nil }
            let run = try await creator
            guest.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
            _ = await guest.done.value
            await daemon.stop()
            #expect(run.status == 0, "\(run.standardError.suffix(2000))")
            let createdLine = run.standardOutput.split(separator: "\n").first { $0.contains("\"event\":\"created\"") }
            #expect(createdLine?.contains(meetingID) == true, "\(run.standardOutput.prefix(2000))")
        }

        /// Hostile clients: garbage text, JSON of the wrong shape and random binary, before and
        /// after a join. Each bad connection is closed on its own; the daemon keeps running and a
        /// participant already in the meeting notices nothing.
        @Test func garbageFromClientsClosesOnlyThem() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            _ = try await daemon.ctl(["meeting", "create", "--id", "123456789", "--passcode", "4321"])
            let alice = try await Client(url: daemon.participantsURL)
            alice.hello(meeting: "123456789", passcode: "4321", name: "Alice", role: .host)
            try await Self.eventually("Alice's welcome") { await Self.welcome(alice.received) != nil }
            var generator = SeededGenerator(seed: 0xBAD_C0DE)
            let shapes = [
                #"{"type":"hello"}"#, #"{"type":"mute","participant":-1,"muted":true}"#, #"{"type":"welcome","version":2}"#, "[]", "{",
                #"{"type":"create","version":2,"name":"x","identity":{"signingKey":"AA==","agreementKey":"AA==","agreementKeySignature":"AA=="}}"#,
                String(repeating: "{", count: 500), #"{"type":"hello","version":99}"#,
            ]
            var closes: [UInt16] = []
            for round in 0..<12 {
                let mallory = try await Client(url: daemon.participantsURL)
                if round % 3 == 0 { mallory.hello(meeting: "123456789", passcode: "4321", name: "Mallory \(round)") }
                for index in 0..<20 {
                    switch (round + index) % 3 {
                    case 0: mallory.session.outbox.send(text: shapes[Int(generator.next() % UInt64(shapes.count))])
                    case 1:
                        let bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                        mallory.session.outbox.send(frame: ByteBuffer(bytes: bytes))
                    default:
                        mallory.session.outbox.send(
                            text: String(decoding: (0..<64).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, as: UTF8.self))
                    }
                }
                let close = await mallory.done.value
                closes.append(close?.code ?? 0)
            }
            #expect(closes.allSatisfy { [1002, 1003, 1007, 1008, 1009].contains($0) }, "\(closes)")
            // Alice is still in, and the gateway still answers: a new guest joins and she sees it.
            let bob = try await Client(url: daemon.participantsURL)
            bob.hello(meeting: "123456789", passcode: "4321", name: "Bob")
            try await Self.eventually("Alice sees Bob") {
                await alice.received.controls.contains {
                    if case .roster(let update) = $0 { update.event == .joined && update.participant.name == "Bob" } else { false }
                }
            }
            for client in [alice, bob] {
                client.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "bye"))
                _ = await client.done.value
            }
            await daemon.stop()
            #expect(!daemon.log.contains("Fatal error"))
        }
    }
}
