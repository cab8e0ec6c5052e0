import Testing

@testable import Frames

@Suite("Epoch manifests: invariants and canonical encoding")
struct EpochManifestTests {
    @Test func canonicalEncodingRoundTripsAndIsNormalized() throws {
        let (host, guest, gateway) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.gateway)
        let manifest = try KeyFixtures.manifest(
            epoch: 42, mode: .standard, keyManager: gateway, members: [guest, gateway, host], phones: [900, 17], reason: .downgrade,
            secret: KeyFixtures.secret())
        #expect(manifest.keyHolders == manifest.keyHolders.sorted())
        #expect(manifest.senders.map(\.senderIndex) == [1, 2, 3, 17, 900])
        let decoded = try EpochManifest(canonicalEncoding: manifest.canonicalEncoding)
        #expect(decoded == manifest)
        #expect(decoded.hash == manifest.hash)
        // The same content in another order is the same manifest.
        let shuffled = try EpochManifest(
            meetingID: manifest.meetingID, epoch: 42, mode: .standard, keyManager: gateway.fingerprint,
            keyHolders: manifest.keyHolders.reversed(), senders: manifest.senders.reversed(), reason: .downgrade,
            secretCommitment: manifest.secretCommitment)
        #expect(shuffled.canonicalEncoding == manifest.canonicalEncoding)
        #expect(manifest.sender(keyID: manifest.keyID(of: manifest.senders[4])) == manifest.senders[4])
        #expect(manifest.sender(keyID: try SFrameKeyID(senderIndex: 900, epoch: 43)) == nil)
    }

    @Test func coHostsAreEncodedSortedAndNamedOnce() throws {
        let (host, guest, deputy) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(2))
        let manifest = try KeyFixtures.manifest(
            epoch: 3, keyManager: host, members: [host, guest, deputy], coHosts: [deputy, guest], secret: KeyFixtures.secret())
        #expect(manifest.coHosts == [deputy.fingerprint, guest.fingerprint].sorted())
        let decoded = try EpochManifest(canonicalEncoding: manifest.canonicalEncoding)
        #expect(decoded == manifest && decoded.coHosts.count == 2)
        // Naming a co-host changes the hash: the host signs who may take over.
        let without = try KeyFixtures.manifest(epoch: 3, keyManager: host, members: [host, guest, deputy], secret: KeyFixtures.secret())
        #expect(without.hash != manifest.hash)
        // A named co-host who is away is not a key holder of this epoch, and stays named.
        let away = try KeyFixtures.manifest(
            epoch: 3, keyManager: host, members: [host, guest], coHosts: [deputy], secret: KeyFixtures.secret())
        #expect(away.coHosts == [deputy.fingerprint] && !away.isKeyHolder(deputy.fingerprint))
        #expect(
            keyError {
                try KeyFixtures.manifest(
                    epoch: 3, keyManager: host, members: [host, guest], coHosts: [guest, guest], secret: KeyFixtures.secret())
            } == .invalidManifest(reason: "a co-host is listed twice"))
    }

    @Test func invariantsAreEnforced() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let goodCommitment = try KeyFixtures.secret().commitment
        func make(
            meetingID: String = "123456789", mode: EpochManifest.Mode = .e2ee, manager: IdentityFingerprint? = nil,
            holders: [IdentityFingerprint]? = nil, senders: [EpochManifest.Sender] = [], reason: EpochManifest.Reason = .join,
            commitment: [UInt8]? = nil
        ) -> FramesError? {
            keyError {
                try EpochManifest(
                    meetingID: meetingID, epoch: 1, mode: mode, keyManager: manager ?? host.fingerprint,
                    keyHolders: holders ?? [host.fingerprint], senders: senders, reason: reason,
                    secretCommitment: commitment ?? goodCommitment)
            }
        }
        #expect(make() == nil)
        #expect(caseName(make(holders: [])) == "invalidManifest")
        #expect(caseName(make(holders: [host.fingerprint, host.fingerprint])) == "invalidManifest")
        #expect(caseName(make(manager: guest.fingerprint)) == "invalidManifest")
        #expect(caseName(make(senders: [.init(senderIndex: 1, source: .participant(guest.fingerprint))])) == "invalidManifest")
        #expect(caseName(make(senders: [.init(senderIndex: 1, source: .phone)])) == "invalidManifest")
        #expect(make(mode: .standard, senders: [.init(senderIndex: 1, source: .phone)]) == nil)
        #expect(
            caseName(make(senders: [.init(senderIndex: 1, source: .participant(host.fingerprint)), .init(senderIndex: 1, source: .phone)]))
                == "invalidManifest")
        #expect(make(senders: [.init(senderIndex: .max, source: .participant(host.fingerprint))]) == .senderIndexOutOfRange(.max))
        for badText in ["", "123 456", "123456789\n", "ünïcode", String(repeating: "1", count: 65)] {
            #expect(caseName(make(meetingID: badText)) == "invalidManifest", "\(badText)")
            #expect(caseName(make(reason: .init(rawValue: badText))) == "invalidManifest", "\(badText)")
        }
        #expect(make(meetingID: String(repeating: "1", count: 64)) == nil)
        #expect(caseName(make(commitment: [1, 2, 3])) == "invalidManifest")
        let tooMany = (0...EpochManifest.maximumKeyHolders).map {
            IdentityFingerprint(uncheckedBytes: Blake2b.hash([UInt8($0 & 0xFF), UInt8($0 >> 8)]))
        }
        #expect(caseName(make(holders: tooMany + [host.fingerprint])) == "invalidManifest")
    }

    @Test func onlyTheCanonicalFormDecodes() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let manifest = try KeyFixtures.manifest(epoch: 9, keyManager: host, members: [host, guest], secret: KeyFixtures.secret())
        let bytes = manifest.canonicalEncoding
        // Magic 23 + version 1 + meeting 2+9 + epoch 8 + mode 1 + manager 32 + commitment 32 = 108; then the holder count.
        let holders = 108 + 2
        var swapped = bytes
        swapped.replaceSubrange(holders..<holders + 64, with: Array(bytes[holders + 32..<holders + 64] + bytes[holders..<holders + 32]))
        #expect(
            keyError { try EpochManifest(canonicalEncoding: swapped) }
                == .malformedEncoding(.epochManifest, reason: "lists are not in canonical order"))
        #expect(
            keyError { try EpochManifest(canonicalEncoding: bytes + [0]) }
                == .malformedEncoding(.epochManifest, reason: "1 trailing octets"))
        var version = bytes
        version[23] = 1
        #expect(
            keyError { try EpochManifest(canonicalEncoding: version) }
                == .malformedEncoding(.epochManifest, reason: "unsupported version 1"))
        var mode = bytes
        mode[23 + 1 + 2 + 9 + 8] = 3
        #expect(keyError { try EpochManifest(canonicalEncoding: mode) } == .malformedEncoding(.epochManifest, reason: "unknown mode 3"))
        var magic = bytes
        magic[0] ^= 0x20
        #expect(
            keyError { try EpochManifest(canonicalEncoding: magic) } == .malformedEncoding(.epochManifest, reason: "not an epoch manifest"))
        for cut in 0..<bytes.count {
            #expect(caseName(keyError { try EpochManifest(canonicalEncoding: Array(bytes.prefix(cut))) }) == "malformedEncoding")
        }
    }
}
