import Dialplan
import Testing

/// What the checker catches across the whole document set, with exact messages.
@Suite struct LanguageCheckerTests {
    @Test func unknownPromptRouteTrunkPolicyAndVariable() {
        let text = """
            route r {
                match called 1000
                match trunk carrier
                play welcom
                policy strict
                set greeting = "Hello ${who}"
                goto nowhere
            }
            """
        #expect(
            messages(text) == [
                "t.dialplan:3:17: unknown trunk 'carrier'",
                "t.dialplan:4:10: unknown prompt 'welcom'\n  hint: did you mean 'welcome'?",
                "t.dialplan:5:12: unknown policy 'strict'",
                "t.dialplan:6:5: unknown variable 'who'\n  hint: variables come from set, collect, regex groups, or are built in: auth.user, called, caller, caller.last4, caller.masked, caller.name, trunk",
                "t.dialplan:7:10: unknown route 'nowhere'\n  hint: defined: r",
            ])
    }

    @Test func promptsInEveryPlace() {
        let text = route(
            """
                early-media ringback
                collect pin prompt enter-pin
                tries 2 retry-prompt oops {
                    answer
                }
            """)
        #expect(
            heads(text) == [
                "t.dialplan:3:17: unknown prompt 'ringback'",
                "t.dialplan:4:24: unknown prompt 'enter-pin'",
                "t.dialplan:5:26: unknown prompt 'oops'",
            ])
    }

    @Test(arguments: ["hangup", "reject 486", "goto r", "join 123456789", "echo"])
    func stepsAfterAnEndAreUnreachable(_ ender: String) {
        let keyword = ender.split(separator: " ")[0]
        #expect(
            messages(route("    answer\n    \(ender)\n    play goodbye\n    hangup"))
                == [
                    "t.dialplan:5:5: unreachable step 'play': '\(keyword)' at line 4 ends the route first\n  hint: remove it, or move it before '\(keyword)'"
                ])
    }

    @Test func unreachableInsideTriesAndOnFailure() {
        let text = route(
            """
                tries 2 {
                    join 123456789
                    play goodbye
                }
                on-failure {
                    hangup
                    hangup
                }
            """)
        #expect(
            heads(text) == [
                "t.dialplan:5:9: unreachable step 'play': 'join' at line 4 ends the route first",
                "t.dialplan:9:9: unreachable step 'hangup': 'hangup' at line 8 ends the route first",
            ])
    }

    @Test func lookupMustComeBeforeJoinAndPasscode() {
        #expect(
            messages(route("    check-passcode 1234\n    join"))
                == [
                    "t.dialplan:3:5: check-passcode needs a meeting: no lookup comes before it\n  hint: lookup $meeting_id first",
                    "t.dialplan:4:5: join without a meeting needs a lookup before it\n  hint: lookup $meeting_id first, or name the meeting: join 123456789",
                ])
        #expect(
            messages(
                route(
                    "    collect id\n    lookup $id\n    tries 2 {\n        collect pin\n        check-passcode $pin\n        join\n    }")
            ).isEmpty)
    }

    @Test func routesThatCanNeverMatch() {
        let text = """
            route all {
                match any
                reject 404
            }
            route thousand {
                match called 1000
                answer
            }
            """
        #expect(
            messages(text) == [
                "t.dialplan:5:1: route 'thousand' can never match: route 'all' at t.dialplan:1:1 comes first and takes all its calls\n  hint: move 'thousand' above 'all', or narrow the match of 'all'"
            ])
    }

    @Test func widerPatternFirstShadowsLiterals() {
        let text = """
            route any-number {
                match called _X.
                match trunk t
                reject 404
            }
            route exact {
                match trunk t
                match called 1000 1001
                match caller 555
                answer
            }
            route pattern-after-pattern {
                match called _1X.
                match trunk t
                answer
            }
            trunk t {
                from 192.0.2.0/24
            }
            """
        // A pattern after a pattern is not decided (only literals are compared), so it is not reported.
        #expect(
            heads(text) == [
                "t.dialplan:6:1: route 'exact' can never match: route 'any-number' at t.dialplan:1:1 comes first and takes all its calls"
            ])
    }

    @Test func narrowerFirstIsFine() {
        let text = """
            route exact {
                match called 1000
                answer
            }
            route night {
                match called 1000
                match time 18:00-08:00
                answer
            }
            route rest {
                match any
                reject 404
            }
            """
        // `night` after `exact`: exact takes every 1000, so night never matches.
        #expect(
            heads(text) == [
                "t.dialplan:5:1: route 'night' can never match: route 'exact' at t.dialplan:1:1 comes first and takes all its calls"
            ])
    }

    @Test func routesNoCallCanReach() {
        #expect(
            messages("route lonely {\n    answer\n}")
                == [
                    "t.dialplan:1:1: route 'lonely' can never run: it has no match lines and no goto leads to it\n  hint: add 'match called NUMBER' (or 'match any'), or goto it from another route"
                ])
    }

    @Test func duplicateNames() {
        let text = """
            set x = 1
            set x = 2
            trunk t {
                from 192.0.2.0/24
            }
            trunk t {
                from 198.51.100.0/24
            }
            policy p {
                phone-join refuse
            }
            policy p {
                phone-join lobby
            }
            tier free {
                e2ee-creation deny
            }
            tier free {
                e2ee-creation allow
            }
            route r {
                match called 1
                answer
            }
            route r {
                match called 2
                answer
            }
            """
        #expect(
            heads(text) == [
                "t.dialplan:2:1: variable 'x' is already defined at t.dialplan:1:1",
                "t.dialplan:6:1: trunk 't' is already defined at t.dialplan:3:1",
                "t.dialplan:12:1: policy 'p' is already defined at t.dialplan:9:1",
                "t.dialplan:18:1: tier 'free' is already defined at t.dialplan:15:1",
                "t.dialplan:25:1: route 'r' is already defined at t.dialplan:21:1",
            ])
    }

    @Test func sourceAddressOnTwoTrunks() {
        let text = "trunk a {\n    from 192.0.2.0/24\n}\ntrunk b {\n    from 192.0.2.0/24\n}\n"
        #expect(
            messages(text) == [
                "t.dialplan:5:10: 192.0.2.0/24 is already a source of trunk 'a'\n  hint: a source address must name one trunk"
            ])
    }

    @Test func tierNamesAnUnknownPolicy() {
        #expect(heads("tier gold {\n    policy premium\n}") == ["t.dialplan:2:12: unknown policy 'premium'"])
    }

    @Test func includesMissingCyclesAndDiamonds() {
        let files = [
            "a.dialplan": "include \"b.dialplan\"\ninclude \"c.dialplan\"\n",
            "b.dialplan": "include \"c.dialplan\"\n",
            "c.dialplan": "route c {\n    match called 3\n    answer\n}\n",
            "loop.dialplan": "include \"t.dialplan\"\n",
        ]
        // A diamond (t → a → b → c, a → c) reads c once: no duplicate route.
        #expect(messages("include \"a.dialplan\"\n", files: files).isEmpty)
        #expect(check("include \"a.dialplan\"\n", files: files).document.files == ["t.dialplan", "a.dialplan", "b.dialplan", "c.dialplan"])
        #expect(
            messages("include \"missing.dialplan\"\n", files: files)
                == [
                    "t.dialplan:1:9: cannot find included file 'missing.dialplan'\n  hint: paths are relative to the file that includes them"
                ])
        #expect(
            messages("include \"loop.dialplan\"\n", files: files)
                == ["loop.dialplan:1:9: include cycle: t.dialplan → loop.dialplan → t.dialplan\n  hint: remove one of these includes"])
    }

    @Test func includedRoutesKeepTheirPlace() {
        let files = ["mid.dialplan": "route mid {\n    match called 2\n    answer\n}\n"]
        let text =
            "route first {\n    match called 1\n    answer\n}\ninclude \"mid.dialplan\"\nroute last {\n    match any\n    reject 404\n}\n"
        #expect(check(text, files: files).document.routes.map(\.name) == ["first", "mid", "last"])
    }

    @Test func gotoLoops() {
        let text = """
            route a {
                match called 1
                play welcome
                goto b
            }
            route b {
                play goodbye
                goto a
            }
            route self {
                match called 2
                goto self
            }
            route menu {
                match called 3
                collect choice max 1
                goto menu
            }
            """
        #expect(
            messages(text) == [
                "t.dialplan:8:5: goto loop with no way out: a → b → a\n  hint: no route in the loop waits for the caller (collect) or ends the call (hangup, reject, join, echo)",
                "t.dialplan:12:5: goto loop with no way out: self → self\n  hint: no route in the loop waits for the caller (collect) or ends the call (hangup, reject, join, echo)",
            ])
    }

    @Test func regexGroupsAndCollectDefineVariables() {
        let text = route(
            """
                lookup $meeting
                collect pin
                check-passcode $pin
                join name "Phone ${caller.masked} ${meeting}"
            """
        ).replacingMatch()
        #expect(messages(text).isEmpty)
    }
}

extension String {
    /// Swaps the helper's `match called 1000` for a regex with a named group.
    fileprivate func replacingMatch() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[1] = "    match called /(?<meeting>[0-9]{9})/"
        return lines.joined(separator: "\n")
    }
}
