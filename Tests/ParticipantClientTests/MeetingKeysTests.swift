import Frames
import Media
import Meetings
import NIOCore
import Testing

@testable import ParticipantClient

@Suite("Epoch handling with a locally made gateway, and frames between two clients without sockets")
struct MeetingKeysTests {
    /// A host and a guest as the gateway admits them: keys, and the audio path of each.
    struct TwoClients {
        var gateway: LocalGateway
        let host: ParticipantIdentity
        let guest: ParticipantIdentity
        let hostKeys: MeetingKeys
        let guestKeys: MeetingKeys
        let roster: [UInt64: Participant]

        init() throws {
            gateway = try LocalGateway()
            host = try LocalGateway.identity(0)
            guest = try LocalGateway.identity(1)
            let members = [(host, "Alice"), (guest, "Bob")]
            let hostWelcome = gateway.welcome(for: 1, members: members)
            let guestWelcome = gateway.welcome(for: 2, members: members)
            hostKeys = try MeetingKeys(identity: host, welcome: hostWelcome, role: .host)
            guestKeys = try MeetingKeys(identity: guest, welcome: guestWelcome, role: .guest)
            roster = Dictionary(uniqueKeysWithValues: guestWelcome.roster.map { (UInt64($0.senderIndex.rawValue), $0) })
        }

        /// Sends the next epoch to both; returns what each installed.
        mutating func rekey(phones: [UInt64] = []) throws -> (EpochInfo, EpochInfo) {
            let announcements = try gateway.nextEpoch(members: [host, guest], phones: phones)
            let here = [host.publicIdentity, guest.publicIdentity]
            return (try hostKeys.install(announcements[0], participants: here), try guestKeys.install(announcements[1], participants: here))
        }
    }

    @Test func bothClientsInstallTheGatewaysEpochAndShowOneSecurityCode() throws {
        var clients = try TwoClients()
        #expect(!clients.hostKeys.hasKeys)
        let (hostInfo, guestInfo) = try clients.rekey()
        #expect(hostInfo == guestInfo)
        #expect(hostInfo.epoch == 1)
        #expect(hostInfo.mode == .standard)
        #expect(hostInfo.keyHolders == 3)  // the gateway and both clients
        #expect(hostInfo.senders == 2)
        #expect(hostInfo.keyManagerHoldsKey)
        #expect(hostInfo.signer == clients.gateway.identity.fingerprint)
        // The one key holder outside the meeting's roster is the gateway: both see it the same.
        #expect(hostInfo.keyHoldersOutsideRoster == [clients.gateway.identity.fingerprint])
        #expect(hostInfo.reason == "start")
        #expect(hostInfo.securityCode.groups.count == 6)
        #expect(clients.guestKeys.ring.ownSender?.keyID == SFrameKeyID(rawValue: 2 << 8 | 1).rawValue)
        let (next, _) = try clients.rekey()
        #expect(next.epoch == 2)
        #expect(next.securityCode != hostInfo.securityCode)
    }

    @Test func refusedEpochsLeaveTheKeysAsTheyWere() throws {
        var clients = try TwoClients()
        let first = try clients.gateway.nextEpoch(members: [clients.host, clients.guest])
        try clients.guestKeys.install(first[1])
        // The same epoch again (a replay) is stale.
        #expect(refusal { try clients.guestKeys.install(first[1]) } == .staleEpoch(epoch: 1, current: 1))
        // A secret sealed to someone else does not open.
        let second = try clients.gateway.nextEpoch(members: [clients.host, clients.guest])
        var misrouted = second[1]
        misrouted.sealedSecret = second[0].sealedSecret
        #expect(refusal { try clients.guestKeys.install(misrouted) } == .sealedSecretUnopenable)
        // The announced number must be the manifest's.
        var renumbered = second[1]
        renumbered.epoch = 9
        #expect(caseName(refusal { try clients.guestKeys.install(renumbered) }) == "malformedEncoding")
        // A manifest signed by anyone but the gateway (the host included: a guest does not know its key).
        let bySomeoneElse = try clients.gateway.nextEpoch(members: [clients.host, clients.guest], signer: clients.host)
        #expect(caseName(refusal { try clients.guestKeys.install(bySomeoneElse[1]) }) == "unexpectedManifestSigner")
        #expect(clients.guestKeys.verifier.currentEpoch == 1)
        #expect(clients.guestKeys.ring.current?.manifest.epoch == 1)
        // A bad signature.
        var forged = second[1]
        forged.signature[0] ^= 1
        #expect(refusal { try clients.guestKeys.install(forged) } == .badManifestSignature)
        // The genuine next epoch still installs.
        #expect(try clients.guestKeys.install(second[1]).epoch == 2)
    }

    @Test func aWelcomeWithABrokenKeyManagerIsAProtocolViolation() throws {
        let gateway = try LocalGateway()
        let guest = try LocalGateway.identity(1)
        var welcome = gateway.welcome(for: 1, members: [(guest, "Bob")])
        welcome.keyManager?.agreementKeySignature[0] ^= 1
        #expect(throws: ParticipantClientError.self) { try MeetingKeys(identity: guest, welcome: welcome, role: .guest) }
    }

    @Test func framesGoFromOneClientToTheOtherAndAreDecodedPerSender() throws {
        var clients = try TwoClients()
        let outgoing = try OutgoingAudio()
        let incoming = IncomingAudio(ownSenderIndex: 2)
        let tone = sineFrame(frequency: 440)

        // Before any epoch: the sender has nothing to protect with, the receiver nothing to open with.
        #expect(try tone.withUnsafeBufferPointer { try outgoing.frame($0, sender: clients.hostKeys.ring.ownSender) } == nil)
        #expect(outgoing.framesWithoutKeys == 1)
        #expect(incoming.receive(ByteBuffer(bytes: Array(repeating: 0, count: 40)), keys: clients.guestKeys) { _ in } == .noKey)
        #expect(incoming.receive(ByteBuffer(bytes: Array(repeating: 0, count: 40)), keys: nil) { _ in } == .noKey)

        _ = try clients.rekey()
        var heard: [(UInt64, String?, Int, UInt64)] = []
        var energy = 0.0
        for index in 0..<10 {
            let pcm = sineFrame(frequency: 440, offset: index * MeetingAudio.samplesPerFrame)
            let frame = try #require(try pcm.withUnsafeBufferPointer { try outgoing.frame($0, sender: clients.hostKeys.ring.ownSender) })
            // KID: sender index 1 above the epoch bits of epoch 1; CTR counts frames.
            let header = try SFrameHeader.decode(frame.readableBytesView).header
            #expect(header.keyID == 1 << 8 | 1)
            #expect(header.counter == UInt64(index))
            let outcome = incoming.receive(frame, keys: clients.guestKeys, roster: clients.roster) { audio in
                heard.append((audio.senderIndex, audio.participant?.name, audio.samples.count, audio.epoch))
                if index == 9 { energy = audio.samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(audio.samples.count) }
            }
            #expect(outcome == .decoded)
            // The same frame again is a replay.
            #expect(incoming.receive(frame, keys: clients.guestKeys) { _ in } == .refused)
        }
        #expect(heard.count == 10)
        #expect(heard.allSatisfy { $0.0 == 1 && $0.1 == "Alice" && $0.2 == MeetingAudio.samplesPerFrame && $0.3 == 1 })
        // Opus at 32 kbit/s keeps most of a 440 Hz tone's power (8000² / 2 = 32e6) once it has settled.
        #expect(energy > 10e6, "mean power \(energy)")
        #expect(incoming.decoded == 10)
        #expect(incoming.refused == 10)

        // After a re-key, frames of the previous epoch still open; the sender switches at once.
        let late = try #require(try tone.withUnsafeBufferPointer { try outgoing.frame($0, sender: clients.hostKeys.ring.ownSender) })
        _ = try clients.rekey()
        var epochs: [UInt64] = []
        #expect(incoming.receive(late, keys: clients.guestKeys) { epochs.append($0.epoch) } == .decoded)
        let fresh = try #require(try tone.withUnsafeBufferPointer { try outgoing.frame($0, sender: clients.hostKeys.ring.ownSender) })
        #expect(incoming.receive(fresh, keys: clients.guestKeys) { epochs.append($0.epoch) } == .decoded)
        #expect(epochs == [1, 2])

        // Our own frames are not played back to us.
        let guestOutgoing = try OutgoingAudio()
        let own = try #require(try tone.withUnsafeBufferPointer { try guestOutgoing.frame($0, sender: clients.guestKeys.ring.ownSender) })
        #expect(incoming.receive(own, keys: clients.guestKeys) { _ in } == .own)

        // Tampering is refused.
        var tampered = try #require(try tone.withUnsafeBufferPointer { try outgoing.frame($0, sender: clients.hostKeys.ring.ownSender) })
        let last = tampered.writerIndex - 1
        tampered.setInteger(tampered.getInteger(at: last, as: UInt8.self)! ^ 1, at: last)
        #expect(incoming.receive(tampered, keys: clients.guestKeys) { _ in } == .refused)
    }

    @Test func aFrameMustBeTwentyMilliseconds() throws {
        let outgoing = try OutgoingAudio()
        #expect(throws: ParticipantClientError.self) {
            try [Int16](repeating: 0, count: 100).withUnsafeBufferPointer { try outgoing.frame($0, sender: nil) }
        }
    }
}

/// The `FramesError` inside an `epochRefused`, or nil.
func refusal(_ body: () throws -> Void) -> FramesError? {
    do {
        try body()
        return nil
    } catch ParticipantClientError.epochRefused(_, let error) {
        return error
    } catch {
        return nil
    }
}

func caseName(_ error: FramesError?) -> String? {
    error.map { Mirror(reflecting: $0).children.first?.label ?? "\($0)" }
}
