/// The arguments of `meetingCreate`: `{"name":"meetingCreate","meeting":"123456789","passcode":"2468",
/// "mode":"e2ee","tier":"paid","host":"Alice"}`. Only `meeting` is required.
///
/// Decoding checks the shape only; the daemon checks the formats (ID 9 to 11 digits, passcode 4 to
/// 10 digits, a known mode) and answers `badRequest` with the reason.
public struct MeetingCreation: Codable, Sendable, Hashable {
    /// The tier a meeting gets when the request names none.
    public static let defaultTier = "free"

    /// The new meeting's ID.
    public var id: String
    /// The passcode; nil asks the gateway to generate one (6 random digits), returned in the reply.
    public var passcode: String?
    public var mode: MeetingMode
    public var tier: String
    public var host: String?
    /// Phone callers wait until the host is in the meeting (default: they may join first).
    public var phonesWaitForHost: Bool
    /// The host's Ed25519 signing key (base64, 32 bytes, as `dialgate-participant` prints it): fixes the
    /// host identity at creation (DESIGN.md §4). Without it the first client to join as host is
    /// trusted and pinned.
    public var hostKey: String?

    public init(
        id: String, passcode: String? = nil, mode: MeetingMode = .standard, tier: String = MeetingCreation.defaultTier,
        host: String? = nil, phonesWaitForHost: Bool = false, hostKey: String? = nil
    ) {
        self.hostKey = hostKey
        self.phonesWaitForHost = phonesWaitForHost
        self.id = id
        self.passcode = passcode
        self.mode = mode
        self.tier = tier
        self.host = host
    }

    private enum CodingKeys: String, CodingKey {
        // The ID sits under `meeting`, as a call's id sits under `call` in `call` and `hangup`.
        case id = "meeting"
        case passcode, mode, tier, host, phonesWaitForHost, hostKey
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decode(String.self, forKey: .id)
        self.passcode = try container.decodeIfPresent(String.self, forKey: .passcode)
        self.mode = try container.decodeIfPresent(MeetingMode.self, forKey: .mode) ?? .standard
        self.tier = try container.decodeIfPresent(String.self, forKey: .tier) ?? Self.defaultTier
        self.host = try container.decodeIfPresent(String.self, forKey: .host)
        self.phonesWaitForHost = try container.decodeIfPresent(Bool.self, forKey: .phonesWaitForHost) ?? false
        self.hostKey = try container.decodeIfPresent(String.self, forKey: .hostKey)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encodeIfPresent(passcode, forKey: .passcode)
        try container.encode(mode, forKey: .mode)
        try container.encode(tier, forKey: .tier)
        try container.encodeIfPresent(host, forKey: .host)
        if phonesWaitForHost { try container.encode(true, forKey: .phonesWaitForHost) }
        try container.encodeIfPresent(hostKey, forKey: .hostKey)
    }
}
