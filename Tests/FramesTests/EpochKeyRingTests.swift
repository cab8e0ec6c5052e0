import Testing

@testable import Frames

@Suite("Epoch key rings: per-sender keys from the epoch secret, current and previous epoch")
struct EpochKeyRingTests {
    /// The host as key manager of an e2ee meeting: makes the secret, signs, seals to every member.
    struct KeyManager {
        let host: ParticipantIdentity
        var epoch: UInt64 = 0

        mutating func rekey(
            members: [ParticipantIdentity], reason: EpochManifest.Reason = .join
        ) throws -> (SignedEpochManifest, [IdentityFingerprint: SealedEpochSecret]) {
            epoch += 1
            let secret = try EpochSecret.random()
            let manifest = try KeyFixtures.manifest(epoch: epoch, keyManager: host, members: members, reason: reason, secret: secret)
            let signed = try SignedEpochManifest(signing: manifest, as: host)
            var sealed: [IdentityFingerprint: SealedEpochSecret] = [:]
            for member in members {
                sealed[member.fingerprint] = try SealedEpochSecret(sealing: secret, for: signed, to: member.publicIdentity)
            }
            return (signed, sealed)
        }
    }

    /// One client: verifies what the relay hands it, opens its own box, installs the epoch.
    final class Client {
        let identity: ParticipantIdentity
        var verifier: EpochManifestVerifier
        let ring: EpochKeyRing

        init(_ identity: ParticipantIdentity, host: ParticipantIdentity) {
            self.identity = identity
            verifier = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: nil)
            ring = EpochKeyRing(localIdentity: identity.fingerprint)
        }

        func receive(_ signed: SignedEpochManifest, _ sealed: [IdentityFingerprint: SealedEpochSecret]) throws {
            let verified = try verifier.accept(SignedEpochManifest(encoded: signed.encoded))
            guard let box = sealed[identity.fingerprint] else { throw FramesError.notAKeyHolder(epoch: verified.manifest.epoch) }
            try ring.install(verified, sealed: SealedEpochSecret(encoded: box.encoded), identity: identity)
        }

        func send(_ text: String) throws -> [UInt8] {
            try #require(ring.ownSender).protect(Array(text.utf8))
        }
    }

    @Test func twoParticipantsInOneEpochExchangeFrames() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var manager = KeyManager(host: host)
        let (hostClient, guestClient) = (Client(host, host: host), Client(guest, host: host))
        let (signed, sealed) = try manager.rekey(members: [host, guest])
        try hostClient.receive(signed, sealed)
        try guestClient.receive(signed, sealed)

        let fromHost = try guestClient.ring.unprotect(hostClient.send("hello from the host"))
        #expect(fromHost.plaintext == Array("hello from the host".utf8))
        #expect(fromHost.sender == .init(senderIndex: 1, source: .participant(host.fingerprint)))
        #expect(fromHost.epoch == 1)
        #expect(fromHost.keyID == (try SFrameKeyID(senderIndex: 1, epoch: 1)))
        let fromGuest = try hostClient.ring.unprotect(guestClient.send("and from the guest"))
        #expect(fromGuest.plaintext == Array("and from the guest".utf8))
        #expect(fromGuest.sender.source == .participant(guest.fingerprint))
        #expect(hostClient.ring.ownSender?.keyID == 0x101)
        #expect(guestClient.ring.ownSender?.keyID == 0x201)
    }

    /// The media path's form: the plaintext is appended to a buffer the caller reuses, and a frame
    /// that does not open leaves the buffer as it was.
    @Test func unprotectIntoABufferAppendsAndLeavesItAloneOnError() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var manager = KeyManager(host: host)
        let (hostClient, guestClient) = (Client(host, host: host), Client(guest, host: host))
        let (signed, sealed) = try manager.rekey(members: [host, guest])
        try hostClient.receive(signed, sealed)
        try guestClient.receive(signed, sealed)

        var buffer: [UInt8] = [9, 9]
        let frame = try hostClient.send("hello")
        let opened = try guestClient.ring.unprotect(frame, into: &buffer)
        #expect(buffer == [9, 9] + Array("hello".utf8))
        #expect(opened.sender == .init(senderIndex: 1, source: .participant(host.fingerprint)))
        #expect(opened.epoch == 1)
        #expect(opened.keyID == (try SFrameKeyID(senderIndex: 1, epoch: 1)))
        #expect(keyError { try guestClient.ring.unprotect(frame, into: &buffer) } == .replayedFrame(keyID: 0x101, counter: 0))
        var tampered = try hostClient.send("again")
        tampered[tampered.count - 1] ^= 1
        #expect(keyError { try guestClient.ring.unprotect(tampered, into: &buffer) } == .authenticationFailed(keyID: 0x101, counter: 1))
        #expect(buffer == [9, 9] + Array("hello".utf8))
    }

    /// Issue 6: a participant who left cannot open the next epoch's frames.
    @Test func aLeaverCannotDecryptTheNextEpoch() throws {
        let (host, guest, leaver) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(3))
        var manager = KeyManager(host: host)
        let clients = [Client(host, host: host), Client(guest, host: host), Client(leaver, host: host)]
        let (one, sealedOne) = try manager.rekey(members: [host, guest, leaver])
        for client in clients { try client.receive(one, sealedOne) }
        #expect(try clients[2].ring.unprotect(clients[0].send("epoch 1")).plaintext == Array("epoch 1".utf8))

        let (two, sealedTwo) = try manager.rekey(members: [host, guest], reason: .leave)
        for client in clients[0..<2] { try client.receive(two, sealedTwo) }
        // The leaver verifies the manifest but has no box; any other box does not open for it.
        #expect(keyError { try clients[2].receive(two, sealedTwo) } == .notAKeyHolder(epoch: 2))
        let verified = try EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: nil).verify(two)
        let hostsBox = try #require(sealedTwo[host.fingerprint])
        #expect(keyError { try hostsBox.open(with: leaver, for: verified) } == .notAKeyHolder(epoch: 2))

        let frame = try clients[0].send("epoch 2")
        #expect(try clients[1].ring.unprotect(frame).plaintext == Array("epoch 2".utf8))
        // The leaver's ring still holds epoch 1: the epoch-2 KID is unknown to it.
        #expect(keyError { try clients[2].ring.unprotect(frame) } == .unknownKeyID(0x102))
        // Even keyed for that KID from everything the leaver knows (epoch 1's secret), the tag fails.
        let oneSecret = try sealedOne[leaver.fingerprint]!.open(with: leaver, for: try #require(clients[2].ring.current))
        let guess = SFrameReceiver()
        try guess.addKey(keyID: 0x102, baseKey: oneSecret.senderBaseKey(keyID: SFrameKeyID(rawValue: 0x102)))
        #expect(keyError { try guess.unprotect(frame) } == .authenticationFailed(keyID: 0x102, counter: 0))
    }

    @Test func previousEpochStaysForLateFramesOlderOnesAreDropped() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var manager = KeyManager(host: host)
        let (hostClient, guestClient) = (Client(host, host: host), Client(guest, host: host))
        var late: [[UInt8]] = []
        for _ in 1...3 {
            let (signed, sealed) = try manager.rekey(members: [host, guest])
            try hostClient.receive(signed, sealed)
            late.append(try hostClient.send("epoch \(manager.epoch)"))
            try guestClient.receive(signed, sealed)
        }
        // Epoch 3 is current and 2 previous: epoch 2's frame opens late; epoch 1's keys are gone.
        #expect(guestClient.ring.current?.manifest.epoch == 3)
        #expect(guestClient.ring.previous?.manifest.epoch == 2)
        #expect(Set(guestClient.ring.installedKeyIDs.map(\.rawValue)) == [0x102, 0x202, 0x103, 0x203])
        let lateFrame = try guestClient.ring.unprotect(late[1])
        #expect(lateFrame.epoch == 2 && lateFrame.plaintext == Array("epoch 2".utf8))
        #expect(try guestClient.ring.unprotect(late[2]).epoch == 3)
        #expect(keyError { try guestClient.ring.unprotect(late[0]) } == .unknownKeyID(0x101))
        // The sender switched epochs at once and restarted its counter with the new key.
        #expect(hostClient.ring.ownSender?.keyID == 0x103)
        #expect(hostClient.ring.ownSender?.nextCounter == 1)
    }

    /// Epochs 256 apart share KIDs: the previous epoch is dropped rather than confused with the new one.
    @Test func epochsWhoseKIDsCollideAreNotKeptTogether() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var manager = KeyManager(host: host)
        let (hostClient, guestClient) = (Client(host, host: host), Client(guest, host: host))
        let (first, sealedFirst) = try manager.rekey(members: [host, guest])
        try hostClient.receive(first, sealedFirst)
        try guestClient.receive(first, sealedFirst)
        let old = try hostClient.send("epoch 1")
        manager.epoch = 256
        let (jump, sealedJump) = try manager.rekey(members: [host, guest])
        #expect(jump.manifest.epoch == 257)
        try hostClient.receive(jump, sealedJump)
        try guestClient.receive(jump, sealedJump)
        #expect(guestClient.ring.previous == nil)
        #expect(Set(guestClient.ring.installedKeyIDs.map(\.rawValue)) == [0x101, 0x201])
        // Same KID, other key: refused, not misread.
        #expect(keyError { try guestClient.ring.unprotect(old) } == .authenticationFailed(keyID: 0x101, counter: 0))
        #expect(try guestClient.ring.unprotect(hostClient.send("epoch 257")).epoch == 257)
    }

    @Test func refusedInstallsLeaveTheRingAsItWas() throws {
        let (host, guest, outsider) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(3))
        let secret = try KeyFixtures.secret()
        let ring = EpochKeyRing(localIdentity: guest.fingerprint)
        func verified(_ epoch: UInt64, members: [ParticipantIdentity], secret: EpochSecret) throws -> VerifiedEpochManifest {
            try VerifiedEpochManifest(
                ownManifest: KeyFixtures.signed(epoch: epoch, keyManager: host, members: members, secret: secret), keyManager: host)
        }
        try ring.install(verified(5, members: [host, guest], secret: secret), secret: secret)
        let keyIDs = Set(ring.installedKeyIDs)
        #expect(
            keyError { try ring.install(verified(5, members: [host, guest], secret: secret), secret: secret) }
                == .staleEpoch(epoch: 5, current: 5))
        #expect(
            keyError { try ring.install(verified(6, members: [host, outsider], secret: secret), secret: secret) }
                == .notAKeyHolder(epoch: 6))
        #expect(
            keyError { try ring.install(verified(6, members: [host, guest], secret: secret), secret: KeyFixtures.secret(0x01)) }
                == .secretCommitmentMismatch(epoch: 6))
        #expect(Set(ring.installedKeyIDs) == keyIDs)
        #expect(ring.current?.manifest.epoch == 5)
        #expect(ring.ownSender?.keyID == 0x205)
    }

    /// In a standard epoch the gateway sends for each phone leg, under the phone's own KID.
    @Test func gatewaySendsForPhoneLegs() throws {
        let (host, gateway) = try (KeyFixtures.host, KeyFixtures.gateway)
        let secret = try EpochSecret.random()
        let signed = try KeyFixtures.signed(
            epoch: 4, mode: .standard, keyManager: gateway, members: [host, gateway], phones: [100, 101], secret: secret)
        let gatewayRing = EpochKeyRing(localIdentity: gateway.fingerprint, sendsForPhones: true)
        try gatewayRing.install(VerifiedEpochManifest(ownManifest: signed, keyManager: gateway), secret: secret)
        #expect(gatewayRing.sender(senderIndex: 100)?.keyID == 100 << 8 | 4)
        #expect(gatewayRing.sender(senderIndex: 101)?.keyID == 101 << 8 | 4)
        #expect(gatewayRing.sender(senderIndex: 1) == nil)

        var verifier = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: gateway.publicIdentity)
        let verified = try verifier.accept(signed)
        let hostRing = EpochKeyRing(localIdentity: host.fingerprint)
        try hostRing.install(verified, sealed: SealedEpochSecret(sealing: secret, for: signed, to: host.publicIdentity), identity: host)
        #expect(hostRing.sender(senderIndex: 100) == nil)
        let phone = try hostRing.unprotect(try #require(gatewayRing.sender(senderIndex: 101)).protect([1, 2, 3]))
        #expect(phone.sender == .init(senderIndex: 101, source: .phone))
        #expect(phone.plaintext == [1, 2, 3])
        // And the gateway hears the host.
        #expect(try gatewayRing.unprotect(try #require(hostRing.ownSender).protect([4])).sender.source == .participant(host.fingerprint))
    }
}
