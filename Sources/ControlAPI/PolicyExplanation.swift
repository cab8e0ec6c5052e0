/// The arguments of `policyExplain`: `{"name":"policyExplain","meeting":"123456789","caller":"+15551234567",
/// "trunk":"carrier","policy":"strict","srtp":true}`. Only `meeting` and `caller` are required.
public struct PolicyExplainRequest: Codable, Sendable, Hashable {
    /// The meeting the caller would join.
    public var meeting: String
    /// The caller's number, as the gateway would see it.
    public var caller: String
    /// The trunk the call would arrive on: its SRTP policy says whether the media is encrypted.
    public var trunk: String?
    /// A profile the route names with a `policy` step.
    public var policy: String?
    /// Whether the call's media is SRTP; absent: what the trunk requires (`srtp mandatory`), else no.
    public var srtp: Bool?

    public init(meeting: String, caller: String, trunk: String? = nil, policy: String? = nil, srtp: Bool? = nil) {
        self.meeting = meeting
        self.caller = caller
        self.trunk = trunk
        self.policy = policy
        self.srtp = srtp
    }
}

/// The reply to `policyExplain`: what policy would decide for a phone leg joining the meeting now,
/// why, and which lines of which files said so. No call is placed.
public struct PolicyExplanation: Codable, Sendable, Hashable {
    /// One setting that counted.
    public struct Line: Codable, Sendable, Hashable {
        public var setting: String
        public var value: String
        /// `policy strict`, `tier paid`, `built-in default`, ...
        public var source: String
        /// `file:line:column`; absent for a built-in default.
        public var location: String?

        public init(setting: String, value: String, source: String, location: String?) {
            self.setting = setting
            self.value = value
            self.source = source
            self.location = location
        }
    }

    public var meeting: String
    public var mode: MeetingMode
    public var tier: String
    public var hostPresent: Bool
    public var srtp: Bool
    /// `admit`, `wait-for-host`, `lobby`, `downgrade`, `downgrade-auto`, `refused-e2ee`,
    /// `refused-no-srtp`, `refused-host-absent` (an open set: show unknown values as they are).
    public var outcome: String
    /// For `lobby`: how long the host has to decide.
    public var lobbySeconds: Int?
    public var reasons: [String]
    public var lines: [Line]
    /// How participants would see the caller (`••• 4567`, the full number, or `Phone`).
    public var callerShown: String
    /// Whether the meeting goes back to `e2ee` when the last phone leaves (after a downgrade).
    public var reUpgrade: Bool
    /// The dialplan generation the answer comes from.
    public var planVersion: Int

    public init(
        meeting: String, mode: MeetingMode, tier: String, hostPresent: Bool, srtp: Bool, outcome: String, lobbySeconds: Int?,
        reasons: [String], lines: [Line], callerShown: String, reUpgrade: Bool, planVersion: Int
    ) {
        self.meeting = meeting
        self.mode = mode
        self.tier = tier
        self.hostPresent = hostPresent
        self.srtp = srtp
        self.outcome = outcome
        self.lobbySeconds = lobbySeconds
        self.reasons = reasons
        self.lines = lines
        self.callerShown = callerShown
        self.reUpgrade = reUpgrade
        self.planVersion = planVersion
    }
}
