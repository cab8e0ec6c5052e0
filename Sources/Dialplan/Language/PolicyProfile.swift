/// `policy NAME { setting value ... }`: a named set of policy settings (DESIGN.md §1).
public struct PolicyProfile: Hashable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var settings: [PolicySetting] = []
}

/// `tier NAME { [policy PROFILE] settings... }`: defaults for meetings of an account tier.
public struct Tier: Hashable, Sendable {
    /// The tiers every deployment has; operators may define more.
    public static let bundled = ["free", "paid", "enterprise", "nonprofit"]

    public var name: String
    public var location: SourceLocation
    public var basePolicy: Reference?
    public var settings: [PolicySetting] = []
}

/// One typed policy setting.
public struct PolicySetting: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        /// `e2ee-creation allow|deny`: may meetings be created end-to-end encrypted.
        case e2eeCreation(Bool)
        case phoneJoin(PhoneJoin)
        case lobbyTimeout(Duration)
        /// `re-upgrade yes|no`: may the host re-key to e2ee when the last phone leaves.
        case reUpgrade(Bool)
        case callerIDDisplay(CallerIDDisplay)
        /// `phones-before-host yes|no`: may phones join before the host.
        case phonesBeforeHost(Bool)
        case requireSRTP(Bool)
        /// `upgrade-with-phones remove|block`: when the host re-keys a downgraded meeting to e2ee while
        /// phones are in it, remove them (a prompt, then BYE) or refuse the upgrade.
        case upgradeWithPhones(UpgradeWithPhones)
    }

    public enum UpgradeWithPhones: String, Hashable, Sendable, CaseIterable {
        case remove, block
    }

    public enum PhoneJoin: String, Hashable, Sendable, CaseIterable {
        case refuse, lobby, downgrade
        case downgradeAuto = "downgrade-auto"
    }

    public enum CallerIDDisplay: String, Hashable, Sendable, CaseIterable {
        case full, masked, hidden
    }

    public var value: Value
    public var location: SourceLocation

    /// The setting names the language knows.
    public static let names = [
        "e2ee-creation", "phone-join", "lobby-timeout", "re-upgrade", "caller-id-display", "phones-before-host", "require-srtp",
        "upgrade-with-phones",
    ]

    public var name: String {
        switch value {
        case .e2eeCreation: "e2ee-creation"
        case .phoneJoin: "phone-join"
        case .lobbyTimeout: "lobby-timeout"
        case .reUpgrade: "re-upgrade"
        case .callerIDDisplay: "caller-id-display"
        case .phonesBeforeHost: "phones-before-host"
        case .requireSRTP: "require-srtp"
        case .upgradeWithPhones: "upgrade-with-phones"
        }
    }
}
