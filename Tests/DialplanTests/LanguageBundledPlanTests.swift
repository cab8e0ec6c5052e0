import Dialplan
import Foundation
import Testing

/// The shipped plans (`dialplans/`) pass the checker and say what DESIGN.md §3 says.
@Suite struct LanguageBundledPlanTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func source(_ relative: String) throws -> DialplanSource {
        let url = repository.appendingPathComponent(relative)
        return DialplanSource(path: relative, text: try String(contentsOf: url, encoding: .utf8))
    }

    static func load(_ paths: [String]) throws -> DialplanCheckResult {
        let sources = try paths.map(source)
        return DialplanChecker(knownPrompts: bundledPrompts).load(sources) { include, from in
            let folder = (from as NSString).deletingLastPathComponent
            return try? source(folder + "/" + include)
        }
    }

    static let examples = ["after-hours", "carrier-did", "pbx-digest", "shared-policy"].map { "dialplans/examples/\($0).dialplan" }

    @Test func defaultPlanChecksClean() throws {
        let result = try Self.load(["dialplans/default.dialplan"])
        #expect(result.diagnostics.map(\.description) == [])
        #expect(result.document.routes.map(\.name) == ["meeting-entry", "echo-test", "tone-test", "direct-meeting", "not-found"])
    }

    @Test(arguments: examples)
    func eachExampleChecksCleanAlone(_ path: String) throws {
        #expect(try Self.load([path]).diagnostics.map(\.description) == [])
    }

    @Test func examplesCheckCleanTogether() throws {
        let result = try Self.load(Self.examples)
        #expect(result.diagnostics.map(\.description) == [])
        // shared-policy.dialplan is included by carrier-did and given too: read once.
        #expect(result.document.files.count == 4)
        #expect(result.document.policies.map(\.name) == ["board"])
    }

    @Test func loopbackTrunkAndDefaultPolicy() throws {
        let document = try Self.load(["dialplans/default.dialplan"]).document
        let loopback = try #require(document.trunk(named: "loopback"))
        #expect(loopback.sources.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(loopback.sources[0].contains([127, 0, 0, 1]))
        #expect(loopback.codecs == [.pcmu, .pcma, .opus])
        #expect(loopback.srtp == .optional)
        #expect(loopback.sdesOverInsecureTransports)
        #expect(!loopback.trustAssertedIdentity)
        let policy = try #require(document.policy(named: "default"))
        #expect(policy.settings.map(\.value).contains(.phoneJoin(.refuse)))
        let free = try #require(document.tier(named: "free"))
        #expect(free.settings.map(\.value) == [.e2eeCreation(false)])
        #expect(free.basePolicy?.name == "default")
        #expect(Set(document.tiers.map(\.name)) == Set(Tier.bundled))
    }

    @Test func meetingEntryFollowsTheContract() throws {
        let route = try #require(try Self.load(["dialplans/default.dialplan"]).document.route(named: "meeting-entry"))
        let found = route.steps.compactMap { step -> (Int, String?, [Step])? in
            if case .tries(let count, let retry, let inner) = step.action { return (count, retry?.name, inner) }
            return nil
        }
        let tries = try #require(found.first)
        #expect(tries.0 == 3)
        #expect(tries.1 == "wrong-entry")
        // Both questions come before any lookup, so a wrong ID still gets the passcode question.
        #expect(tries.2.map(\.keyword) == ["collect", "collect", "lookup", "check-passcode", "play", "join"])
        for step in tries.2 {
            if case .collect(let collect) = step.action {
                #expect(collect.firstDigitTimeout == .seconds(10))
                #expect(collect.interDigitTimeout == .seconds(5))
                #expect(collect.terminator == "#")
            }
        }
        #expect(route.steps.map(\.keyword) == ["answer", "play", "pause", "tries", "play", "hangup"])
        guard case .hangup(let reason?) = route.steps.last?.action else {
            Issue.record("the IVR must end with a hangup that carries a Reason")
            return
        }
        #expect(reason.headerValue == "Q.850;cause=16;text=\"Too many failed entries\"")
    }

    /// The language plan picks the same route as the compiled-in plan for every called number.
    @Test(arguments: [
        ("1000", "meeting-entry"), ("1001", "echo-test"), ("1002", "tone-test"), ("123456789*4321", "direct-meeting"),
        ("12345678901*1234567890", "direct-meeting"), ("999", "not-found"), ("", "not-found"), ("12345678*4321", "not-found"),
        ("123456789*123", "not-found"), ("123456789*12345678901", "not-found"), ("12345678a*4321", "not-found"),
        ("123456789*4321*1", "not-found"), ("*", "not-found"), ("１２３４５６７８９*4321", "not-found"),
    ])
    func calledNumbersAgreeWithTheBuiltinPlan(_ called: String, _ expected: String) throws {
        let document = try Self.load(["dialplans/default.dialplan"]).document
        let chosen = document.routes.first { route in
            route.isMatchable
                && route.conditions.allSatisfy { condition in
                    switch condition.kind {
                    case .any: true
                    case .called(let patterns): patterns.contains { $0.matches(called) }
                    default: false
                    }
                }
        }
        #expect(chosen?.name == expected)
        // The interpreter's route selection agrees with the match lines read above.
        let selected = document.selectRoute(for: CallRequestFacts(called: called, caller: "x", trunk: "loopback"))
        #expect(selected?.route.name == expected)
    }

    @Test func directDialCapturesMeetingAndPasscode() throws {
        let route = try #require(try Self.load(["dialplans/default.dialplan"]).document.route(named: "direct-meeting"))
        guard case .called(let patterns) = route.conditions.first?.kind else {
            Issue.record("direct-meeting must match on the called number")
            return
        }
        #expect(patterns.first?.captures("123456789*4321") == ["meeting_id": "123456789", "passcode": "4321"])
    }
}

/// The complete plans shown in docs/dialplan.md (```dialplan blocks) pass the checker.
@Suite struct LanguageDocumentationTests {
    @Test func documentedPlansCheckClean() throws {
        let url = LanguageBundledPlanTests.repository.appendingPathComponent("docs/dialplan.md")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var blocks: [(line: Int, text: String)] = []
        var current: (line: Int, text: String)?
        for (index, line) in lines.enumerated() {
            if line == "```dialplan" {
                current = (index + 1, "")
            } else if line == "```", let block = current {
                blocks.append(block)
                current = nil
            } else if current != nil {
                current?.text += line + "\n"
            }
        }
        #expect(blocks.count >= 4)
        for block in blocks {
            let result = DialplanChecker(knownPrompts: bundledPrompts).load([
                DialplanSource(path: "docs/dialplan.md@\(block.line)", text: block.text)
            ]) { _, _ in nil }
            #expect(result.diagnostics.map(\.description) == [], "block at line \(block.line)")
        }
    }
}
