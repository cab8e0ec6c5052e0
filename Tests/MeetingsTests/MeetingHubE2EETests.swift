import Frames
import Testing

@testable import Meetings

/// An `e2ee` meeting's hub, event by event (issue 6): the host's client makes the epochs and the hub only
/// relays them, after the checks a client would make; it never starts an epoch of its own, and phone
/// legs cannot join.
@Suite struct MeetingHubE2EETests {
    /// Real identities (the hub verifies signatures): 0 the host, 1 and 2 guests, 7 the gateway.
    static func identity(_ number: UInt8) -> ParticipantIdentity {
        try! ParticipantIdentity(seed: (0..<32).map { number &* 32 &+ $0 })
    }

    static let host = identity(0)
    static let bob = identity(1)
    static let carol = identity(2)
    static let gateway = identity(7)

    struct Meeting {
        var harness: HubHarness
        var ids: [IdentityFingerprint: ParticipantID] = [:]

        init(mode: MeetingMode = .e2ee) {
            let record = Fixtures.record(mode: mode, hostSigningKey: MeetingHubE2EETests.host.publicIdentity.signingKey)
            harness = HubHarness(record: record)
            harness.hub = MeetingHub(record: record, gateway: MeetingHubE2EETests.gateway.publicIdentity)
        }

        mutating func join(_ identity: ParticipantIdentity, _ name: String, role: ParticipantRole = .guest) -> [MeetingHub.Action] {
            let result = harness.join(
                Fixtures.hello(name: name, role: role, identity: IdentityKeys(identity.publicIdentity)),
                record: Fixtures.record(mode: harness.hub.mode, hostSigningKey: MeetingHubE2EETests.host.publicIdentity.signingKey))
            ids[identity.fingerprint] = result.id
            return result.actions
        }

        func id(_ identity: ParticipantIdentity) -> ParticipantID { ids[identity.fingerprint]! }

        /// A `rekey` signed by `manager` for `holders` (each sealed to), as a client makes it.
        func rekey(
            by manager: ParticipantIdentity, epoch: UInt64, holders: [ParticipantIdentity], coHosts: [ParticipantIdentity] = [],
            extraHolders: [IdentityFingerprint] = [], meetingID: String = Fixtures.meetingID, mode: EpochManifest.Mode = .e2ee
        ) -> Rekey {
            let secret = try! EpochSecret.random()
            let senders = holders.map {
                EpochManifest.Sender(senderIndex: UInt64(harness.senderIndex(of: id($0)).rawValue), source: .participant($0.fingerprint))
            }
            let manifest = try! EpochManifest(
                meetingID: meetingID, epoch: epoch, mode: mode, keyManager: manager.fingerprint,
                keyHolders: holders.map(\.fingerprint) + extraHolders, coHosts: coHosts.map(\.fingerprint), senders: senders,
                reason: .join, secret: secret)
            let signed = try! SignedEpochManifest(signing: manifest, as: manager)
            let deliveries = holders.filter { $0.fingerprint != manager.fingerprint }.map {
                Rekey.Delivery(
                    participant: id($0), sealedSecret: try! SealedEpochSecret(sealing: secret, for: signed, to: $0.publicIdentity).encoded)
            }
            return Rekey(epoch: epoch, manifest: signed.canonicalEncoding, signature: signed.signature, sealed: deliveries)
        }

        mutating func send(_ rekey: Rekey, from identity: ParticipantIdentity) -> [MeetingHub.Action] {
            harness.hub.handle(.command(from: id(identity), .rekey(rekey)))
        }
    }

    /// The `rekeyRefused` reason sent back to `id`, if any.
    static func refusal(_ actions: [MeetingHub.Action], to id: ParticipantID) -> String? {
        actions.messages(to: id).lazy.compactMap { message -> String? in
            if case .error(let code, let reason) = message, code == .rekeyRefused { return reason }
            return nil
        }.first
    }

    static func relayed(_ actions: [MeetingHub.Action]) -> [ParticipantID: EpochAnnouncement] {
        var relayed: [ParticipantID: EpochAnnouncement] = [:]
        for case .send(.epoch(let announcement), let to) in actions { relayed[to] = announcement }
        return relayed
    }

    @Test func joinsStartNoGatewayEpochAndTheRosterCarriesIdentitiesAndTheHost() throws {
        var meeting = Meeting()
        let hostJoin = meeting.join(Self.host, "Alice", role: .host)
        let bobJoin = meeting.join(Self.bob, "Bob")
        #expect(hostJoin.epochs.isEmpty && bobJoin.epochs.isEmpty, "the gateway makes no e2ee epoch")
        guard case .welcome(let welcome) = bobJoin.messages(to: meeting.id(Self.bob)).first else {
            Issue.record("no welcome")
            return
        }
        #expect(welcome.mode == .e2ee)
        #expect(welcome.keyManager == IdentityKeys(Self.host.publicIdentity), "e2ee: the host's identity, not the gateway's")
        #expect(welcome.epoch == nil && welcome.delegation == nil)
        #expect(welcome.roster.map(\.role) == [.host, .guest])
        #expect(welcome.roster.map(\.identity) == [IdentityKeys(Self.host.publicIdentity), IdentityKeys(Self.bob.publicIdentity)])
    }

    @Test func theHostsRekeyIsRelayedUnchangedToEachRecipientOnly() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        _ = meeting.join(Self.carol, "Carol")
        let rekey = meeting.rekey(by: Self.host, epoch: 3, holders: [Self.host, Self.bob, Self.carol])
        let actions = meeting.send(rekey, from: Self.host)
        let relayed = Self.relayed(actions)
        #expect(Set(relayed.keys) == [meeting.id(Self.bob), meeting.id(Self.carol)])
        for delivery in rekey.sealed { #expect(relayed[delivery.participant] == rekey.announcement(for: delivery)) }
        #expect(actions.count == 2, "nothing else: \(actions)")
        #expect(meeting.harness.hub.epoch == 3)

        // A later joiner learns the newest epoch number and the host's manifest (no secret).
        let dave = Self.identity(3)
        guard case .welcome(let welcome) = meeting.join(dave, "Dave").messages(to: meeting.id(dave)).first else {
            Issue.record("no welcome")
            return
        }
        #expect(welcome.epoch == 3)
        #expect(welcome.delegation == SignedManifestCopy(manifest: rekey.manifest, signature: rekey.signature))
    }

    @Test func rekeysThatAClientWouldRefuseAreNotRelayed() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        _ = meeting.join(Self.carol, "Carol")
        let everyone = [Self.host, Self.bob, Self.carol]
        #expect(Self.relayed(meeting.send(meeting.rekey(by: Self.host, epoch: 5, holders: everyone), from: Self.host)).count == 2)
        let host = meeting.id(Self.host)

        func refused(_ rekey: Rekey, from sender: ParticipantIdentity = MeetingHubE2EETests.host) -> String? {
            let actions = meeting.send(rekey, from: sender)
            #expect(Self.relayed(actions).isEmpty)
            return Self.refusal(actions, to: meeting.id(sender))
        }
        #expect(refused(meeting.rekey(by: Self.bob, epoch: 6, holders: everyone), from: Self.bob)?.contains("signed by") == true)
        #expect(refused(meeting.rekey(by: Self.host, epoch: 5, holders: everyone))?.contains("not after the current epoch 5") == true)
        #expect(
            refused(meeting.rekey(by: Self.host, epoch: 6, holders: everyone, extraHolders: [Self.gateway.fingerprint]))?
                .contains("lists the gateway as a key holder") == true)
        #expect(refused(meeting.rekey(by: Self.host, epoch: 6, holders: everyone, meetingID: "987654321"))?.contains("987654321") == true)
        // The host's genuine manifest, sent by someone else.
        #expect(refused(meeting.rekey(by: Self.host, epoch: 6, holders: everyone), from: Self.bob)?.contains("its own manifests") == true)

        var notAHolder = meeting.rekey(by: Self.host, epoch: 6, holders: [Self.host, Self.bob])
        notAHolder.sealed.append(.init(participant: meeting.id(Self.carol), sealedSecret: notAHolder.sealed[0].sealedSecret))
        #expect(refused(notAHolder)?.contains("participant \(meeting.id(Self.carol).rawValue) is not a key holder") == true)
        var twice = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        twice.sealed.append(twice.sealed[0])
        #expect(refused(twice)?.contains("listed twice") == true)
        var stranger = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        stranger.sealed[0].participant = 99
        #expect(refused(stranger)?.contains("participant 99 is not an app participant") == true)
        var toSelf = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        toSelf.sealed[0].participant = host
        #expect(refused(toSelf)?.contains("is the sender") == true)
        var short = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        short.sealed[0].sealedSecret.removeLast()
        #expect(refused(short)?.contains("a sealed secret is") == true)
        var altered = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        altered.manifest[altered.manifest.count - 1] ^= 1
        #expect(refused(altered)?.contains("bad signature") == true)
        var mislabelled = meeting.rekey(by: Self.host, epoch: 6, holders: everyone)
        mislabelled.epoch = 7
        #expect(refused(mislabelled)?.contains("the manifest is for epoch 6") == true)
        #expect(meeting.harness.hub.epoch == 5, "nothing refused moved the epoch")
        // Still fine after all that.
        #expect(Self.relayed(meeting.send(meeting.rekey(by: Self.host, epoch: 6, holders: everyone), from: Self.host)).count == 2)
    }

    @Test func aCoHostTheHostNamedManagesTheKeysWhileTheHostIsAway() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        _ = meeting.join(Self.carol, "Carol")
        let everyone = [Self.host, Self.bob, Self.carol]
        _ = meeting.send(meeting.rekey(by: Self.host, epoch: 1, holders: everyone, coHosts: [Self.bob]), from: Self.host)
        let left = meeting.harness.hub.handle(.leave(meeting.id(Self.host)))
        #expect(left.epochs.isEmpty)
        // Carol was not named: refused. Bob was: relayed, keeping the host's co-host list.
        #expect(
            Self.refusal(
                meeting.send(meeting.rekey(by: Self.carol, epoch: 2, holders: [Self.bob, Self.carol]), from: Self.carol),
                to: meeting.id(Self.carol)) != nil)
        let byBob = meeting.rekey(by: Self.bob, epoch: 2, holders: [Self.bob, Self.carol], coHosts: [Self.bob])
        #expect(Set(Self.relayed(meeting.send(byBob, from: Self.bob)).keys) == [meeting.id(Self.carol)])
        // A joiner still gets the host's manifest (which names Bob), not Bob's.
        let dave = Self.identity(3)
        guard case .welcome(let welcome) = meeting.join(dave, "Dave").messages(to: meeting.id(dave)).first else {
            Issue.record("no welcome")
            return
        }
        #expect(welcome.epoch == 2)
        #expect(
            try SignedEpochManifest(canonicalEncoding: welcome.delegation!.manifest, signature: welcome.delegation!.signature)
                .manifest.keyManager == Self.host.fingerprint)
    }

    @Test func beforeTheHostJoinedAndInStandardMeetingsNoRekeyIsRelayed() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.bob, "Bob")
        _ = meeting.join(Self.carol, "Carol")
        let early = meeting.send(meeting.rekey(by: Self.bob, epoch: 1, holders: [Self.bob, Self.carol]), from: Self.bob)
        #expect(Self.refusal(early, to: meeting.id(Self.bob))?.contains("the host has not joined") == true)

        var standard = Meeting(mode: .standard)
        _ = standard.join(Self.host, "Alice", role: .host)
        _ = standard.join(Self.bob, "Bob")
        let actions = standard.send(standard.rekey(by: Self.host, epoch: 9, holders: [Self.host, Self.bob]), from: Self.host)
        #expect(Self.refusal(actions, to: standard.id(Self.host))?.contains("the gateway manages the keys") == true)
    }

    @Test func phonesCannotJoinAndFramesOnlyGoToAppParticipants() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        let phone = meeting.harness.hub.handle(.phoneJoin("call-1", displayName: "Phone", muted: false, now: Fixtures.start))
        #expect(phone == [.removePhoneLeg("call-1", reason: "the meeting is end-to-end encrypted and phones cannot join it")])
        let sender = UInt64(meeting.harness.senderIndex(of: meeting.id(Self.host)).rawValue)
        let frame = Fixtures.frame(sender: sender, epoch: 1)
        let actions = meeting.harness.hub.handle(.frame(from: meeting.id(Self.host), frame))
        #expect(actions == [.forward(frame, from: meeting.id(Self.host), to: [meeting.id(Self.bob)])], "no phone mix, byte-identical")
        // A phone refused by policy is never silent: every app participant hears of it.
        let refused = meeting.harness.hub.handle(.phoneRefused(displayName: "Phone ••• 4567", reason: "End-to-end encrypted meeting"))
        let notice = ParticipantMessage.notice(Notice(event: .phoneRefused, name: "Phone ••• 4567", reason: "End-to-end encrypted meeting"))
        #expect(refused == [.send(notice, to: meeting.id(Self.host)), .send(notice, to: meeting.id(Self.bob))])
    }

    @Test func aRecipientWhoLeftMeanwhileIsSkipped() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        _ = meeting.join(Self.carol, "Carol")
        let rekey = meeting.rekey(by: Self.host, epoch: 1, holders: [Self.host, Self.bob, Self.carol])
        _ = meeting.harness.hub.handle(.leave(meeting.id(Self.carol)))
        #expect(Set(Self.relayed(meeting.send(rekey, from: Self.host)).keys) == [meeting.id(Self.bob)])
    }

    @Test func oneConnectionPerIdentityAndNoCoHostKeysWhileTheHostIsHere() throws {
        var meeting = Meeting()
        _ = meeting.join(Self.host, "Alice", role: .host)
        _ = meeting.join(Self.bob, "Bob")
        // Bob's identity again (a replay, or a second device): refused, the first Bob stays.
        let again = meeting.harness.join(Fixtures.hello(name: "Bob 2", identity: IdentityKeys(Self.bob.publicIdentity)))
        #expect(again.id == nil)
        guard case .refuse(_, .error(let code, _), let close, _)? = again.actions.first else {
            Issue.record("not refused: \(again.actions)")
            return
        }
        #expect(code == .identityInUse && close == .policyViolation)
        #expect(meeting.harness.hub.roster.count == 2)

        // Bob is named co-host, but the host is here: only the host keys.
        _ = meeting.join(Self.carol, "Carol")
        let everyone = [Self.host, Self.bob, Self.carol]
        _ = meeting.send(meeting.rekey(by: Self.host, epoch: 1, holders: everyone, coHosts: [Self.bob]), from: Self.host)
        let early = meeting.send(meeting.rekey(by: Self.bob, epoch: 2, holders: everyone, coHosts: [Self.bob]), from: Self.bob)
        #expect(Self.refusal(early, to: meeting.id(Self.bob))?.contains("signed by") == true)
    }
}
