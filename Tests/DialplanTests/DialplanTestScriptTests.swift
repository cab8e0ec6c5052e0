import Dialplan
import Foundation
import Testing

/// The `.dialtest` script parser: what it reads, and every error with its exact
/// `file:line:column: message`.
@Suite struct DialplanTestScriptTests {
    /// A valid script around `line`, which goes on line 1 (top level).
    static func topLevel(_ line: String) -> String {
        "\(line)\nplan \"p.dialplan\"\ncall \"c\" {\n    from 1 to 2\n}\n"
    }

    /// A valid script with `line` inside the call, on line 4, column 5.
    static func inCall(_ line: String) -> String {
        "plan \"p.dialplan\"\ncall \"c\" {\n    from 15551234567 to 1000\n    \(line)\n}\n"
    }

    static func parse(_ text: String) -> (script: DialplanTestScript, diagnostics: [DialplanDiagnostic]) {
        DialplanTestScript.parse(DialplanSource(path: "s.dialtest", text: text))
    }

    /// Each diagnostic with its hint.
    static func errors(_ text: String) -> [String] { parse(text).diagnostics.map(\.description) }

    // MARK: - What a script says

    @Test func readsAFullScript() throws {
        let text = """
            # a comment
            plan "../default.dialplan"       # relative to the script
            plan "extra"
            zone "Europe/Berlin"
            at "2026-12-07T10:00:00Z"
            meeting 123456789 passcode 4321 mode e2ee tier paid
            meeting 987654321 passcode 0000

            call "IVR: right ID and passcode" {
                from 15551234567 name "Alice" pai +4915112345678 to 1000 trunk loopback header X-Account "a b" header x-account c privacy at "2026-12-07T11:00:00+01:00"
                press "123456789#" at 6s gap 150ms
                press 4321# after 2s
                press "*" on enter-passcode after 1s
                press "#" after-prompt wrong-entry
                expect answer
                expect no-answer
                expect ring
                expect early-media
                expect route meeting-entry
                expect goto other
                expect prompt wrong-entry times 2
                expect no-prompt goodbye
                expect tone 1000
                expect join 123456789 name "Phone ••• 4567" role host muted policy board
                expect join
                expect reject 404 "Not Found" cause 1
                expect hangup cause 16 text "Too many failed entries"
                expect echo
                expect variable $meeting_id "123456789"
                expect entry-failures 2
                expect duration-under 60s
                expect duration-over 500ms
                expect journal "no such meeting"
            }
            call second { from 1 to 2 source ::1 }
            """
        let (script, diagnostics) = Self.parse(text)
        #expect(diagnostics.map(\.description) == [])
        #expect(script.plans.map(\.path) == ["../default.dialplan", "extra"])
        #expect(script.plans[0].location == SourceLocation(file: "s.dialtest", line: 2, column: 6))
        #expect(script.timeZone.identifier == "Europe/Berlin")
        #expect(script.arrival == Date(timeIntervalSince1970: 1_796_637_600))
        #expect(
            script.meetings.map(\.entry) == [
                MeetingEntry(id: "123456789", passcode: "4321", mode: "e2ee", tier: "paid"),
                MeetingEntry(id: "987654321", passcode: "0000", mode: "standard", tier: "free"),
            ])
        let call = try #require(script.calls.first)
        #expect(call.name == "IVR: right ID and passcode")
        #expect(call.location == SourceLocation(file: "s.dialtest", line: 9, column: 1))
        #expect(call.caller == "15551234567")
        #expect(call.callerName == "Alice")
        #expect(call.assertedIdentity == "+4915112345678")
        #expect(call.called == "1000")
        #expect(call.trunk?.name == "loopback")
        #expect(call.headers == ["x-account": ["a b", "c"]])
        #expect(call.privacy)
        #expect(call.arrival == Date(timeIntervalSince1970: 1_796_637_600))
        #expect(call.presses.map(\.digits) == [Array("123456789#"), Array("4321#"), ["*"], ["#"]])
        #expect(call.presses.map(\.gap) == [.milliseconds(150), Press.defaultGap, Press.defaultGap, Press.defaultGap])
        #expect(
            call.presses.map(\.summary) == [
                "press \"123456789#\" at 6s", "press \"4321#\" after 2s", "press \"*\" on enter-passcode after 1s",
                "press \"#\" after-prompt wrong-entry",
            ])
        #expect(
            call.expectations.map(\.kind) == [
                .answer(true), .answer(false), .ring, .earlyMedia, .route("meeting-entry"), .goto("other"),
                .prompt("wrong-entry", times: 2), .noPrompt("goodbye"), .tone(1000),
                .join(meeting: "123456789", name: "Phone ••• 4567", role: .host, muted: true, policy: "board"),
                .join(meeting: nil, name: nil, role: nil, muted: nil, policy: nil),
                .reject(status: 404, phrase: "Not Found", cause: 1), .hangup(cause: 16, text: "Too many failed entries"), .echo,
                .variable("meeting_id", value: "123456789"), .entryFailures(2), .durationUnder(.seconds(60)),
                .durationOver(.milliseconds(500)), .journal("no such meeting"),
            ])
        #expect(call.expectations[0].location == SourceLocation(file: "s.dialtest", line: 15, column: 5))
        let second = try #require(script.calls.last)
        #expect(second.source?.bytes == [UInt8](repeating: 0, count: 15) + [1])
        #expect(second.trunk == nil)
    }

    @Test func defaultsWhenTheScriptSaysNothing() throws {
        let (script, diagnostics) = Self.parse(Self.topLevel(""))
        #expect(diagnostics == [])
        #expect(script.timeZone.secondsFromGMT(for: script.arrival) == 0)
        // Monday 2026-01-05 12:00 UTC.
        #expect(script.arrival == DialplanTestScript.defaultArrival)
        #expect(script.meetings == [])
        let call = try #require(script.calls.first)
        #expect(call.trunk == nil && call.source == nil && !call.privacy && call.arrival == nil)
    }

    @Test func planPathsAreRelativeToTheScript() {
        func resolved(_ plan: String, _ script: String) -> String {
            PlanReference(path: plan, location: SourceLocation(file: script, line: 1, column: 1)).resolved(fromScript: script)
        }
        #expect(resolved("../default.dialplan", "dialplans/tests/default.dialtest") == "dialplans/default.dialplan")
        #expect(resolved("../examples", "./dialplans/tests/x.dialtest") == "dialplans/examples")
        #expect(resolved("p.dialplan", "x.dialtest") == "p.dialplan")
        #expect(resolved("../p.dialplan", "/srv/plans/tests/x.dialtest") == "/srv/plans/p.dialplan")
        #expect(resolved("p.dialplan", "/x.dialtest") == "/p.dialplan")
        #expect(resolved("/etc/dialgate/p.dialplan", "tests/x.dialtest") == "/etc/dialgate/p.dialplan")
    }

    // MARK: - Errors at the top level

    @Test func topLevelErrors() {
        let cases: [(String, String)] = [
            ("pln \"x\"", "s.dialtest:1:1: unknown statement 'pln' at the top level of a test script\n  hint: did you mean 'plan'?"),
            (
                "press \"1\" at 1s",
                "s.dialtest:1:1: unknown statement 'press' at the top level of a test script\n  hint: 'press' goes inside a call \"NAME\" { ... } block"
            ),
            (
                "route r {\n}",
                "s.dialtest:1:1: unknown statement 'route' at the top level of a test script\n  hint: a script has plan, meeting, zone, at and call statements"
            ),
            (
                "plan ../x",
                "s.dialtest:1:6: plan needs a quoted file or folder path\n  hint: plan \"../default.dialplan\" (relative to the script)"
            ),
            (
                "plan",
                "s.dialtest:1:1: plan needs a quoted file or folder path\n  hint: plan \"../default.dialplan\" (relative to the script)"
            ),
            ("plan \"a\" \"b\"", "s.dialtest:1:10: unexpected \"b\" after the plan path\n  hint: write one plan line per file or folder"),
            ("plan \"a\" {\n}", "s.dialtest:1:10: 'plan' does not take a block"),
            (
                "meeting passcode 1",
                "s.dialtest:1:1: meeting needs an ID\n  hint: meeting 123456789 passcode 4321 [mode standard|e2ee] [tier free]"
            ),
            ("meeting abc passcode 1", "s.dialtest:1:9: meeting ID must be digits, not 'abc'"),
            ("meeting 1 passcode x1", "s.dialtest:1:20: meeting passcode must be digits, not 'x1'"),
            (
                "meeting 1",
                "s.dialtest:1:1: meeting 1 needs a passcode\n  hint: meeting 123456789 passcode 4321 [mode standard|e2ee] [tier free]"
            ),
            (
                "meeting 1 passcode 2 mode secret",
                "s.dialtest:1:27: meeting mode must be one of standard, e2ee, not 'secret'"
            ),
            (
                "meeting 1 passcode 2 mode e2e",
                "s.dialtest:1:27: meeting mode must be one of standard, e2ee, not 'e2e'\n  hint: did you mean 'e2ee'?"
            ),
            (
                "meeting 1 passcode 2 tier \"big spender\"",
                "s.dialtest:1:27: \"big spender\" is not a valid tier name\n  hint: names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"
            ),
            ("meeting 1 passcode 2 colour red", "s.dialtest:1:22: unknown meeting option 'colour'\n  hint: options: mode, passcode, tier"),
            ("meeting 1 passcode", "s.dialtest:1:11: 'passcode' needs a value"),
            ("meeting 1 passcode 2 passcode 3", "s.dialtest:1:22: 'passcode' is given twice (first at column 11)"),
            ("meeting 1 passcode 2\nmeeting 1 passcode 3", "s.dialtest:2:9: meeting 1 is already defined at s.dialtest:1:9"),
            (
                "zone \"Mars/Olympus\"",
                "s.dialtest:1:6: unknown time zone \"Mars/Olympus\"\n  hint: write an IANA zone name such as \"Europe/Berlin\" or \"UTC\""
            ),
            ("zone", "s.dialtest:1:1: 'zone' needs an argument\n  hint: zone \"Europe/Berlin\""),
            ("zone UTC\nzone UTC", "s.dialtest:2:1: 'zone' is already given at s.dialtest:1:1"),
            (
                "at \"2026-12-07 10:00\"",
                "s.dialtest:1:4: \"2026-12-07 10:00\" is not an ISO 8601 time with a zone\n  hint: write e.g. \"2026-12-07T10:00:00Z\" or \"2026-12-07T11:00:00+01:00\""
            ),
            ("at 2026-12-07T10:00:00Z\nat 2026-12-07T10:00:00Z", "s.dialtest:2:1: 'at' is already given at s.dialtest:1:1"),
            ("call {\n}", "s.dialtest:1:1: 'call' needs a quoted name\n  hint: call \"NAME\" { from 15551234567 to 1000 ... }"),
            ("call \"x\"", "s.dialtest:1:1: 'call' needs a block\n  hint: call \"NAME\" { from 15551234567 to 1000 ... }"),
            (
                "call \"c\" {\n    from 1 to 2\n}",
                "s.dialtest:5:6: call \"c\" is already defined at s.dialtest:1:1\n  hint: give each call its own name"
            ),
            (
                "call \"a\" \"b\" {\n    from 1 to 2\n}",
                "s.dialtest:1:10: unexpected \"b\" after the call name\n  hint: quote a name with spaces"
            ),
            ("call \"d\" {\n}", "s.dialtest:1:1: call \"d\" needs a 'from NUMBER to NUMBER' line\n  hint: from 15551234567 to 1000"),
        ]
        for (line, expected) in cases {
            #expect(Self.errors(Self.topLevel(line)) == [expected], "\(line)")
        }
        // Syntax errors come from the language's own lexer and parser.
        #expect(
            Self.errors("plan \"unterminated\ncall \"c\" {\n    from 1 to 2\n}\n") == [
                "s.dialtest:1:1: plan needs a quoted file or folder path\n  hint: plan \"../default.dialplan\" (relative to the script)",
                "s.dialtest:1:6: unterminated string\n  hint: close it with \" on the same line",
            ])
        #expect(
            Self.errors("plan \"p.dialplan\"\ncall \"c\" {\n    from 1 to 2\n") == [
                "s.dialtest:2:10: missing '}' to close the 'call' block opened here"
            ])
    }

    @Test func aScriptNeedsAPlanAndACall() {
        #expect(
            Self.errors("call \"c\" {\n    from 1 to 2\n}\n") == [
                "s.dialtest:1:1: a test script needs a 'plan' line\n  hint: plan \"../default.dialplan\" (relative to the script)"
            ])
        #expect(
            Self.errors("# nothing but a plan\nplan \"p.dialplan\"\n") == [
                "s.dialtest:1:1: a test script needs at least one call\n  hint: call \"NAME\" { from 15551234567 to 1000 ... }"
            ])
    }

    // MARK: - Errors in a call

    @Test func callErrors() {
        let cases: [(String, String)] = [
            ("expec answer", "s.dialtest:4:5: unknown statement 'expec' in a call\n  hint: did you mean 'expect'?"),
            ("plan \"x\"", "s.dialtest:4:5: unknown statement 'plan' in a call\n  hint: 'plan' goes at the top level of the script"),
            ("wait 5s", "s.dialtest:4:5: unknown statement 'wait' in a call\n  hint: a call has from, press and expect lines"),
            ("expect answer {\n    }", "s.dialtest:4:19: 'expect' does not take a block"),
            ("from 1 to 2", "s.dialtest:4:5: a call has one 'from' line; the first is at s.dialtest:3:5"),
        ]
        for (line, expected) in cases {
            #expect(Self.errors(Self.inCall(line)) == [expected], "\(line)")
        }
    }

    @Test func fromErrors() {
        let usage = "from 15551234567 [name \"Alice\"] to 1000 [trunk NAME | source ADDRESS] [header NAME \"VALUE\"] [privacy] [at TIME]"
        let cases: [(String, String)] = [
            ("from to 1000", "s.dialtest:3:10: 'from' needs the caller's number first\n  hint: \(usage)"),
            ("from", "s.dialtest:3:5: 'from' needs the caller's number first\n  hint: \(usage)"),
            ("from 1", "s.dialtest:3:5: 'from' needs 'to NUMBER' (the called number)\n  hint: \(usage)"),
            ("from 1 to", "s.dialtest:3:12: 'to' needs a value"),
            ("from 1 to \"\"", "s.dialtest:3:15: 'to' needs the called number\n  hint: \(usage)"),
            (
                "from 1 to 2 trunk t source 127.0.0.1",
                "s.dialtest:3:32: give 'trunk' or 'source', not both\n  hint: the daemon finds the trunk by the source address"
            ),
            ("from 1 to 2 source 1.2.3", "s.dialtest:3:24: '1.2.3' is not an IP address"),
            (
                "from 1 to 2 trunk \"a b\"",
                "s.dialtest:3:23: \"a b\" is not a valid trunk name\n  hint: names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"
            ),
            (
                "from 1 to 2 colour red",
                "s.dialtest:3:17: unknown call option 'colour'\n  hint: options: at, header, name, pai, privacy, source, to, trunk"
            ),
            ("from 1 to 2 nmae x", "s.dialtest:3:17: unknown call option 'nmae'\n  hint: did you mean 'name'?"),
            ("from 1 to 2 to 3", "s.dialtest:3:17: 'to' is given twice (first at column 12)"),
            ("from 1 to 2 header X-A", "s.dialtest:3:17: 'header' needs 2 values"),
            ("from 1 to 2 header \"X A\" b", "s.dialtest:3:24: \"X A\" is not a header name\n  hint: header X-Account \"value\""),
            (
                "from 1 to 2 at 10:00",
                "s.dialtest:3:20: '10:00' is not an ISO 8601 time with a zone\n  hint: write e.g. \"2026-12-07T10:00:00Z\" or \"2026-12-07T11:00:00+01:00\""
            ),
        ]
        for (line, expected) in cases {
            let text = "plan \"p.dialplan\"\ncall \"c\" {\n    \(line)\n}\n"
            #expect(Self.errors(text) == [expected], "\(line)")
        }
    }

    @Test func pressErrors() {
        let usage = "press \"4321#\" at 12s | after 2s | on enter-passcode [after 1s] | after-prompt enter-passcode [gap 200ms]"
        let combine = "one of: at TIME, after DURATION, on PROMPT [after DURATION], after-prompt PROMPT [after DURATION]"
        let cases: [(String, String)] = [
            ("press at 1s", "s.dialtest:4:5: press needs digits\n  hint: press \"4321#\" at 12s (quote them: a bare # starts a comment)"),
            ("press # at 1s", "s.dialtest:4:5: press needs digits\n  hint: press \"4321#\" at 12s (quote them: a bare # starts a comment)"),
            ("press \"12x4\" at 1s", "s.dialtest:4:14: 'x' is not a DTMF digit\n  hint: digits are 0-9, *, # and A-D"),
            ("press 12e4 at 1s", "s.dialtest:4:13: 'e' is not a DTMF digit\n  hint: digits are 0-9, *, # and A-D"),
            ("press \"\" at 1s", "s.dialtest:4:11: press needs at least one digit"),
            ("press /1/ at 1s", "s.dialtest:4:11: expected digits, found /1/\n  hint: press \"4321#\" at 12s"),
            (
                "press \"1\"",
                "s.dialtest:4:5: press needs a time: at TIME, after DURATION, on PROMPT or after-prompt PROMPT\n  hint: \(usage)"
            ),
            (
                "press \"1\" at 6",
                "s.dialtest:4:18: press at must be a duration, not '6'\n  hint: write a number and a unit: 500ms, 10s, 2m or 1h"
            ),
            (
                "press \"1\" at 2d",
                "s.dialtest:4:18: press at must be a duration, not '2d'\n  hint: write a number and a unit: 500ms, 10s, 2m or 1h"
            ),
            ("press \"1\" after 25h", "s.dialtest:4:21: press after 25h is out of range (0s to 24h)"),
            ("press \"1\" at 1s gap 2m", "s.dialtest:4:25: press gap 2m is out of range (0s to 1m)"),
            ("press \"1\" at 1s on welcome", "s.dialtest:4:21: 'on' cannot be combined with 'at' in one press\n  hint: \(combine)"),
            ("press \"1\" after 1s at 2s", "s.dialtest:4:24: 'at' cannot be combined with 'after' in one press\n  hint: \(combine)"),
            ("press \"1\" on welcome after-prompt joining", "s.dialtest:4:26: 'after-prompt' cannot be combined with 'on' in one press"),
            (
                "press \"1\" on \"x y\"",
                "s.dialtest:4:18: \"x y\" is not a valid prompt name\n  hint: names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"
            ),
            ("press \"1\" at 1s at 2s", "s.dialtest:4:21: 'at' is given twice (first at column 15)"),
            ("press \"1\" when welcome", "s.dialtest:4:15: unknown press option 'when'\n  hint: options: after, after-prompt, at, gap, on"),
        ]
        for (line, expected) in cases {
            #expect(Self.errors(Self.inCall(line)) == [expected], "\(line)")
        }
    }

    @Test func expectErrors() {
        let all =
            "answer, no-answer, ring, early-media, route, goto, prompt, no-prompt, tone, join, reject, hangup, echo, variable, entry-failures, duration-under, duration-over, journal"
        let cases: [(String, String)] = [
            ("expect", "s.dialtest:4:5: 'expect' needs what to expect\n  hint: one of: \(all)"),
            ("expect anser", "s.dialtest:4:12: unknown expectation 'anser'\n  hint: did you mean 'answer'?"),
            ("expect \"answer\"", "s.dialtest:4:12: unknown expectation \"answer\"\n  hint: did you mean 'answer'?"),
            ("expect lunch", "s.dialtest:4:12: unknown expectation 'lunch'\n  hint: one of: \(all)"),
            ("expect answer now", "s.dialtest:4:19: unexpected 'now' after 'expect answer'"),
            ("expect route", "s.dialtest:4:5: 'expect route' needs a route name"),
            ("expect route a b", "s.dialtest:4:20: unexpected 'b' after 'expect route'"),
            (
                "expect goto \"x y\"",
                "s.dialtest:4:17: \"x y\" is not a valid route name\n  hint: names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"
            ),
            ("expect no-prompt", "s.dialtest:4:5: 'expect no-prompt' needs a prompt name"),
            ("expect prompt", "s.dialtest:4:5: 'expect prompt' needs a prompt name\n  hint: expect prompt welcome [times 1]"),
            ("expect prompt welcome times 0", "s.dialtest:4:33: times 0 is out of range (1 to 1000)"),
            ("expect prompt welcome twice", "s.dialtest:4:27: unknown 'expect prompt' option 'twice'\n  hint: options: times"),
            ("expect tone", "s.dialtest:4:5: 'expect tone' needs a frequency"),
            ("expect tone 5", "s.dialtest:4:17: tone frequency 5 is out of range (20 to 3900)"),
            ("expect join 1 role boss", "s.dialtest:4:24: join role must be one of participant, host, listener, not 'boss'"),
            ("expect join muted unmuted", "s.dialtest:4:23: give 'muted' or 'unmuted', not both"),
            ("expect join 1 name", "s.dialtest:4:19: 'name' needs a value"),
            ("expect join = 1", "s.dialtest:4:17: expected a meeting ID, found '='"),
            ("expect reject", "s.dialtest:4:5: 'expect reject' needs a status\n  hint: expect reject 404 [\"Not Found\"] [cause 1]"),
            ("expect reject 200", "s.dialtest:4:19: reject status 200 is out of range (400 to 699)"),
            ("expect reject 404 cause 200", "s.dialtest:4:29: cause 200 is out of range (1 to 127)"),
            ("expect reject 404 Not Found", "s.dialtest:4:23: unknown 'expect reject' option 'Not'\n  hint: options: cause"),
            ("expect hangup cause x", "s.dialtest:4:25: cause must be a whole number, not 'x'"),
            ("expect hangup reason 16", "s.dialtest:4:19: unknown 'expect hangup' option 'reason'\n  hint: options: cause, text"),
            (
                "expect variable x",
                "s.dialtest:4:5: 'expect variable' needs a name and a value\n  hint: expect variable meeting_id \"123456789\""
            ),
            (
                "expect variable x 1 2",
                "s.dialtest:4:25: unexpected '2' after 'expect variable'\n  hint: expect variable meeting_id \"123456789\""
            ),
            (
                "expect variable 1x 1",
                "s.dialtest:4:21: '1x' is not a valid variable name\n  hint: variable names use letters, digits, '_' and '.', and start with a letter or '_'"
            ),
            ("expect variable \"x\" 1", "s.dialtest:4:21: expected a variable name, found \"x\""),
            ("expect entry-failures -1", "s.dialtest:4:27: entry-failures must be a whole number, not '-1'"),
            (
                "expect duration-under 10",
                "s.dialtest:4:27: duration-under must be a duration, not '10'\n  hint: write a number and a unit: 500ms, 10s, 2m or 1h"
            ),
            ("expect duration-over", "s.dialtest:4:5: 'expect duration-over' needs a duration"),
            ("expect journal \"\"", "s.dialtest:4:20: expected a text, found \"\""),
        ]
        for (line, expected) in cases {
            #expect(Self.errors(Self.inCall(line)) == [expected], "\(line)")
        }
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let text = """
            plan "p.dialplan"
            meeting x passcode 1
            call "c" {
                from 1 to 2
                press "1"
                expect anser
            }
            bogus
            """
        #expect(
            Self.parse(text).diagnostics.map { "\($0.location): \($0.message)" } == [
                "s.dialtest:2:9: meeting ID must be digits, not 'x'",
                "s.dialtest:5:5: press needs a time: at TIME, after DURATION, on PROMPT or after-prompt PROMPT",
                "s.dialtest:6:12: unknown expectation 'anser'",
                "s.dialtest:8:1: unknown statement 'bogus' at the top level of a test script",
            ])
    }
}
