import Testing

@testable import Dialplan

/// The pure policy decision (issue 7) over the whole matrix: tiers × the policy action a profile
/// names × host present or not × SRTP or not × meeting mode, every cell with its expected outcome,
/// plus where each setting came from.
@Suite struct PolicyDecisionTests {
    /// A plan with one tier per phone-join action, a strict profile routes can name, and the bundled
    /// default's shape (`free` cannot create e2ee).
    static let plan = """
        policy default {
            phone-join refuse
            caller-id-display masked
        }
        policy strict {
            phone-join refuse
            require-srtp yes
            caller-id-display hidden
        }
        policy friendly {
            phone-join downgrade-auto
        }
        tier free {
            policy default
            e2ee-creation deny
        }
        tier paid {
            phone-join lobby
            lobby-timeout 30s
        }
        tier enterprise {
            phone-join downgrade
            phones-before-host no
            re-upgrade no
            upgrade-with-phones block
        }
        tier nonprofit {
            phone-join downgrade-auto
            caller-id-display full
        }
        """

    static let document: DialplanDocument = {
        let result = DialplanChecker(knownPrompts: bundledPrompts).load([DialplanSource(path: "p.dialplan", text: plan)]) { _, _ in nil }
        precondition(result.isValid, "\(result.diagnostics)")
        return result.document
    }()

    typealias Question = PolicyDecision.Question

    /// The expected outcome of one cell, written out rule by rule.
    static func expected(tier: String, route: String?, mode: Question.MeetingMode, host: Bool, srtp: Bool) -> PolicyDecision.Outcome {
        if route == "strict" && !srtp { return .refuse(.srtpRequired) }
        if mode == .standard {
            return tier == "enterprise" && !host ? .waitForHost : .admit
        }
        if route == "strict" { return .refuse(.e2ee) }
        // The route's `friendly` asks for downgrade-auto; only nonprofit's own settings allow it.
        let action =
            route == "friendly"
            ? "downgrade-auto"
            : ["free": "refuse", "paid": "lobby", "enterprise": "downgrade", "nonprofit": "downgrade-auto", "gold": "refuse"][tier]!
        switch action {
        case "refuse": return .refuse(.e2ee)
        case "lobby": return .lobby(timeout: .seconds(30))
        case "downgrade-auto" where tier == "nonprofit": return .downgrade(automatic: true)
        default: return host ? .downgrade(automatic: false) : .refuse(.hostAbsent)
        }
    }

    @Test func everyCellOfTheMatrix() {
        var cells = 0
        for tier in ["free", "paid", "enterprise", "nonprofit", "gold"] {
            for route in [nil, "strict", "friendly"] {
                for mode in Question.MeetingMode.allCases {
                    for host in [true, false] {
                        for srtp in [true, false] {
                            let question = Question(
                                meetingID: "123456789", mode: mode, tier: tier, hostPresent: host, srtp: srtp, routePolicy: route)
                            let decision = PolicyDecision.decide(question, in: Self.document)
                            let expected = Self.expected(tier: tier, route: route, mode: mode, host: host, srtp: srtp)
                            #expect(
                                decision.outcome == expected,
                                "\(tier) \(route ?? "-") \(mode) host \(host) srtp \(srtp): \(decision.reasons)")
                            #expect(!decision.reasons.isEmpty && !decision.lines.isEmpty)
                            cells += 1
                        }
                    }
                }
            }
        }
        #expect(cells == 120)
    }

    @Test func reasonsAndLinesSayWhyAndWhere() {
        let downgrade = PolicyDecision.decide(
            Question(meetingID: "123456789", mode: .e2ee, tier: "paid", hostPresent: true, srtp: true, routePolicy: "friendly"),
            in: Self.document)
        #expect(downgrade.outcome == .downgrade(automatic: false))
        #expect(downgrade.reasons.contains("tier paid does not allow downgrade-auto: the host must consent"))
        let join = downgrade.lines.first { $0.setting == "phone-join" }
        #expect(join?.description == "phone-join downgrade-auto (policy friendly, p.dialplan:11:5)")

        let free = PolicyDecision.decide(
            Question(meetingID: "123456789", mode: .e2ee, tier: "free", hostPresent: true, srtp: false), in: Self.document)
        #expect(free.outcome == .refuse(.e2ee))
        #expect(free.lines.first { $0.setting == "phone-join" }?.source == "policy default (of tier free)")
        #expect(free.lines.first { $0.setting == "re-upgrade" }?.description == "re-upgrade yes (built-in default)")
        #expect(free.callerIDDisplay == .masked)

        let enterprise = PolicyDecision.decide(
            Question(meetingID: "123456789", mode: .e2ee, tier: "enterprise", hostPresent: true, srtp: true), in: Self.document)
        #expect(!enterprise.reUpgrade)
        #expect(
            PolicyDecision.decide(
                Question(meetingID: "123456789", mode: .standard, tier: "nonprofit", hostPresent: true, srtp: true), in: Self.document
            ).callerIDDisplay == .full)
        #expect(
            PolicyDecision.decide(
                Question(meetingID: "123456789", mode: .standard, tier: "paid", hostPresent: true, srtp: false, routePolicy: "strict"),
                in: Self.document
            ).reasons == ["policy requires SRTP (policy strict) and this call's media is not encrypted"])
    }

    @Test func e2eeCreationFollowsTheTier() {
        #expect(!PolicyDecision.allowsE2EECreation(tier: "free", in: Self.document))
        #expect(PolicyDecision.allowsE2EECreation(tier: "paid", in: Self.document))
        #expect(PolicyDecision.allowsE2EECreation(tier: "gold", in: Self.document), "an unknown tier takes the built-in value")
    }

    @Test func theBundledPlanIsTheSafeOne() throws {
        let result = try LanguageBundledPlanTests.load(["dialplans/default.dialplan"])
        for tier in ["free", "paid", "enterprise", "nonprofit"] {
            for host in [true, false] {
                let decision = PolicyDecision.decide(
                    Question(meetingID: "123456789", mode: .e2ee, tier: tier, hostPresent: host, srtp: false), in: result.document)
                #expect(decision.outcome == .refuse(.e2ee), "\(tier): \(decision.reasons)")
            }
        }
        #expect(!PolicyDecision.allowsE2EECreation(tier: "free", in: result.document))
    }

    @Test func downgradeAutoCountsOnlyWhereTheTierItselfSaysSo() {
        let text = """
            policy default {
                phone-join downgrade-auto
            }
            tier paid {
                caller-id-display full
            }
            """
        let result = DialplanChecker(knownPrompts: bundledPrompts).load([DialplanSource(path: "q.dialplan", text: text)]) { _, _ in nil }
        #expect(result.isValid, "\(result.diagnostics)")
        let decision = PolicyDecision.decide(
            Question(meetingID: "123456789", mode: .e2ee, tier: "paid", hostPresent: true, srtp: true), in: result.document)
        #expect(decision.outcome == .downgrade(automatic: false), "the fallback profile does not speak for the tier: \(decision.reasons)")
    }

    /// What the meeting side needs to carry a lobby or a downgrade out: how long the host has to answer
    /// (`lobby-timeout`, for a downgrade's consent too), whether to re-upgrade, and what an upgrade does
    /// to the phones in the meeting (default `remove`: never a silent phone in an e2ee meeting).
    @Test func theMeetingSideGetsTheTimeoutReUpgradeAndUpgradeWithPhones() {
        func decide(_ tier: String) -> PolicyDecision {
            PolicyDecision.decide(
                Question(meetingID: "123456789", mode: .e2ee, tier: tier, hostPresent: true, srtp: true), in: Self.document)
        }
        let paid = decide("paid"), enterprise = decide("enterprise")
        #expect(paid.consentTimeout == .seconds(30) && paid.reUpgrade && paid.upgradeWithPhones == .remove)
        #expect(enterprise.consentTimeout == .seconds(60) && !enterprise.reUpgrade && enterprise.upgradeWithPhones == .block)
    }
}
