import Dialplan
import Foundation
import Testing

/// The runner: scripted calls on the virtual clock, their timelines and their verdicts.
@Suite struct DialplanTestRunnerTests {
    /// Every prompt plays 2 s here, so times are easy to follow.
    static let prompts = Dictionary(uniqueKeysWithValues: bundledPrompts.map { ($0, Duration.seconds(2)) })

    static let plan = """
        trunk local {
            from 127.0.0.0/8
        }
        route ivr {
            match called 1000
            play welcome
            tries 3 retry-prompt wrong-entry {
                collect meeting_id prompt enter-meeting-id min 9 max 11
                collect passcode prompt enter-passcode min 4 max 10
                lookup $meeting_id
                check-passcode $passcode
                join
            }
            play goodbye
            hangup reason q850 16 "Too many failed entries"
        }
        route slow {
            match called 2000
            answer
            tries 10 {
                collect x first-digit-timeout 5m
            }
            hangup
        }
        route board {
            match called 3000
            policy strict
            answer
            goto board-join
        }
        route board-join {
            join 987654321 role listener muted name "${caller.name}"
        }
        route not-found {
            match any
            reject 404 "Not Found" reason q850 1 "Unallocated number"
        }
        policy strict {
            phone-join refuse
        }
        """

    static func runner(plan: String = plan, safetyLimit: Duration = DialplanTestRunner.defaultSafetyLimit) -> DialplanTestRunner {
        let checked = check(plan)
        #expect(checked.diagnostics.map(\.description) == [])
        return DialplanTestRunner(document: checked.document, promptDurations: prompts, safetyLimit: safetyLimit)
    }

    static func script(_ text: String) -> DialplanTestScript {
        let (script, diagnostics) = DialplanTestScript.parse(DialplanSource(path: "s.dialtest", text: text))
        #expect(diagnostics.map(\.description) == [])
        return script
    }

    static func run(_ text: String, plan: String = plan, safetyLimit: Duration = DialplanTestRunner.defaultSafetyLimit)
        -> DialplanTestReport
    {
        let runner = runner(plan: plan, safetyLimit: safetyLimit)
        let script = script(text)
        #expect(runner.validate(script).map(\.description) == [])
        return runner.run(script)
    }

    // MARK: - Passing

    @Test func aPassingCallPrintsItsPathWithTimes() throws {
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 123456789 passcode 4321
            call "right entries" {
                from 15551234567 to 1000
                press "123456789#" at 5s gap 100ms
                press "4321#" after 1s
                expect route ivr
                expect answer
                expect no-prompt wrong-entry
                expect join 123456789 name "Phone ••• 4567" role participant unmuted
                expect variable meeting_id "123456789"
                expect entry-failures 0
                expect duration-under 8s
            }
            """)
        #expect(report.passed)
        #expect(
            report.lines() == [
                "call \"right entries\"  (s.dialtest:3:1)",
                "   0.000  call from 15551234567 to 1000 on trunk local",
                "   0.000  route ivr  (t.dialplan:4)",
                "   0.000  answer  (t.dialplan:6)",
                "   0.000  play welcome (2s)  (t.dialplan:6)",
                "   2.000  try 1 of 3  (t.dialplan:7)",
                "   2.000  collect meeting_id  (t.dialplan:8)",
                "   2.000  play enter-meeting-id (2s)",
                "   5.000  press \"123456789#\" (100ms apart)",
                "   5.900  collected meeting_id: 123456789 (9 digits)  (t.dialplan:8)",
                "   5.900  collect passcode  (t.dialplan:9)",
                "   5.900  play enter-passcode (2s)",
                "   6.900  press \"4321#\" (200ms apart)",
                "   6.900  stop playback (barge-in)",
                "   7.700  collected passcode: 4 digits  (t.dialplan:9)",
                "   7.700  lookup 123456789  (t.dialplan:10)",
                "   7.700  lookup 123456789: found (standard)  (t.dialplan:10)",
                "   7.700  check-passcode: accepted  (t.dialplan:11)",
                "   7.700  join 123456789 as participant named \"Phone ••• 4567\"  (t.dialplan:12)",
                "   7.700  end: joins meeting 123456789",
                "PASS call \"right entries\"",
                "",
            ])
        let call = try #require(report.calls.first)
        #expect(call.endedAt == .milliseconds(7700))
        #expect(call.route == "ivr")
        guard case .join(let request) = call.outcome else {
            Issue.record("expected a join, got \(call.outcome)")
            return
        }
        #expect(request.meeting == MeetingEntry(id: "123456789", passcode: "4321"))
        #expect(report.lines(quiet: true) == [])
    }

    @Test func presseslinkedToPrompts() {
        // `on`: when the prompt starts (a barge-in); `after-prompt`: once it has played.
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 123456789 passcode 4321
            call "c" {
                from 15551234567 to 1000
                press "123456789#" on enter-meeting-id after 500ms gap 0ms
                press "4321#" after-prompt enter-passcode gap 0ms
                expect join 123456789
                expect duration-under 5s
            }
            """)
        #expect(report.passed)
        let presses = report.calls[0].timeline.filter { $0.source == .caller }.map(\.description)
        // enter-meeting-id starts at 2.0 (after welcome); enter-passcode at 2.5 ends at 4.5.
        #expect(presses == ["   2.500  press \"123456789#\" (0ms apart)", "   4.500  press \"4321#\" (0ms apart)"])
        #expect(report.calls[0].endedAt == .milliseconds(4500))
    }

    @Test func aDigitAndATimeoutAtTheSameInstantTheDigitWins() {
        // enter-meeting-id ends at 4s; the first-digit timeout falls at 14s, with the digit.
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 123456789 passcode 4321
            call "c" {
                from 15551234567 to 1000
                press "123456789#" at 14s gap 0ms
                press "4321#" after-prompt enter-passcode gap 0ms
                expect no-prompt wrong-entry
                expect join 123456789
            }
            """)
        #expect(report.lines(quiet: true) == [])
    }

    @Test func gotoAndPolicyReachTheJoin() {
        let report = Self.run(
            """
            plan "t.dialplan"
            call "board" {
                from 15551234567 name "Board room" to 3000
                expect route board
                expect goto board-join
                expect join 987654321 role listener muted name "Board room" policy strict
            }
            """)
        #expect(report.lines(quiet: true) == [])
    }

    // MARK: - Failing

    @Test func eachFailedExpectationNamesItsOwnLine() {
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 123456789 passcode 4321
            call "wrong passcodes" {
                from 15551234567 to 1000
                press "123456789#" on enter-meeting-id
                press "0000#" on enter-passcode
                press "123456789#" on enter-meeting-id
                press "1111#" on enter-passcode
                press "123456789#" on enter-meeting-id
                press "2222#" on enter-passcode
                expect join 123456789
                expect prompt wrong-entry
                expect no-prompt goodbye
                expect entry-failures 2
                expect reject 404
                expect variable passcode "4321"
                expect duration-under 10s
                expect hangup cause 16 text "Too many failed entries"
            }
            """)
        #expect(!report.passed)
        #expect(report.failedCalls == 1)
        let call = report.calls[0]
        #expect(
            call.failures.map(\.description) == [
                "s.dialtest:11:5: expected join 123456789, the call ended with hangup (Q.850 16 \"Too many failed entries\")",
                "s.dialtest:13:5: expected no prompt goodbye, it played 1 time, first at 20.800",
                "s.dialtest:14:5: expected 2 entry failures, there were 3",
                "s.dialtest:15:5: expected reject 404, the call ended with hangup (Q.850 16 \"Too many failed entries\")",
                "s.dialtest:16:5: expected variable passcode \"4321\", it is \"2222\"",
                "s.dialtest:17:5: expected the call to end before 10s, it ended at 22.800",
            ])
        #expect(
            report.lines(quiet: true).first
                == "FAIL call \"wrong passcodes\": s.dialtest:11:5: expected join 123456789, the call ended with hangup (Q.850 16 \"Too many failed entries\")"
        )
        #expect(report.lines(quiet: true).count == 6)
        // The entry guard's waits double: 1s, 2s, 4s.
        #expect(
            call.timeline.filter { $0.text.hasPrefix("entry guard") }.map(\.description) == [
                "   4.600  entry guard: wrong passcode, the caller waits 1s",
                "  10.200  entry guard: wrong passcode, the caller waits 2s",
                "  16.800  entry guard: wrong passcode, the caller waits 4s",
            ])
        #expect(call.timeline.last?.description == "  22.800  end: BYE, Reason: Q.850;cause=16;text=\"Too many failed entries\"")
    }

    @Test func failuresSayWhatHappenedInstead() {
        let report = Self.run(
            """
            plan "t.dialplan"
            call "a number nobody has" {
                from 15551234567 to 5555
                expect answer
                expect ring
                expect early-media
                expect route ivr
                expect goto board-join
                expect prompt welcome
                expect prompt welcome times 2
                expect tone 440
                expect echo
                expect hangup
                expect reject 404 "Gone"
                expect reject 404 cause 16
                expect journal "lookup"
                expect duration-over 1s
                expect variable meeting_id "1"
            }
            call "board" {
                from 15551234567 to 3000
                expect join 987654321 role host
                expect no-answer
                expect goto board-join
                expect reject 404 "Not Found" cause 1
            }
            """)
        #expect(
            report.lines(quiet: true) == [
                "FAIL call \"a number nobody has\": s.dialtest:4:5: expected answer, the call was never answered (it ended with reject 404 Not Found (Q.850 1 \"Unallocated number\"))",
                "FAIL call \"a number nobody has\": s.dialtest:5:5: expected ring, no 180 Ringing was sent",
                "FAIL call \"a number nobody has\": s.dialtest:6:5: expected early media, no 183 with early media was sent",
                "FAIL call \"a number nobody has\": s.dialtest:7:5: expected route ivr, the call took route not-found",
                "FAIL call \"a number nobody has\": s.dialtest:8:5: expected goto board-join, no goto ran (the call stayed in route not-found)",
                "FAIL call \"a number nobody has\": s.dialtest:9:5: expected prompt welcome, it never played (no prompt played)",
                "FAIL call \"a number nobody has\": s.dialtest:10:5: expected prompt welcome 2 times, it never played (no prompt played)",
                "FAIL call \"a number nobody has\": s.dialtest:11:5: expected a 440 Hz tone, no tone played",
                "FAIL call \"a number nobody has\": s.dialtest:12:5: expected echo, the call ended with reject 404 Not Found (Q.850 1 \"Unallocated number\")",
                "FAIL call \"a number nobody has\": s.dialtest:13:5: expected hangup, the call ended with reject 404 Not Found (Q.850 1 \"Unallocated number\")",
                "FAIL call \"a number nobody has\": s.dialtest:14:5: expected reject 404 Gone, the call ended with reject 404 Not Found (Q.850 1 \"Unallocated number\")",
                "FAIL call \"a number nobody has\": s.dialtest:15:5: expected reject 404 with Q.850 cause 16, the call ended with reject 404 Not Found (Q.850 1 \"Unallocated number\")",
                "FAIL call \"a number nobody has\": s.dialtest:16:5: expected a journal line containing \"lookup\", no journal line contains it",
                "FAIL call \"a number nobody has\": s.dialtest:17:5: expected the call to last longer than 1s, it ended at 0.000",
                "FAIL call \"a number nobody has\": s.dialtest:18:5: expected variable meeting_id \"1\", it is not set",
                "FAIL call \"board\": s.dialtest:22:5: expected join 987654321 as host, the call joined meeting 987654321 as listener, muted, named \"\" with policy strict",
                "FAIL call \"board\": s.dialtest:23:5: expected no answer, the call was answered at 0.000",
                "FAIL call \"board\": s.dialtest:25:5: expected reject 404 Not Found with Q.850 cause 1, the call joined meeting 987654321 as listener, muted, named \"\" with policy strict",
            ])
    }

    /// An entry that ends at `max` digits must not leave the caller's `#` (which the prompt asked
    /// for) to the next collect as an empty entry: an 11-digit meeting ID followed by `#` goes on
    /// to the passcode question.
    @Test func aTerminatorAfterAFullEntryIsNotTheNextEntry() {
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 55500011122 passcode 4321
            call "an 11-digit meeting ID followed by #" {
                from 15551234567 to 1000
                press "55500011122#" on enter-meeting-id after 1s
                press "4321#" at 9s
                expect no-prompt wrong-entry
                expect join 55500011122
            }
            """)
        #expect(report.lines(quiet: true) == [])
    }

    // MARK: - The safety limit and presses that cannot happen

    @Test func theSafetyLimitIsAFailureNotAHang() throws {
        // Ten tries of a 5-minute first-digit timeout would take 50 minutes.
        let report = Self.run(
            """
            plan "t.dialplan"
            call "slow" {
                from 15551234567 to 2000
                expect hangup
                expect duration-over 1m
            }
            """)
        let call = try #require(report.calls.first)
        #expect(call.outcome == .stillRunning(limit: .seconds(1800)))
        #expect(call.endedAt == nil)
        #expect(
            call.failures.map(\.description) == [
                "s.dialtest:2:1: the call was still running after 30m of virtual time (the safety limit)",
                "s.dialtest:4:5: expected hangup, the call was still running after 30m of virtual time (the safety limit)",
            ])
        #expect(
            call.timeline.last?.description == "1800.000  stop: the call was still running after 30m of virtual time (the safety limit)")

        let short = Self.run("plan \"t.dialplan\"\ncall \"slow\" {\n    from 1 to 2000\n}\n", safetyLimit: .seconds(60))
        #expect(
            short.lines(quiet: true) == [
                "FAIL call \"slow\": s.dialtest:2:1: the call was still running after 1m of virtual time (the safety limit)"
            ])
    }

    @Test func pressesThatCannotHappenFail() {
        let report = Self.run(
            """
            plan "t.dialplan"
            meeting 123456789 passcode 4321
            call "too late" {
                from 15551234567 to 5555
                press "1" at 1s
            }
            call "a prompt that never plays" {
                from 15551234567 to 5555
                press "1" on goodbye
            }
            call "out of order" {
                from 15551234567 to 1000
                press "123456789#" at 5s
                press "4321#" at 3s
                expect join 123456789
            }
            call "cut short" {
                from 15551234567 to 123456789*4321
                press "1234" at 0s
            }
            """,
            plan: Self.plan.replacingOccurrences(
                of: "route not-found",
                with:
                    "route direct {\n    match called /(?<id>[0-9]{9})\\*(?<pin>[0-9]{4})/\n    lookup $id\n    check-passcode $pin\n    answer\n    pause 300ms\n    join\n}\nroute not-found"
            ))
        #expect(
            report.lines(quiet: true) == [
                "FAIL call \"too late\": s.dialtest:5:5: press \"1\" at 1s never happened: the call ended at 0.000",
                "FAIL call \"a prompt that never plays\": s.dialtest:9:5: press \"1\" on goodbye never happened: goodbye did not play after the previous press (the call ended at 0.000)",
                "FAIL call \"out of order\": s.dialtest:14:5: press \"4321#\" at 3s starts before the previous press ended (at 6.800)",
                "FAIL call \"cut short\": s.dialtest:19:5: press \"1234\" at 0s was cut short after 2 of 4 digits: the call ended at 0.300",
            ])
        // The out-of-order press is typed at once, so the call still goes on.
        #expect(report.calls[2].outcome.summary.hasPrefix("joined meeting 123456789"))
    }

    // MARK: - What the gateway does before the plan

    @Test func theTrunkComesFromTheSourceAddressAsInTheDaemon() {
        let report = Self.run(
            """
            plan "t.dialplan"
            call "outside" {
                from 15551234567 to 1000 source 192.0.2.1
                press "1" at 1s
                expect reject 403 "Forbidden"
                expect no-answer
            }
            call "loopback v4" {
                from 15551234567 to 5555 source 127.0.0.2
                expect variable trunk "local"
            }
            """)
        #expect(
            report.lines(quiet: true) == [
                "FAIL call \"outside\": s.dialtest:4:5: press \"1\" at 1s never happened: the call ended at 0.000"
            ])
        #expect(
            report.calls[0].timeline.map(\.description) == [
                "   0.000  call from 15551234567 to 1000: 403 Forbidden (source 192.0.2.1 is in no trunk's 'from' ranges)"
            ])
        #expect(report.calls[0].route == nil)
    }

    @Test func privacyAndAssertedIdentity() {
        let plan = """
            trunk carrier {
                from 198.51.100.0/24
                trust-pai yes
            }
            trunk untrusted {
                from 203.0.113.0/24
            }
            route r {
                match any
                answer
                join 1 name "${caller.masked} ${caller.name}"
            }
            """
        let report = Self.run(
            """
            plan "t.dialplan"
            call "hidden" {
                from 15551234567 name "Alice" pai 4915112345678 to 1 trunk carrier privacy
                expect variable caller "anonymous"
                expect join 1 name "••• "
            }
            call "asserted" {
                from 15551234567 name "Alice" pai 4915112345678 to 1 trunk carrier
                expect variable caller "4915112345678"
                expect join 1 name "••• 5678 Alice"
            }
            call "not trusted" {
                from 15551234567 pai 4915112345678 to 1 trunk untrusted
                expect variable caller "15551234567"
            }
            call "no trunk named: 127.0.0.1 is on none, and no phone trunk takes it" {
                from 1 to 1
                expect reject 403
            }
            """, plan: plan)
        #expect(report.lines(quiet: true) == [])
    }

    @Test func timeOfDayUsesTheScriptsMoment() {
        let plan = """
            trunk local {
                from 127.0.0.0/8
            }
            route night {
                match time mon-fri 18:00-08:00 zone "Europe/Berlin"
                reject 480
            }
            route weekend {
                match time sat-sun
                reject 486
            }
            route day {
                match any
                reject 404
            }
            """
        let report = Self.run(
            """
            plan "t.dialplan"
            zone "America/New_York"
            at "2026-12-07T12:00:00Z"
            call "default moment: Monday 13:00 Berlin" {
                from 1 to 1
                expect route day
            }
            call "evening" {
                from 1 to 1 at "2026-12-07T18:30:00+01:00"
                expect route night
            }
            call "the gateway's zone: Saturday 23:00 in New York is Sunday 04:00 UTC" {
                from 1 to 1 at "2026-12-13T04:00:00Z"
                expect route weekend
            }
            call "Saturday 02:00 UTC is Friday 21:00 in New York: not the weekend yet" {
                # Nor a weekday night: in Berlin it is Saturday 03:00.
                from 1 to 1 at "2026-12-12T02:00:00Z"
                expect route day
            }
            """, plan: plan)
        #expect(report.lines(quiet: true) == [])
    }

    // MARK: - Names the plan does not have

    @Test func validateFindsNamesThePlanLacks() {
        let runner = Self.runner()
        let script = Self.script(
            """
            plan "t.dialplan"
            call "c" {
                from 1 to 1 trunk lokal
                press "1" on welcom
                expect route iv
                expect goto nowhere-at-all
                expect prompt goodby
                expect no-prompt joinin
                expect join 1 policy strictt
            }
            """)
        #expect(
            runner.validate(script).map(\.description) == [
                "s.dialtest:3:23: unknown trunk 'lokal'\n  hint: did you mean 'local'?",
                "s.dialtest:4:18: unknown prompt 'welcom'\n  hint: did you mean 'welcome'?",
                "s.dialtest:5:5: unknown route 'iv'\n  hint: did you mean 'ivr'?",
                "s.dialtest:6:5: unknown route 'nowhere-at-all'\n  hint: defined: ivr, slow, board, board-join, not-found",
                "s.dialtest:7:5: unknown prompt 'goodby'\n  hint: did you mean 'goodbye'?",
                "s.dialtest:8:5: unknown prompt 'joinin'\n  hint: did you mean 'joining'?",
                "s.dialtest:9:5: unknown policy 'strictt'\n  hint: did you mean 'strict'?",
            ])
    }

    // MARK: - The session: script, plan, run

    @Test func theSessionReportsScriptAndPlanErrorsBeforeRunning() {
        let files = [
            "tests/ok.dialtest": "plan \"../plans\"\ncall \"c\" {\n    from 1 to 5555\n    expect reject 404\n}\n",
            "tests/bad.dialtest": "plan \"../plans\"\ncall \"c\" {\n    frm 1 to 5555\n}\n",
            "tests/missing.dialtest": "plan \"../nowhere.dialplan\"\ncall \"c\" {\n    from 1 to 5555\n}\n",
            "tests/broken.dialtest": "plan \"../broken.dialplan\"\ncall \"c\" {\n    from 1 to 5555\n}\n",
            "tests/unknown.dialtest": "plan \"../plans\"\ncall \"c\" {\n    from 1 to 5555\n    expect route nope\n}\n",
            "plans/a.dialplan": "trunk local {\n    from 127.0.0.0/8\n}\ninclude \"common.dialplan\"\n",
            "plans/common.dialplan": "route all {\n    match any\n    reject 404\n}\n",
            "broken.dialplan": "route r {\n    match called 1\n    play welcom\n}\n",
        ]
        struct Missing: Error, CustomStringConvertible {
            var description: String { "no such file or folder" }
        }
        func sources(_ path: String) throws -> [DialplanSource] {
            if path == "plans" { return ["plans/a.dialplan"].map { DialplanSource(path: $0, text: files[$0]!) } }
            guard let text = files[path] else { throw Missing() }
            return [DialplanSource(path: path, text: text)]
        }
        func resolve(_ include: String, _ from: String) -> DialplanSource? {
            let path = DialplanSource.normalizedPath((from as NSString).deletingLastPathComponent + "/" + include)
            return files[path].map { DialplanSource(path: path, text: $0) }
        }
        func run(_ name: String) -> DialplanTestSession.Result {
            DialplanTestSession.run(
                script: DialplanSource(path: name, text: files[name]!), promptDurations: Self.prompts, sources: sources, resolve: resolve)
        }
        func describe(_ result: DialplanTestSession.Result) -> [String] {
            switch result {
            case .scriptErrors(let list): ["script errors"] + list.map(\.description)
            case .planErrors(let list): ["plan errors"] + list.map(\.description)
            case .report(let report): ["report"] + report.lines(quiet: true)
            }
        }
        #expect(describe(run("tests/ok.dialtest")) == ["report"])
        #expect(run("tests/ok.dialtest").passed)
        #expect(
            describe(run("tests/bad.dialtest")) == [
                "script errors",
                "tests/bad.dialtest:2:1: call \"c\" needs a 'from NUMBER to NUMBER' line\n  hint: from 15551234567 to 1000",
                "tests/bad.dialtest:3:5: unknown statement 'frm' in a call\n  hint: did you mean 'from'?",
            ])
        #expect(
            describe(run("tests/missing.dialtest")) == [
                "script errors", "tests/missing.dialtest:1:6: cannot read plan 'nowhere.dialplan': no such file or folder",
            ])
        #expect(
            describe(run("tests/broken.dialtest")) == [
                "plan errors", "broken.dialplan:3:10: unknown prompt 'welcom'\n  hint: did you mean 'welcome'?",
            ])
        #expect(
            describe(run("tests/unknown.dialtest")) == [
                "script errors", "tests/unknown.dialtest:4:5: unknown route 'nope'\n  hint: defined: all",
            ])
        #expect(!run("tests/unknown.dialtest").passed)
    }
}
