/// What policy decides when a phone leg asks to join a meeting (DESIGN.md §1, issue 7), as a pure
/// function of the meeting, the caller and the plan's policy profiles and tiers: the outcome, the
/// reasons a person reads, and the policy lines that produced it (`dialgatectl policy explain`).
public struct PolicyDecision: Sendable, Hashable {
    /// The facts a decision is made on.
    public struct Question: Sendable, Hashable {
        public enum MeetingMode: String, Sendable, Hashable, CaseIterable {
            case standard, e2ee
        }

        public var meetingID: String
        public var mode: MeetingMode
        /// The host's account tier.
        public var tier: String
        /// Whether the meeting's host is in it now (who could consent, or let phones in).
        public var hostPresent: Bool
        /// Whether the call's media is SRTP (known once the call is answered).
        public var srtp: Bool
        /// A profile the route named with a `policy` step, if any.
        public var routePolicy: String?

        public init(meetingID: String, mode: MeetingMode, tier: String, hostPresent: Bool, srtp: Bool, routePolicy: String? = nil) {
            self.meetingID = meetingID
            self.mode = mode
            self.tier = tier
            self.hostPresent = hostPresent
            self.srtp = srtp
            self.routePolicy = routePolicy
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// The outcome as records and `policy explain` show it: `admit`, `wait-for-host`, `lobby`,
        /// `downgrade`, `downgrade-auto`, or the refusal's name.
        public var label: String {
            switch self {
            case .admit: "admit"
            case .waitForHost: "wait-for-host"
            case .refuse(let refusal): refusal.rawValue
            case .lobby: "lobby"
            case .downgrade(let automatic): automatic ? "downgrade-auto" : "downgrade"
            }
        }

        /// The phone joins.
        case admit
        /// The phone waits (hearing so) until the host is in.
        case waitForHost
        /// The caller hears why and the call ends (BYE, or a 403/603 before answer) with Reason Q.850 21.
        case refuse(Refusal)
        /// The caller waits; the host decides within `timeout` (accept: the downgrade; else refuse).
        case lobby(timeout: Duration)
        /// The meeting becomes `standard` for the phone: with the host's consent, or automatically
        /// where the tier allows it (announced to everyone either way).
        case downgrade(automatic: Bool)
    }

    public enum Refusal: String, Sendable, Hashable, CaseIterable {
        /// Phones may not join this `e2ee` meeting.
        case e2ee = "refused-e2ee"
        /// The policy requires SRTP and the call has none.
        case srtpRequired = "refused-no-srtp"
        /// Only the host can consent, and the host is not in the meeting.
        case hostAbsent = "refused-host-absent"
    }

    /// One setting that counted, and where it is written.
    public struct Line: Sendable, Hashable, CustomStringConvertible {
        public var setting: String
        public var value: String
        /// `file:line:column`, or nil for a built-in default.
        public var location: SourceLocation?
        /// Where it came from: `policy strict`, `tier paid`, `built-in default`.
        public var source: String

        public var description: String {
            "\(setting) \(value) (\(source)\(location.map { ", \($0)" } ?? ""))"
        }
    }

    public var outcome: Outcome
    public var reasons: [String]
    public var lines: [Line]
    /// How participants see the caller's number.
    public var callerIDDisplay: PolicySetting.CallerIDDisplay
    /// Whether the host may re-key to `e2ee` when the last phone leaves (after a downgrade).
    public var reUpgrade: Bool
    /// `phones-before-host`: whether a phone may be in the meeting before its host (else it waits).
    public var phonesBeforeHost: Bool
    /// `upgrade-with-phones`: what a re-key to `e2ee` does to the phones in a downgraded meeting.
    public var upgradeWithPhones: PolicySetting.UpgradeWithPhones
    /// `lobby-timeout`: how long a caller waits for the host's answer (the lobby, and a downgrade's consent).
    public var consentTimeout: Duration

    /// The built-in values, for a setting no profile or tier sets: the safe ones (phones refused from
    /// `e2ee` meetings, numbers masked).
    public static let builtIn: [String: PolicySetting.Value] = [
        "e2ee-creation": .e2eeCreation(true), "phone-join": .phoneJoin(.refuse), "lobby-timeout": .lobbyTimeout(.seconds(60)),
        "re-upgrade": .reUpgrade(true), "caller-id-display": .callerIDDisplay(.masked), "phones-before-host": .phonesBeforeHost(true),
        "require-srtp": .requireSRTP(false), "upgrade-with-phones": .upgradeWithPhones(.remove),
    ]

    /// Decides for `question` under the plan `document`.
    public static func decide(_ question: Question, in document: DialplanDocument) -> PolicyDecision {
        let policy = EffectivePolicy(document: document, tier: question.tier, routePolicy: question.routePolicy)
        var lines: [Line] = []
        var reasons: [String] = []
        func use(_ name: String) -> PolicySetting.Value {
            let (value, line) = policy.setting(name)
            lines.append(line)
            return value
        }
        guard case .callerIDDisplay(let display) = use("caller-id-display"), case .reUpgrade(let reUpgrade) = use("re-upgrade") else {
            preconditionFailure("built-in defaults are typed")
        }
        guard case .phonesBeforeHost(let phonesBeforeHost) = policy.setting("phones-before-host").0,
            case .upgradeWithPhones(let upgradeWithPhones) = policy.setting("upgrade-with-phones").0,
            case .lobbyTimeout(let consentTimeout) = policy.setting("lobby-timeout").0
        else {
            preconditionFailure("built-in defaults are typed")
        }
        let outcome: Outcome
        if case .requireSRTP(true) = use("require-srtp"), !question.srtp {
            reasons.append("policy requires SRTP (\(lines.last?.source ?? "policy")) and this call's media is not encrypted")
            outcome = .refuse(.srtpRequired)
        } else if question.mode == .standard {
            if case .phonesBeforeHost(false) = use("phones-before-host"), !question.hostPresent {
                reasons.append("phones wait for the host, who is not in the meeting yet")
                outcome = .waitForHost
            } else {
                reasons.append("the meeting is standard: the gateway can mix for phones")
                outcome = .admit
            }
        } else {
            reasons.append("the meeting is end-to-end encrypted and a phone cannot hold its key")
            guard case .phoneJoin(let join) = use("phone-join") else { preconditionFailure("built-in defaults are typed") }
            switch join {
            case .refuse:
                reasons.append("policy refuses phones from e2ee meetings")
                outcome = .refuse(.e2ee)
            case .lobby:
                guard case .lobbyTimeout(let timeout) = use("lobby-timeout") else { preconditionFailure("built-in defaults are typed") }
                reasons.append(
                    "the caller waits in the lobby; the host may accept (the meeting is then downgraded) within \(timeout.components.seconds) s"
                )
                outcome = .lobby(timeout: timeout)
            case .downgrade, .downgradeAuto:
                let automatic = join == .downgradeAuto && policy.tierAllowsAutomaticDowngrade
                if join == .downgradeAuto && !automatic {
                    reasons.append("tier \(question.tier) does not allow downgrade-auto: the host must consent")
                }
                if automatic {
                    reasons.append("the meeting is downgraded to standard for the phone without asking; everyone is told")
                    outcome = .downgrade(automatic: true)
                } else if question.hostPresent {
                    reasons.append("the host is asked to consent to the gateway holding the key")
                    outcome = .downgrade(automatic: false)
                } else {
                    reasons.append("only the host can consent, and the host is not in the meeting")
                    outcome = .refuse(.hostAbsent)
                }
            }
        }
        return PolicyDecision(
            outcome: outcome, reasons: reasons, lines: lines, callerIDDisplay: display, reUpgrade: reUpgrade,
            phonesBeforeHost: phonesBeforeHost, upgradeWithPhones: upgradeWithPhones, consentTimeout: consentTimeout)
    }

    /// Whether meetings of `tier` may be created `e2ee` (`e2ee-creation`).
    public static func allowsE2EECreation(tier: String, in document: DialplanDocument) -> Bool {
        if case .e2eeCreation(let allowed) = EffectivePolicy(document: document, tier: tier, routePolicy: nil).setting("e2ee-creation").0 {
            return allowed
        }
        return true
    }
}

/// The value of each policy setting for one call, looked up in order: the route's `policy` profile,
/// the tier's own settings, the tier's base profile, the profile named `default`, the built-in value.
struct EffectivePolicy {
    private var layers: [(source: String, settings: [PolicySetting])] = []
    /// `downgrade-auto` counts only where the tier itself (its settings or base profile, not a
    /// route's profile) says so: the tier decides whether a meeting may be weakened without asking.
    let tierAllowsAutomaticDowngrade: Bool

    init(document: DialplanDocument, tier name: String, routePolicy: String?) {
        if let routePolicy, let profile = document.policy(named: routePolicy) {
            layers.append(("policy \(profile.name)", profile.settings))
        }
        var tierLayers: [(String, [PolicySetting])] = []
        if let tier = document.tier(named: name) {
            tierLayers.append(("tier \(tier.name)", tier.settings))
            if let base = tier.basePolicy.flatMap({ document.policy(named: $0.name) }) {
                tierLayers.append(("policy \(base.name) (of tier \(tier.name))", base.settings))
            }
        }
        tierAllowsAutomaticDowngrade =
            tierLayers.lazy.compactMap { $0.1.first { $0.name == "phone-join" } }.first?.value == .phoneJoin(.downgradeAuto)
        if let fallback = document.policy(named: "default") { tierLayers.append(("policy default", fallback.settings)) }
        layers += tierLayers
    }

    func setting(_ name: String) -> (PolicySetting.Value, PolicyDecision.Line) {
        for layer in layers {
            if let setting = layer.settings.first(where: { $0.name == name }) {
                return (
                    setting.value,
                    PolicyDecision.Line(setting: name, value: setting.value.text, location: setting.location, source: layer.source)
                )
            }
        }
        let value = PolicyDecision.builtIn[name]!
        return (value, PolicyDecision.Line(setting: name, value: value.text, location: nil, source: "built-in default"))
    }
}

extension PolicySetting.Value {
    /// As written in a plan.
    var text: String {
        switch self {
        case .e2eeCreation(let allowed): allowed ? "allow" : "deny"
        case .phoneJoin(let join): join.rawValue
        case .lobbyTimeout(let timeout): "\(timeout.components.seconds)s"
        case .reUpgrade(let yes), .phonesBeforeHost(let yes), .requireSRTP(let yes): yes ? "yes" : "no"
        case .callerIDDisplay(let display): display.rawValue
        case .upgradeWithPhones(let choice): choice.rawValue
        }
    }
}
