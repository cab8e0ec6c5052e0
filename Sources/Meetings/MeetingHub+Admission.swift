import Frames

/// What policy asked for a phone caller who joins an `e2ee` meeting (issue 7; the decision itself is
/// the dialplan's `PolicyDecision`). A `standard` meeting admits phones whatever this says.
public struct PhoneAdmission: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// No lobby, no downgrade: an `e2ee` meeting refuses the phone.
        case direct
        /// The caller waits; the host lets them in (downgrading the meeting if it is still `e2ee`) or not.
        case lobby
        /// The caller joins only once the host has downgraded the meeting; `automatic`: the tier allows
        /// it without asking the host (the host's client still signs, and everyone is told).
        case downgrade(automatic: Bool)
    }

    /// What a re-key to `e2ee` does while phones are in a downgraded meeting.
    public enum UpgradeWithPhones: String, Sendable, Hashable {
        /// The phones hear why and are disconnected; the upgrade goes ahead.
        case remove
        /// The upgrade is refused to the host until the phones have left.
        case block
    }

    public var kind: Kind
    /// How long the caller waits for the host's answer.
    public var timeout: Duration
    /// Whether the host's client should start an `e2ee` epoch when the last phone leaves.
    public var reUpgrade: Bool
    public var upgradeWithPhones: UpgradeWithPhones

    public init(kind: Kind, timeout: Duration = .seconds(60), reUpgrade: Bool = true, upgradeWithPhones: UpgradeWithPhones = .remove) {
        self.kind = kind
        self.timeout = timeout
        self.reUpgrade = reUpgrade
        self.upgradeWithPhones = upgradeWithPhones
    }

    public static let direct = PhoneAdmission(kind: .direct)
}

/// An `e2ee` meeting that the host downgraded for phone callers: since when, on whose consent, and
/// the terms policy set for it.
struct Downgrade: Sendable, Hashable {
    var consentedBy: String
    var automatic: Bool
    var sinceEpoch: UInt64
    var terms: PhoneAdmission
}

/// A phone caller waiting for the host's answer (the lobby, or a downgrade's consent).
struct PendingPhone: Sendable, Hashable {
    var leg: PhoneLegID
    var request: AdmissionRequestID
    var name: String
    var muted: Bool
    var admission: PhoneAdmission
    /// When the caller asked: the time they are shown as joined when let in.
    var askedAt: MeetingInstant
    /// Who consented, once the host accepted; the caller joins when the gateway holds the key.
    var consentedBy: String?

    var requestKind: AdmissionRequest.Kind {
        if case .lobby = admission.kind { .lobby } else { .downgrade }
    }

    var automatic: Bool {
        if case .downgrade(true) = admission.kind { true } else { false }
    }
}

extension MeetingHub {
    /// A phone caller asks to join this `e2ee` meeting under `admission` (the caller's IVR is done).
    /// Refused at once: a direct join, a locked or full meeting, a downgrade with no host to consent.
    /// Let in at once: a downgrade into a meeting already downgraded (that consent stands). Otherwise
    /// the caller is held and the host asked, now or when the host arrives.
    mutating func phoneAsks(_ leg: PhoneLegID, displayName: String, muted: Bool, now: MeetingInstant, admission: PhoneAdmission)
        -> [Action]
    {
        func refuse(_ reason: String, audit kind: String) -> [Action] {
            statistics.joinsRefused += 1
            return [.refusePhoneLeg(leg, reason: reason), .audit(kind: kind, detail: reason, leg: leg)]
        }
        if case .direct = admission.kind {
            statistics.joinsRefused += 1
            return [.removePhoneLeg(leg, reason: "the meeting is end-to-end encrypted and phones cannot join it")]
        }
        guard let gateway = gatewayIdentity else {
            return refuse("this gateway has no identity to hold a meeting key", audit: "admission.refused")
        }
        guard !locked else { return refuse("the meeting is locked", audit: "admission.refused") }
        guard order.count + pending.count < settings.maxParticipants, lastRequest < UInt32.max else {
            return refuse("the meeting is full", audit: "admission.refused")
        }
        let name = DisplayName.sanitize(displayName, maxCharacters: settings.maxNameCharacters)
        if case .downgrade = admission.kind {
            if let downgrade {
                // The host already consented to this downgrade; its terms stand for every phone.
                return admitPhone(leg, displayName: displayName, muted: muted, now: now)
                    + [
                        .audit(
                            kind: "admission.accepted", detail: "\(name) joins the meeting downgraded since epoch \(downgrade.sinceEpoch)",
                            leg: leg)
                    ]
            }
            guard hostMember != nil else {
                return refuse("only the host can consent to a downgrade, and the host is not in the meeting", audit: "admission.refused")
            }
        }
        lastRequest += 1
        let waiting = PendingPhone(
            leg: leg, request: AdmissionRequestID(rawValue: lastRequest), name: name.isEmpty ? "Phone" : name, muted: muted,
            admission: admission, askedAt: now)
        pending.append(waiting)
        var actions: [Action] = [.holdPhoneLeg(leg, timeout: admission.timeout)]
        if let host = hostMember {
            actions.append(.send(.admissionRequest(Self.admissionRequest(for: waiting, gateway: gateway)), to: host))
        }
        actions.append(
            .audit(
                kind: "admission.requested",
                detail: "\(waiting.name) waits for the host (\(waiting.requestKind.rawValue)\(waiting.automatic ? ", automatic" : ""))",
                leg: leg))
        return actions
    }

    /// The host answered an `admissionRequest`.
    mutating func answerAdmission(_ request: AdmissionRequestID, accept: Bool, from sender: Member) -> [Action] {
        let id = sender.participant.id
        guard sender.isHost else { return refuseCommand(to: id, "only the host lets phone callers in") }
        guard let index = pending.firstIndex(where: { $0.request == request }) else {
            return refuseCommand(to: id, code: .invalidValue, "no phone caller waits with request \(request)")
        }
        let host = sender.participant.name
        guard accept else {
            let waiting = pending.remove(at: index)
            statistics.joinsRefused += 1
            return [
                .refusePhoneLeg(waiting.leg, reason: "the host did not let the caller in"),
                .audit(kind: "admission.refused", detail: "\(host) refused \(waiting.name)", leg: waiting.leg),
            ] + broadcast(.notice(Notice(event: .phoneRefused, name: waiting.name, reason: "The host did not let this phone caller in")))
        }
        pending[index].consentedBy = host
        let waiting = pending[index]
        var actions: [Action] = [.audit(kind: "admission.accepted", detail: "\(host) accepted \(waiting.name)", leg: waiting.leg)]
        if downgrade != nil, gatewayHoldsKey {
            pending.remove(at: index)
            actions += admitPhone(waiting.leg, displayName: waiting.name, muted: waiting.muted, now: waiting.askedAt)
        }
        // Otherwise the caller joins when the host's client has signed the `standard` epoch (`relay`).
        return actions
    }

    /// No answer in time (the adapter's timer), or the caller hung up while waiting.
    mutating func endWait(_ leg: PhoneLegID, timedOut: Bool) -> [Action] {
        guard let index = pending.firstIndex(where: { $0.leg == leg }) else { return [] }
        let waiting = pending.remove(at: index)
        var actions: [Action] = []
        let notice = Notice(
            event: .admissionClosed, name: waiting.name,
            reason: timedOut ? "No answer within \(waiting.admission.timeout.components.seconds) s" : "The caller hung up")
        if let host = hostMember { actions.append(.send(.notice(notice), to: host)) }
        if timedOut {
            statistics.joinsRefused += 1
            actions.insert(.refusePhoneLeg(leg, reason: "the host did not answer in time"), at: 0)
            actions += broadcast(.notice(Notice(event: .phoneRefused, name: waiting.name, reason: notice.reason)))
        }
        actions.append(
            .audit(
                kind: timedOut ? "admission.timeout" : "admission.withdrawn",
                detail: "\(waiting.name): \(notice.reason.lowercased())", leg: leg))
        return actions
    }

    /// The host (re)joined: it is asked about every caller still waiting for an answer.
    func pendingRequests(to host: ParticipantID) -> [Action] {
        guard let gateway = gatewayIdentity else { return [] }
        return pending.filter { $0.consentedBy == nil }.map {
            .send(.admissionRequest(Self.admissionRequest(for: $0, gateway: gateway)), to: host)
        }
    }

    /// `relay` found a verified manifest of `mode` from the key manager: whether the meeting may take
    /// it now (nil) or why not.
    func modeChangeRefusal(to mode: EpochManifest.Mode, gatewayNamed: Bool, rekey: Rekey) -> String? {
        switch mode {
        case .standard:
            guard gatewayNamed, rekey.gatewaySealedSecret != nil else {
                return "a standard epoch must name the gateway as a key holder and seal its secret to it"
            }
            if downgrade == nil, !pending.contains(where: { $0.consentedBy != nil }) {
                return "no phone caller waits with the host's consent: the meeting stays end-to-end encrypted"
            }
            return nil
        case .e2ee:
            if let downgrade, hasPhoneLegs, downgrade.terms.upgradeWithPhones == .block {
                return "phone callers are in the meeting and policy blocks the upgrade until they leave"
            }
            return nil
        }
    }

    /// After `relay` accepted an epoch of `mode`: the gateway's key, the mode change and who hears
    /// of it, the phones that join or go.
    mutating func keysChanged(to verified: VerifiedEpochManifest, rekey: Rekey, by sender: Member) -> [Action] {
        let epoch = verified.manifest.epoch
        var actions: [Action] = []
        switch verified.manifest.mode {
        case .standard:
            if let sealed = rekey.gatewaySealedSecret {
                actions.append(.installGatewayEpoch(verified, sealedSecret: sealed))
                gatewayEpochs = (gatewayEpochs + [epoch]).suffix(2)
            }
            if downgrade == nil {
                let consented = pending.filter { $0.consentedBy != nil }
                let terms = consented.first?.admission ?? PhoneAdmission(kind: .downgrade(automatic: false))
                let automatic = consented.contains { $0.automatic }
                let host = sender.participant.name
                downgrade = Downgrade(consentedBy: host, automatic: automatic, sinceEpoch: epoch, terms: terms)
                let callers = consented.map(\.name).joined(separator: ", ")
                let why =
                    automatic
                    ? "Policy lets phone callers in without asking; the gateway holds the key from epoch \(epoch)"
                    : "\(host) consented to the gateway holding the key from epoch \(epoch) so a phone caller can join"
                actions += broadcast(.notice(Notice(event: .downgraded, name: callers, reason: why)))
                actions.append(
                    .audit(
                        kind: "mode.downgraded",
                        detail:
                            "e2ee → standard at epoch \(epoch); consent: \(automatic ? "automatic (tier policy), signed by" : "given by") \(host); for \(callers)",
                        leg: consented.first?.leg))
            }
            for waiting in pending where waiting.consentedBy != nil {
                pending.removeAll { $0.leg == waiting.leg }
                actions += admitPhone(waiting.leg, displayName: waiting.name, muted: waiting.muted, now: waiting.askedAt)
            }
        case .e2ee:
            if gatewayHoldsKey { actions.append(.dropGatewayEpochs) }
            gatewayEpochs = []
            guard let previous = downgrade else { return actions }
            downgrade = nil
            let phones = order.filter { members[$0]?.isApp == false }
            actions += broadcast(
                .notice(
                    Notice(
                        event: .upgraded, name: sender.participant.name,
                        reason: "End-to-end encrypted again from epoch \(epoch): the gateway holds no key")))
            actions.append(
                .audit(
                    kind: "mode.upgraded",
                    detail:
                        "standard → e2ee at epoch \(epoch) by \(sender.participant.name) (downgraded since epoch \(previous.sinceEpoch))"
                        + (phones.isEmpty ? "" : "; \(phones.count) phone caller(s) removed"),
                    leg: nil))
            for id in phones {
                guard let member = members[id], case .phoneLeg(let leg) = member.endpoint else { continue }
                actions.append(.refusePhoneLeg(leg, reason: "the meeting is end-to-end encrypted again"))
                actions.append(.audit(kind: "phone.removed", detail: "\(member.participant.name): the meeting became e2ee", leg: leg))
                actions += depart(id, event: .removed)
            }
        }
        return actions
    }

    /// Whether an app frame may go to the phone mix: in a `standard` meeting always (the gateway keys
    /// it); in a downgraded `e2ee` meeting only frames of an epoch the gateway was given, so no phone
    /// ever hears anything of an `e2ee` epoch.
    func phoneMixMayOpen(_ bytes: [UInt8]) -> Bool {
        guard hasPhoneLegs else { return false }
        if mode == .standard { return true }
        guard downgrade != nil, let header = try? SFrameHeader.decode(bytes).header else { return false }
        let kid = SFrameKeyID(rawValue: header.keyID)
        return gatewayEpochs.contains { kid.matches(epoch: $0) }
    }

    /// The host, when it is in the meeting.
    var hostMember: ParticipantID? { order.first { members[$0]?.isHost == true } }

    private static func admissionRequest(for waiting: PendingPhone, gateway: PublicIdentity) -> AdmissionRequest {
        AdmissionRequest(
            request: waiting.request, name: waiting.name, kind: waiting.requestKind, automatic: waiting.automatic,
            timeout: Int(waiting.admission.timeout.components.seconds), reUpgrade: waiting.admission.reUpgrade,
            gateway: IdentityKeys(gateway))
    }
}
