import Foundation

/// One meeting of the meeting directory (DESIGN.md §3: `var/` SQLite holds meetings): what a phone
/// caller needs to reach it (ID and passcode) and what policy looks at (mode, tier).
public struct MeetingRecord: Sendable, Hashable {
    /// A meeting's security mode (DESIGN.md §1). A closed set here, so that code deciding what a
    /// phone leg may do switches over every mode and a new one cannot fall into the wrong branch.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// The server holds the media key: it can mix and transcode, so phones can join.
        case standard
        /// Only the participants' devices hold the key; policy decides about phone legs.
        case e2ee
    }

    /// Meeting IDs are 9 to 11 digits (what callers key in; kept as text, leading zeros count).
    public static let idLengths = 9...11
    /// Passcodes are 4 to 10 digits.
    public static let passcodeLengths = 4...10
    /// A passcode the directory generates has this many digits.
    public static let generatedPasscodeLength = 6
    /// The tier a meeting gets when none is given.
    public static let defaultTier = "free"
    /// Tiers that may not have `e2ee` meetings when no dialplan policy is at hand (the daemon asks the
    /// plan's `e2ee-creation` setting instead).
    public static let tiersWithoutE2EE: Set<String> = ["free"]
    /// The longest tier name (`free`, `paid`, `enterprise`, `nonprofit`, ...).
    public static let maxTierLength = 32
    /// The longest host name, in characters.
    public static let maxHostLength = 100

    /// The meeting ID, 9 to 11 ASCII digits.
    public var id: String
    /// 4 to 10 ASCII digits. A secret: never logged, not shown in listings.
    public var passcode: String
    public var mode: Mode
    /// The host's account tier, which policy looks at.
    public var tier: String
    /// The host's name, for people.
    public var host: String?
    public var createdAt: Date
    /// A locked meeting admits nobody new.
    public var locked: Bool
    /// Phone callers wait (hearing so) until the host is in the meeting; otherwise they may join first.
    public var phonesWaitForHost: Bool
    /// The host's Ed25519 public key: only a client holding it joins as host (DESIGN.md §4).
    public var hostSigningKey: [UInt8]?

    public init(
        id: String, passcode: String, mode: Mode = .standard, tier: String = MeetingRecord.defaultTier, host: String? = nil,
        createdAt: Date, locked: Bool = false, phonesWaitForHost: Bool = false, hostSigningKey: [UInt8]? = nil
    ) {
        self.phonesWaitForHost = phonesWaitForHost
        self.hostSigningKey = hostSigningKey
        self.id = id
        self.passcode = passcode
        self.mode = mode
        self.tier = tier
        self.host = host
        self.createdAt = createdAt
        self.locked = locked
    }

    /// Whether `text` has the form of a meeting ID (9 to 11 ASCII digits).
    public static func isValidID(_ text: String) -> Bool {
        idLengths.contains(text.utf8.count) && text.utf8.allSatisfy(isDigit)
    }

    /// Whether `text` has the form of a passcode (4 to 10 ASCII digits).
    public static func isValidPasscode(_ text: String) -> Bool {
        passcodeLengths.contains(text.utf8.count) && text.utf8.allSatisfy(isDigit)
    }

    /// Whether `text` is a tier name: 1 to 32 of `a-z`, `0-9`, `-`, `_`, `.`.
    public static func isValidTier(_ text: String) -> Bool {
        (1...maxTierLength).contains(text.utf8.count)
            && text.utf8.allSatisfy { isDigit($0) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || "-_.".utf8.contains($0) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
