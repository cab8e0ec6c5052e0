import Frames
import Meetings
import Testing

@testable import ParticipantClient

/// The client side of an `e2ee` meeting (issue 6), without sockets: the host's `MeetingKeys` makes each
/// epoch, the guests verify and install what the gateway would relay, a co-host takes over while the
/// host is away, and every forged or replayed epoch is refused with its reason.
@Suite struct E2EEMeetingKeysTests {
    static let meetingID = LocalGateway.meetingID
    static let host = try! LocalGateway.identity(0)
    static let bob = try! LocalGateway.identity(1)
    static let carol = try! LocalGateway.identity(2)

    /// Roster entries as the gateway shows them: id and sender index = position + 1, identities public.
    static func roster(_ members: [(ParticipantIdentity, String)], hostIndex: Int? = 0) -> [Participant] {
        members.enumerated().map { index, member in
            Participant(
                id: ParticipantID(rawValue: UInt32(index + 1)), name: member.1, kind: .app,
                senderIndex: SenderIndex(rawValue: UInt32(index + 1)),
                fingerprint: member.0.fingerprint.description, role: index == hostIndex ? .host : .guest,
                identity: IdentityKeys(member.0.publicIdentity))
        }
    }

    static func welcome(
        for id: UInt32, roster: [Participant], epoch: UInt64? = nil, hostKeys: ParticipantIdentity? = host,
        delegation: SignedManifestCopy? = nil
    ) -> Welcome {
        Welcome(
            participant: ParticipantID(rawValue: id), senderIndex: SenderIndex(rawValue: id), meeting: meetingID, mode: .e2ee,
            roster: roster, keyManager: hostKeys.map { IdentityKeys($0.publicIdentity) }, epoch: epoch, delegation: delegation)
    }

    /// What the gateway relays to participant `id` of a `rekey`.
    static func announcement(_ rekey: Rekey, to id: UInt32) throws -> EpochAnnouncement {
        let delivery = try #require(rekey.sealed.first { $0.participant.rawValue == id })
        return rekey.announcement(for: delivery)
    }

    @Test func theHostKeysEveryoneAndTheyAllShowOneSecurityCode() throws {
        let roster = Self.roster([(Self.host, "Alice"), (Self.bob, "Bob"), (Self.carol, "Carol")])
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 1, roster: roster), role: .host)
        let bob = try MeetingKeys(
            identity: Self.bob, welcome: Self.welcome(for: 2, roster: roster), role: .guest, expectedHost: Self.host.fingerprint)
        let carol = try MeetingKeys(identity: Self.carol, welcome: Self.welcome(for: 3, roster: roster), role: .guest)
        #expect(alice.managesKeys(present: roster) && !bob.managesKeys(present: roster))

        let (rekey, own) = try alice.makeEpoch(present: roster, reason: .start)
        #expect(rekey.epoch == 1 && own.mode == .e2ee && own.keyHolders == 3 && !own.keyManagerHoldsKey)
        #expect(Set(rekey.sealed.map(\.participant)) == [2, 3], "sealed to the others, not to itself")
        let bobInfo = try bob.install(Self.announcement(rekey, to: 2))
        let carolInfo = try carol.install(Self.announcement(rekey, to: 3))
        #expect(bobInfo.securityCode == own.securityCode && carolInfo.securityCode == own.securityCode)
        #expect(bobInfo.signer == Self.host.fingerprint)
        #expect(bobInfo.keyHolderFingerprints == [Self.host, Self.bob, Self.carol].map(\.fingerprint).sorted())

        // A frame from Bob opens for Alice and Carol.
        let frame = try #require(bob.ring.ownSender).protect([1, 2, 3])
        #expect(try alice.ring.unprotect(frame).plaintext == [1, 2, 3])
        #expect(try carol.ring.unprotect(frame).plaintext == [1, 2, 3])

        // Carol leaves: the next epoch is not sealed to her and she cannot open its frames.
        let (next, _) = try alice.makeEpoch(present: Array(roster.prefix(2)), reason: .leave)
        #expect(next.epoch == 2 && next.sealed.map(\.participant) == [2])
        try bob.install(Self.announcement(next, to: 2))
        let later = try #require(bob.ring.ownSender).protect([4, 5, 6])
        #expect(try alice.ring.unprotect(later).plaintext == [4, 5, 6])
        #expect(throws: FramesError.self) { try carol.ring.unprotect(later) }
        #expect(!carol.ring.installedKeyIDs.contains(try SFrameKeyID(senderIndex: 2, epoch: 2)))
    }

    @Test func aGatewayNamingAnotherHostIsCaughtByTheFingerprintThePersonWasGiven() throws {
        let impostor = try LocalGateway.identity(5)
        let roster = Self.roster([(impostor, "Alice"), (Self.bob, "Bob")])
        let welcome = Self.welcome(for: 2, roster: roster, hostKeys: impostor)
        #expect(throws: ParticipantClientError.self) {
            try MeetingKeys(identity: Self.bob, welcome: welcome, role: .guest, expectedHost: Self.host.fingerprint)
        }
        // Without the fingerprint, the client trusts the gateway's word (trust on first use; docs/e2ee.md).
        #expect(try MeetingKeys(identity: Self.bob, welcome: welcome, role: .guest).host?.fingerprint == impostor.fingerprint)
    }

    @Test func forgedStaleAlteredAndReplayedEpochsAreRefusedWithTheirReason() throws {
        let roster = Self.roster([(Self.host, "Alice"), (Self.bob, "Bob"), (Self.carol, "Carol")])
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 1, roster: roster), role: .host)
        let bob = try MeetingKeys(identity: Self.bob, welcome: Self.welcome(for: 2, roster: roster), role: .guest)
        let (first, _) = try alice.makeEpoch(present: roster, reason: .start)
        try bob.install(Self.announcement(first, to: 2))

        func reason(_ announcement: EpochAnnouncement) -> String? {
            do {
                try bob.install(announcement, participants: roster.compactMap { try? PublicIdentity($0.identity!) })
                return nil
            } catch {
                if case .epochRefused(_, let cause) = error { return "\(cause)" }
                return "\(error)"
            }
        }
        // Wrong signer: Carol (a participant, not named co-host) signs an epoch of her own.
        let carolsRoster = roster
        let carol = try MeetingKeys(
            identity: Self.carol, welcome: Self.welcome(for: 3, roster: carolsRoster, hostKeys: Self.carol), role: .host)
        let (forged, _) = try carol.makeEpoch(present: roster, reason: .join)
        #expect(reason(try Self.announcement(forged, to: 2))?.contains("signed by \(Self.carol.fingerprint)") == true)
        // Stale: the first epoch again.
        #expect(reason(try Self.announcement(first, to: 2))?.contains("epoch 1 is not after the current epoch 1") == true)
        // Altered key-holder list: a real epoch 2 with Mallory added to its key holders, signature kept.
        let (second, _) = try alice.makeEpoch(present: roster, reason: .join)
        var altered = try Self.announcement(second, to: 2)
        let genuine = try EpochManifest(canonicalEncoding: altered.manifest)
        let mallory = try LocalGateway.identity(6)
        altered.manifest =
            try EpochManifest(
                meetingID: genuine.meetingID, epoch: genuine.epoch, mode: genuine.mode, keyManager: genuine.keyManager,
                keyHolders: genuine.keyHolders + [mallory.fingerprint], coHosts: genuine.coHosts, senders: genuine.senders,
                reason: genuine.reason, secretCommitment: genuine.secretCommitment
            ).canonicalEncoding
        #expect(reason(altered) == "epoch manifest refused: bad signature")
        // A replayed sealed secret: epoch 2's manifest with epoch 1's sealed secret.
        var replayed = try Self.announcement(second, to: 2)
        replayed.sealedSecret = try Self.announcement(first, to: 2).sealedSecret
        #expect(reason(replayed)?.contains("sealed for another manifest") == true)
        // The genuine epoch 2 still installs: nothing refused changed the keys.
        #expect(reason(try Self.announcement(second, to: 2)) == nil)
    }

    @Test func aCoHostKeepsTheKeysTurningWhileTheHostIsAwayAndALateJoinerTrustsIt() throws {
        let everyone = Self.roster([(Self.host, "Alice"), (Self.bob, "Bob"), (Self.carol, "Carol")])
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 1, roster: everyone), role: .host)
        let bob = try MeetingKeys(identity: Self.bob, welcome: Self.welcome(for: 2, roster: everyone), role: .guest)
        let carol = try MeetingKeys(identity: Self.carol, welcome: Self.welcome(for: 3, roster: everyone), role: .guest)
        let (first, _) = try alice.makeEpoch(present: everyone, reason: .start, coHosts: [Self.bob.fingerprint])
        try bob.install(Self.announcement(first, to: 2))
        try carol.install(Self.announcement(first, to: 3))

        // The host leaves: Bob (named) manages, Carol does not.
        let withoutHost = Array(everyone.dropFirst())
        #expect(bob.managesKeys(present: withoutHost) && !carol.managesKeys(present: withoutHost))
        let (byBob, _) = try bob.makeEpoch(present: withoutHost, reason: .leave)
        let identities = withoutHost.compactMap { try? PublicIdentity($0.identity!) }
        #expect(try carol.install(Self.announcement(byBob, to: 3), participants: identities).signer == Self.bob.fingerprint)

        // Dave joins while the host is away; welcome carries the host's manifest naming Bob.
        let dave = try LocalGateway.identity(3)
        var roster = withoutHost
        roster.append(
            Participant(
                id: 4, name: "Dave", kind: .app, senderIndex: 4, role: .guest, identity: IdentityKeys(dave.publicIdentity)))
        let delegation = SignedManifestCopy(manifest: first.manifest, signature: first.signature)
        let daves = try MeetingKeys(
            identity: dave, welcome: Self.welcome(for: 4, roster: roster, epoch: 2, delegation: delegation), role: .guest)
        let (toDave, _) = try bob.makeEpoch(present: roster, reason: .join)
        #expect(toDave.epoch == 3)
        let info = try daves.install(
            Self.announcement(toDave, to: 4), participants: roster.compactMap { try? PublicIdentity($0.identity!) })
        #expect(info.signer == Self.bob.fingerprint && info.coHosts == [Self.bob.fingerprint])

        // Without a delegation, the same epoch from Bob is refused: keys come from the host or whom it named.
        let undelegated = try MeetingKeys(identity: dave, welcome: Self.welcome(for: 4, roster: roster, epoch: 2), role: .guest)
        #expect(throws: ParticipantClientError.self) {
            try undelegated.install(Self.announcement(toDave, to: 4), participants: roster.compactMap { try? PublicIdentity($0.identity!) })
        }
        // The host returns and takes over above the newest epoch.
        let back = Self.roster([(Self.bob, "Bob"), (Self.carol, "Carol"), (dave, "Dave"), (Self.host, "Alice")], hostIndex: 3)
        let returning = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 4, roster: back, epoch: 3), role: .host)
        #expect(!bob.managesKeys(present: back) && returning.managesKeys(present: back))
        let (resumed, _) = try returning.makeEpoch(present: back, reason: .join)
        #expect(resumed.epoch == 4)
        #expect(try carol.install(Self.announcement(resumed, to: 2)).signer == Self.host.fingerprint)
    }

    @Test func aGuestWhoJoinedBeforeTheHostLearnsTheHostWhenItArrives() throws {
        let early = Self.roster([(Self.bob, "Bob")], hostIndex: nil)
        let bob = try MeetingKeys(
            identity: Self.bob, welcome: Self.welcome(for: 1, roster: early, hostKeys: nil), role: .guest,
            expectedHost: Self.host.fingerprint)
        #expect(bob.host == nil)
        let impostor = try LocalGateway.identity(5)
        let fake = Participant(
            id: 2, name: "Alice", kind: .app, senderIndex: 2, role: .host, identity: IdentityKeys(impostor.publicIdentity))
        #expect(throws: ParticipantClientError.self) { try bob.learnHost(from: fake) }
        #expect(bob.host == nil)

        let roster = [
            early[0],
            Participant(id: 2, name: "Alice", kind: .app, senderIndex: 2, role: .host, identity: IdentityKeys(Self.host.publicIdentity)),
        ]
        try bob.learnHost(from: roster[1])
        #expect(bob.host?.fingerprint == Self.host.fingerprint)
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 2, roster: roster), role: .host)
        let (rekey, _) = try alice.makeEpoch(present: roster, reason: .join)
        #expect(try bob.install(Self.announcement(rekey, to: 1)).signer == Self.host.fingerprint)
    }

    @Test func aCoHostKeysEvenWhenAnotherNamedCoHostIsAway() throws {
        let dave = try LocalGateway.identity(3)
        let everyone = Self.roster([(Self.host, "Alice"), (Self.bob, "Bob"), (Self.carol, "Carol"), (dave, "Dave")])
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 1, roster: everyone), role: .host)
        let bob = try MeetingKeys(identity: Self.bob, welcome: Self.welcome(for: 2, roster: everyone), role: .guest)
        let dave4 = try MeetingKeys(identity: dave, welcome: Self.welcome(for: 4, roster: everyone), role: .guest)
        let (first, _) = try alice.makeEpoch(present: everyone, reason: .start, coHosts: [Self.bob.fingerprint, Self.carol.fingerprint])
        try bob.install(Self.announcement(first, to: 2))
        try dave4.install(Self.announcement(first, to: 4))
        // Alice and Carol (also named) are away: Bob keys Dave, repeating the host's list.
        let left = [everyone[1], everyone[3]]
        #expect(bob.managesKeys(present: left))
        let (rekey, info) = try bob.makeEpoch(present: left, reason: .leave)
        #expect(info.coHosts == [Self.bob.fingerprint, Self.carol.fingerprint].sorted())
        let identities = left.compactMap { try? PublicIdentity($0.identity!) }
        #expect(try dave4.install(Self.announcement(rekey, to: 4), participants: identities).signer == Self.bob.fingerprint)
    }

    /// Issue 7: the host consents to a downgrade. Its `standard` epoch names the gateway as a key holder
    /// and every phone as a sender, seals a copy to the gateway, and every guest sees from the signed
    /// manifest that someone outside the meeting holds this epoch; the gateway's copy opens and lets it
    /// send for the phone. The next `e2ee` epoch leaves the gateway out again, and only the host may
    /// consent.
    @Test func aDowngradeNamesTheGatewayAndEveryoneCanSeeItThenTheUpgradeDropsIt() throws {
        let gateway = try LocalGateway.identity(7)
        var roster = Self.roster([(Self.host, "Alice"), (Self.bob, "Bob")])
        roster.append(Participant(id: 3, name: "Phone ••• 4567", kind: .phone, senderIndex: 3))
        let alice = try MeetingKeys(identity: Self.host, welcome: Self.welcome(for: 1, roster: roster), role: .host)
        let bob = try MeetingKeys(identity: Self.bob, welcome: Self.welcome(for: 2, roster: roster), role: .guest)
        let here = [Self.host.publicIdentity, Self.bob.publicIdentity]
        try bob.install(Self.announcement(try alice.makeEpoch(present: roster, reason: .start).0, to: 2), participants: here)
        #expect(throws: ParticipantClientError.self) {
            try bob.makeEpoch(present: roster, reason: .downgrade, downgradedFor: gateway.publicIdentity)
        }

        let (rekey, own) = try alice.makeEpoch(present: roster, reason: .downgrade, downgradedFor: gateway.publicIdentity)
        #expect(own.mode == .standard && own.keyHolders == 3 && own.senders == 3)
        #expect(own.keyHoldersOutsideRoster == [gateway.fingerprint])
        let bobInfo = try bob.install(Self.announcement(rekey, to: 2), participants: here)
        #expect(bobInfo.mode == .standard && bobInfo.keyHoldersOutsideRoster == [gateway.fingerprint])
        #expect(bobInfo.signer == Self.host.fingerprint && bobInfo.securityCode == own.securityCode)

        // The gateway opens its copy and sends for the phone (sender 3); Bob hears it.
        let signed = try SignedEpochManifest(canonicalEncoding: rekey.manifest, signature: rekey.signature)
        let verified = try EpochManifestVerifier(
            meetingID: Self.meetingID, host: Self.host.publicIdentity, gateway: nil, currentEpoch: 1, currentMode: .e2ee
        )
        .verify(signed)
        let ring = EpochKeyRing(localIdentity: gateway.fingerprint, sendsForPhones: true)
        try ring.install(verified, sealed: try SealedEpochSecret(encoded: try #require(rekey.gatewaySealedSecret)), identity: gateway)
        let phoneFrame = try #require(ring.sender(senderIndex: 3)).protect([9, 9, 9])
        #expect(try bob.ring.unprotect(phoneFrame).plaintext == [9, 9, 9])

        // Back to e2ee: no gateway among the key holders, nothing outside the roster, no gateway copy.
        let (upgrade, upgraded) = try alice.makeEpoch(present: roster, reason: .upgrade)
        #expect(upgrade.gatewaySealedSecret == nil && upgraded.mode == .e2ee && upgraded.keyHoldersOutsideRoster.isEmpty)
        let back = try bob.install(Self.announcement(upgrade, to: 2), participants: here)
        #expect(back.mode == .e2ee && back.keyHoldersOutsideRoster.isEmpty && back.senders == 2)
        let frame = try #require(alice.ring.ownSender).protect([1])
        #expect(throws: FramesError.self) { try ring.unprotect(frame) }
    }
}
