extension DialplanParser {
    /// Lobby waits shorter than 10 s give a host no time to decide; longer than a day is a typo.
    static let lobbyTimeoutRange: ClosedRange<Duration> = .seconds(10) ... .seconds(24 * 3600)

    /// Typed settings of a `policy` or `tier` block (DESIGN.md §1).
    mutating func policySettings(_ block: [SyntaxNode], in place: String, allowing extra: Set<String> = []) -> [PolicySetting] {
        var settings: [PolicySetting] = []
        for node in block where !extra.contains(node.keyword) {
            guard noBlock(node) else { continue }
            guard PolicySetting.names.contains(node.keyword) else {
                unknown(node, in: "in a \(place)", known: PolicySetting.names + extra)
                continue
            }
            if let earlier = settings.first(where: { $0.name == node.keyword }) {
                sink.error(node.location, "'\(node.keyword)' is already set at line \(earlier.location.line)")
                continue
            }
            guard exactly(1, node, usage: "\(node.keyword) VALUE") else { continue }
            let argument = node.arguments[0]
            let value: PolicySetting.Value?
            switch node.keyword {
            case "e2ee-creation":
                switch argument.value {
                case .word("allow"): value = .e2eeCreation(true)
                case .word("deny"): value = .e2eeCreation(false)
                default:
                    sink.error(argument.location, "e2ee-creation must be allow or deny, not \(argument.shown)")
                    value = nil
                }
            case "phone-join": value = choice(argument, what: "phone-join", as: PolicySetting.PhoneJoin.self).map { .phoneJoin($0) }
            case "lobby-timeout":
                value = duration(argument, what: "lobby-timeout", range: DialplanParser.lobbyTimeoutRange).map { .lobbyTimeout($0) }
            case "re-upgrade": value = boolean(argument, what: "re-upgrade").map { .reUpgrade($0) }
            case "caller-id-display":
                value = choice(argument, what: "caller-id-display", as: PolicySetting.CallerIDDisplay.self).map { .callerIDDisplay($0) }
            case "phones-before-host": value = boolean(argument, what: "phones-before-host").map { .phonesBeforeHost($0) }
            case "upgrade-with-phones":
                value = choice(argument, what: "upgrade-with-phones", as: PolicySetting.UpgradeWithPhones.self).map {
                    .upgradeWithPhones($0)
                }
            default: value = boolean(argument, what: "require-srtp").map { .requireSRTP($0) }
            }
            if let value { settings.append(PolicySetting(value: value, location: node.location)) }
        }
        return settings
    }

    /// `tier NAME { [policy PROFILE] settings... }`.
    mutating func tier(_ name: String, _ location: SourceLocation, _ block: [SyntaxNode]) -> Tier {
        var tier = Tier(name: name, location: location)
        for node in block where node.keyword == "policy" {
            guard noBlock(node), exactly(1, node, usage: "policy PROFILE") else { continue }
            if tier.basePolicy != nil {
                sink.error(node.location, "tier '\(name)' already names its policy")
                continue
            }
            tier.basePolicy = reference(node.arguments[0], what: "policy name")
        }
        tier.settings = policySettings(block, in: "tier", allowing: ["policy"])
        return tier
    }
}
