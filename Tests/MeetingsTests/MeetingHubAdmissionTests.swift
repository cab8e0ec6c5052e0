import Frames
import Testing

@testable import Meetings

/// A phone caller meets an `e2ee` meeting (issue 7), event by event: the lobby, the host's consent, the
/// host-signed downgrade that names the gateway, the upgrade that removes phones or is blocked, and the
/// guarantee that no frame of an `e2ee` epoch ever reaches the phone mix.
@Suite struct MeetingHubAdmissionTests {
    typealias E2EE = MeetingHubE2EETests
    static let leg: PhoneLegID = "call-1"
    static let lobby = PhoneAdmission(kind: .lobby, timeout: .seconds(30))

    /// Alice (host) and Bob in an `e2ee` meeting keyed by Alice at epoch 1.
    static func meeting() -> E2EE.Meeting {
        var meeting = E2EE.Meeting()
        _ = meeting.join(E2EE.host, "Alice", role: .host)
        _ = meeting.join(E2EE.bob, "Bob")
        _ = meeting.send(meeting.rekey(by: E2EE.host, epoch: 1, holders: [E2EE.host, E2EE.bob]), from: E2EE.host)
        return meeting
    }

    /// The host's `standard` epoch for everyone here, the gateway a key holder with its sealed copy, every
    /// phone leg in the roster a sender (what `MeetingKeys.makeEpoch(downgradedFor:)` makes).
    static func downgrade(_ meeting: E2EE.Meeting, epoch: UInt64, sealToGateway: Bool = true) -> Rekey {
        let hub = meeting.harness.hub
        let holders = [E2EE.host, E2EE.bob]
        let secret = try! EpochSecret.random()
        let senders =
            holders.map {
                EpochManifest.Sender(
                    senderIndex: UInt64(meeting.harness.senderIndex(of: meeting.id($0)).rawValue), source: .participant($0.fingerprint))
            }
            + hub.roster.filter { $0.kind == .phone }.map {
                EpochManifest.Sender(senderIndex: UInt64($0.senderIndex.rawValue), source: .phone)
            }
        let manifest = try! EpochManifest(
            meetingID: Fixtures.meetingID, epoch: epoch, mode: .standard, keyManager: E2EE.host.fingerprint,
            keyHolders: holders.map(\.fingerprint) + [E2EE.gateway.fingerprint], senders: senders, reason: .downgrade, secret: secret)
        let signed = try! SignedEpochManifest(signing: manifest, as: E2EE.host)
        let toBob = Rekey.Delivery(
            participant: meeting.id(E2EE.bob),
            sealedSecret: try! SealedEpochSecret(sealing: secret, for: signed, to: E2EE.bob.publicIdentity).encoded)
        return Rekey(
            epoch: epoch, manifest: signed.canonicalEncoding, signature: signed.signature, sealed: [toBob],
            gatewaySealedSecret: sealToGateway
                ? try! SealedEpochSecret(sealing: secret, for: signed, to: E2EE.gateway.publicIdentity).encoded : nil)
    }

    static func ask(_ meeting: inout E2EE.Meeting, _ leg: PhoneLegID = leg, admission: PhoneAdmission = lobby) -> [MeetingHub.Action] {
        meeting.harness.hub.handle(.phoneJoin(leg, displayName: "Phone ••• 4567", muted: false, now: Fixtures.start, admission: admission))
    }

    static func answer(_ meeting: inout E2EE.Meeting, accept: Bool, by who: ParticipantIdentity = E2EE.host, request: UInt32 = 1)
        -> [MeetingHub.Action]
    {
        meeting.harness.hub.handle(
            .command(from: meeting.id(who), .admission(request: AdmissionRequestID(rawValue: request), accept: accept)))
    }

    static func audits(_ actions: [MeetingHub.Action]) -> [String] {
        actions.compactMap { if case .audit(let kind, _, _) = $0 { kind } else { nil } }
    }

    static func admitted(_ actions: [MeetingHub.Action]) -> ParticipantID? {
        actions.lazy.compactMap { if case .admit(.phoneLeg, let id, _) = $0 { id } else { nil } }.first
    }

    static func notices(_ actions: [MeetingHub.Action], to id: ParticipantID) -> [Notice.Event] {
        actions.messages(to: id).compactMap { if case .notice(let notice) = $0 { notice.event } else { nil } }
    }

    /// A meeting downgraded for the lobby caller, who is in.
    static func downgraded() -> (E2EE.Meeting, phone: ParticipantID) {
        var meeting = meeting()
        _ = ask(&meeting)
        _ = answer(&meeting, accept: true)
        let actions = meeting.send(downgrade(meeting, epoch: 2), from: E2EE.host)
        return (meeting, admitted(actions)!)
    }

    @Test func theLobbyCallerWaitsAndTheHostsConsentDowngradesTheMeetingThenLetsThemIn() throws {
        var meeting = Self.meeting()
        let (alice, bob) = (meeting.id(E2EE.host), meeting.id(E2EE.bob))
        let asked = Self.ask(&meeting)
        #expect(asked.first == .holdPhoneLeg(Self.leg, timeout: .seconds(30)))
        #expect(Self.admitted(asked) == nil)
        guard case .admissionRequest(let request) = asked.messages(to: alice).first else {
            Issue.record("the host was not asked: \(asked)")
            return
        }
        #expect(request.request.rawValue == 1 && request.kind == .lobby && !request.automatic && request.timeout == 30)
        #expect(request.name == "Phone ••• 4567" && request.reUpgrade)
        #expect(request.gateway == IdentityKeys(E2EE.gateway.publicIdentity), "the identity the host's epoch must seal to")
        #expect(asked.messages(to: bob).isEmpty, "only the host is asked")
        #expect(Self.audits(asked) == ["admission.requested"])

        // No consent yet: a standard epoch is refused and the meeting stays e2ee.
        let early = meeting.send(Self.downgrade(meeting, epoch: 2), from: E2EE.host)
        #expect(E2EE.refusal(early, to: alice)?.contains("no phone caller waits with the host's consent") == true)
        #expect(!meeting.harness.hub.isDowngraded)

        let accepted = Self.answer(&meeting, accept: true)
        #expect(Self.audits(accepted) == ["admission.accepted"])
        #expect(Self.admitted(accepted) == nil, "the caller waits for the gateway's key")

        // The host's standard epoch: relayed, the gateway's copy installed, everyone told, the caller in.
        let rekey = Self.downgrade(meeting, epoch: 2)
        let actions = meeting.send(rekey, from: E2EE.host)
        #expect(E2EE.relayed(actions)[bob] == rekey.announcement(for: rekey.sealed[0]))
        guard let install = actions.first(where: { if case .installGatewayEpoch = $0 { true } else { false } }),
            case .installGatewayEpoch(let verified, let sealed) = install
        else {
            Issue.record("no gateway epoch: \(actions)")
            return
        }
        #expect(verified.manifest.epoch == 2 && verified.manifest.mode == .standard && sealed == rekey.gatewaySealedSecret)
        #expect(Self.notices(actions, to: alice) == [.downgraded] && Self.notices(actions, to: bob) == [.downgraded])
        #expect(Self.audits(actions) == ["mode.downgraded"])
        let phone = try #require(Self.admitted(actions))
        #expect(actions.rosterEvents(to: bob).map(\.event) == [.joined])
        #expect(meeting.harness.hub.isDowngraded && meeting.harness.hub.roster.contains { $0.id == phone })
        // The installed epoch comes before the admission: the bridge has the key when the leg arrives.
        let order = actions.map { if case .installGatewayEpoch = $0 { 0 } else if case .admit = $0 { 1 } else { -1 } }.filter { $0 >= 0 }
        #expect(order == [0, 1])
    }

    @Test func noPhoneMixEverGetsAFrameOfAnE2EEEpoch() throws {
        var (meeting, _) = Self.downgraded()
        let bob = meeting.id(E2EE.bob)
        let sender = UInt64(meeting.harness.senderIndex(of: bob).rawValue)
        func mixed(_ epoch: UInt64) -> Bool {
            meeting.harness.hub.handle(.frame(from: bob, Fixtures.frame(sender: sender, epoch: epoch))).contains {
                if case .toPhoneMix = $0 { true } else { false }
            }
        }
        #expect(mixed(2), "epoch 2 is the downgrade's: the gateway holds it")
        #expect(!mixed(1), "epoch 1 was e2ee: its frames never reach a phone")
        // The phone leaves; the host re-keys to e2ee (re-upgrade): nothing goes to a phone mix any more.
        let phoneID = meeting.harness.hub.roster.first { $0.kind == .phone }!.id
        _ = meeting.harness.hub.handle(.leave(phoneID))
        let upgrade = meeting.send(meeting.rekey(by: E2EE.host, epoch: 3, holders: [E2EE.host, E2EE.bob]), from: E2EE.host)
        #expect(upgrade.contains(.dropGatewayEpochs))
        #expect(Self.notices(upgrade, to: bob) == [.upgraded])
        #expect(Self.audits(upgrade) == ["mode.upgraded"])
        #expect(!meeting.harness.hub.isDowngraded)
        #expect(!mixed(3) && !mixed(2))
    }

    @Test func theHostSayingNoOrNothingRefusesTheCallerAndEveryoneHearsOfIt() throws {
        var meeting = Self.meeting()
        let (alice, bob) = (meeting.id(E2EE.host), meeting.id(E2EE.bob))
        _ = Self.ask(&meeting)
        #expect(E2EE.refusal(Self.answer(&meeting, accept: true, by: E2EE.bob), to: bob) == nil)
        #expect(
            Self.answer(&meeting, accept: true, by: E2EE.bob).messages(to: bob).contains { if case .error = $0 { true } else { false } })
        let rejected = Self.answer(&meeting, accept: false)
        #expect(rejected.first == .refusePhoneLeg(Self.leg, reason: "the host did not let the caller in"))
        #expect(Self.notices(rejected, to: bob) == [.phoneRefused])
        #expect(Self.audits(rejected) == ["admission.refused"])
        #expect(meeting.harness.hub.waitingPhoneLegs.isEmpty)

        _ = Self.ask(&meeting, "call-2")
        let expired = meeting.harness.hub.handle(.admissionExpired("call-2"))
        #expect(expired.first == .refusePhoneLeg("call-2", reason: "the host did not answer in time"))
        #expect(Self.notices(expired, to: alice) == [.admissionClosed, .phoneRefused])
        #expect(Self.audits(expired) == ["admission.timeout"])
        #expect(meeting.harness.hub.handle(.admissionExpired("call-2")).isEmpty, "only once")

        _ = Self.ask(&meeting, "call-3")
        let withdrew = meeting.harness.hub.handle(.phoneWithdrew("call-3"))
        #expect(Self.notices(withdrew, to: alice) == [.admissionClosed])
        #expect(!withdrew.contains { if case .refusePhoneLeg = $0 { true } else { false } })
        #expect(Self.audits(withdrew) == ["admission.withdrawn"])
        // An answer to a request that is over is an error to the host, nothing else.
        let late = Self.answer(&meeting, accept: true, request: 3)
        #expect(late.count == 1 && late.messages(to: alice).count == 1)
    }

    @Test func aDowngradeNeedsTheHostButALobbyWaitsForTheHostToArrive() throws {
        var meeting = E2EE.Meeting()
        _ = meeting.join(E2EE.bob, "Bob")
        let downgrade = Self.ask(&meeting, admission: PhoneAdmission(kind: .downgrade(automatic: false)))
        #expect(
            downgrade.first
                == .refusePhoneLeg(Self.leg, reason: "only the host can consent to a downgrade, and the host is not in the meeting"))
        #expect(Self.audits(downgrade) == ["admission.refused"])

        let lobby = Self.ask(&meeting, "call-2")
        #expect(lobby.first == .holdPhoneLeg("call-2", timeout: .seconds(30)))
        let hostJoins = meeting.join(E2EE.host, "Alice", role: .host)
        let messages = hostJoins.messages(to: meeting.id(E2EE.host))
        guard messages.count == 2, case .welcome = messages[0], case .admissionRequest(let request) = messages[1] else {
            Issue.record("the arriving host was not asked: \(messages)")
            return
        }
        #expect(request.request.rawValue == 1 && request.kind == .lobby, "a refused caller took no request number")
    }

    @Test func anAutomaticDowngradeStillNeedsTheHostsSignatureAndSaysSo() throws {
        var meeting = Self.meeting()
        let asked = Self.ask(&meeting, admission: PhoneAdmission(kind: .downgrade(automatic: true)))
        guard case .admissionRequest(let request) = asked.messages(to: meeting.id(E2EE.host)).first else {
            Issue.record("no request")
            return
        }
        #expect(request.kind == .downgrade && request.automatic)
        _ = Self.answer(&meeting, accept: true)
        let actions = meeting.send(Self.downgrade(meeting, epoch: 2), from: E2EE.host)
        #expect(Self.admitted(actions) != nil)
        let detail = actions.compactMap { if case .audit("mode.downgraded", let detail, _) = $0 { detail } else { nil } }.first
        #expect(detail?.contains("automatic (tier policy)") == true)

        // A second caller asking for a downgrade joins the downgraded meeting at once; a lobby caller is asked about.
        let second = Self.ask(&meeting, "call-2", admission: PhoneAdmission(kind: .downgrade(automatic: false)))
        #expect(Self.admitted(second) != nil && Self.audits(second) == ["admission.accepted"])
        let third = Self.ask(&meeting, "call-3")
        #expect(Self.admitted(third) == nil && third.first == .holdPhoneLeg("call-3", timeout: .seconds(30)))
        let accepted = Self.answer(&meeting, accept: true, request: 2)
        #expect(Self.admitted(accepted) != nil, "the gateway already holds the key: in at once")
    }

    @Test(arguments: [PhoneAdmission.UpgradeWithPhones.remove, .block])
    func anUpgradeWithPhonesInRemovesThemOrIsRefused(policy: PhoneAdmission.UpgradeWithPhones) throws {
        var meeting = Self.meeting()
        _ = Self.ask(&meeting, admission: PhoneAdmission(kind: .lobby, upgradeWithPhones: policy))
        _ = Self.answer(&meeting, accept: true)
        let phone = try #require(Self.admitted(meeting.send(Self.downgrade(meeting, epoch: 2), from: E2EE.host)))
        let alice = meeting.id(E2EE.host)
        let upgrade = meeting.send(meeting.rekey(by: E2EE.host, epoch: 3, holders: [E2EE.host, E2EE.bob]), from: E2EE.host)
        switch policy {
        case .remove:
            #expect(E2EE.relayed(upgrade).count == 1)
            #expect(upgrade.contains(.refusePhoneLeg(Self.leg, reason: "the meeting is end-to-end encrypted again")))
            #expect(Self.audits(upgrade) == ["mode.upgraded", "phone.removed"])
            #expect(!meeting.harness.hub.roster.contains { $0.id == phone })
            #expect(!meeting.harness.hub.isDowngraded)
        case .block:
            #expect(E2EE.refusal(upgrade, to: alice)?.contains("policy blocks the upgrade") == true)
            #expect(E2EE.relayed(upgrade).isEmpty && meeting.harness.hub.isDowngraded)
            #expect(meeting.harness.hub.roster.contains { $0.id == phone })
        }
    }

    @Test func aStandardEpochMustNameAndBeSealedToTheGateway() throws {
        var meeting = Self.meeting()
        _ = Self.ask(&meeting)
        _ = Self.answer(&meeting, accept: true)
        let unsealed = meeting.send(Self.downgrade(meeting, epoch: 2, sealToGateway: false), from: E2EE.host)
        #expect(E2EE.refusal(unsealed, to: meeting.id(E2EE.host))?.contains("seal its secret to it") == true)
        // Bob cannot sign one at all: only the host consents.
        let byBob = meeting.send(meeting.rekey(by: E2EE.bob, epoch: 2, holders: [E2EE.host, E2EE.bob], mode: .standard), from: E2EE.bob)
        #expect(E2EE.refusal(byBob, to: meeting.id(E2EE.bob)) != nil)
        #expect(!meeting.harness.hub.isDowngraded)
    }

    // MARK: The answer matrix

    enum HostAnswer: String, CaseIterable, Sendable { case accept, reject, none }

    enum CellOutcome: Equatable, CustomStringConvertible {
        case admitted
        case refused(String)

        var description: String {
            switch self {
            case .admitted: "admitted"
            case .refused(let why): "refused (\(why))"
            }
        }
    }

    /// One cell: a meeting of `mode` (Bob in it; Alice the host in it, or arriving after the caller),
    /// a caller under `admission`, the host's answer (accept: the host's client also signs the
    /// downgrade, as `dialgate-participant --consent accept` does), then the timer if nobody answered.
    static func run(mode: MeetingMode, admission: PhoneAdmission, hostPresent: Bool, answer: HostAnswer) -> CellOutcome {
        var meeting = E2EE.Meeting(mode: mode)
        _ = meeting.join(E2EE.bob, "Bob")
        var actions: [MeetingHub.Action] = []
        if hostPresent { _ = meeting.join(E2EE.host, "Alice", role: .host) }
        actions += ask(&meeting, admission: admission)
        if !hostPresent { actions += meeting.join(E2EE.host, "Alice", role: .host) }
        let asked = actions.contains { if case .send(.admissionRequest, _) = $0 { true } else { false } }
        if asked, answer != .none {
            actions += Self.answer(&meeting, accept: answer == .accept)
            if answer == .accept, !meeting.harness.hub.isDowngraded {
                actions += meeting.send(downgrade(meeting, epoch: meeting.harness.hub.epoch + 1), from: E2EE.host)
            }
        }
        if actions.contains(where: { if case .holdPhoneLeg = $0 { true } else { false } }), admitted(actions) == nil {
            actions += meeting.harness.hub.handle(.admissionExpired(leg))
        }
        if admitted(actions) != nil { return .admitted }
        for action in actions {
            switch action {
            case .refusePhoneLeg(Self.leg, let reason), .removePhoneLeg(Self.leg, let reason): return .refused(reason)
            default: continue
            }
        }
        return .refused("nothing happened: \(actions)")
    }

    static let admissions: [(String, PhoneAdmission)] = [
        ("refuse", .direct), ("lobby", PhoneAdmission(kind: .lobby)), ("downgrade", PhoneAdmission(kind: .downgrade(automatic: false))),
        ("downgrade-auto", PhoneAdmission(kind: .downgrade(automatic: true))),
    ]

    /// Policy action × the host's answer × the host in or arriving later × meeting mode: 48 cells, each
    /// with the outcome written out rule by rule. (Tiers, route profiles and SRTP are the decision's
    /// own matrix, `PolicyDecisionTests`; this is what the meeting does with the decision.)
    @Test func everyCellOfTheAnswerMatrix() {
        var cells = 0
        for mode in [MeetingMode.standard, .e2ee] {
            for (name, admission) in Self.admissions {
                for hostPresent in [true, false] {
                    for answer in HostAnswer.allCases {
                        let expected: CellOutcome
                        if mode == .standard {
                            expected = .admitted  // the gateway mixes for phones: no question to ask
                        } else if name == "refuse" {
                            expected = .refused("the meeting is end-to-end encrypted and phones cannot join it")
                        } else if name != "lobby" && !hostPresent {
                            expected = .refused("only the host can consent to a downgrade, and the host is not in the meeting")
                        } else if answer == .accept {
                            expected = .admitted
                        } else if answer == .reject {
                            expected = .refused("the host did not let the caller in")
                        } else {
                            expected = .refused("the host did not answer in time")
                        }
                        let outcome = Self.run(mode: mode, admission: admission, hostPresent: hostPresent, answer: answer)
                        #expect(
                            outcome == expected,
                            "\(mode) meeting, phone-join \(name), host \(hostPresent ? "in" : "arriving"), answer \(answer): \(outcome)")
                        cells += 1
                    }
                }
            }
        }
        #expect(cells == 48)
    }
}
