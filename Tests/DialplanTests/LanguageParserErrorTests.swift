import Dialplan
import Testing

/// Every parse error, with its exact `file:line:column: message` (and hint).
@Suite struct LanguageParserErrorTests {
    static let trunkOK = "trunk t {\n    from 192.0.2.0/24\n"

    @Test(arguments: [
        // Top level.
        ("include foo", ["t.dialplan:1:9: include needs a quoted file path\n  hint: include \"common.dialplan\""]),
        ("include", ["t.dialplan:1:1: 'include' needs an argument\n  hint: include \"FILE.dialplan\""]),
        ("rout x {\n}", ["t.dialplan:1:1: unknown statement 'rout' at the top level\n  hint: did you mean 'route'?"]),
        ("play welcome", ["t.dialplan:1:1: unknown statement 'play' at the top level\n  hint: 'play' goes inside a route { ... } block"]),
        ("route {\n}", ["t.dialplan:1:1: 'route' needs a name\n  hint: route NAME { ... }"]),
        ("route x", ["t.dialplan:1:1: 'route' needs a block\n  hint: route NAME { ... }"]),
        (
            "route $x {\n    match any\n    answer\n}",
            [
                "t.dialplan:1:7: '$x' is not a valid route name\n  hint: names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"
            ]
        ),
        ("}", ["t.dialplan:1:1: unexpected '}' with no block open"]),
        (
            "route x {\n    match any\n    answer\n",
            ["t.dialplan:1:9: missing '}' to close the 'route' block opened here"]
        ),
        (
            "route x {\n    match any\n    answer\n} extra",
            ["t.dialplan:4:3: expected the end of the line after '}', found 'extra'\n  hint: put the next statement on a line of its own"]
        ),
        ("{\n}", ["t.dialplan:1:1: a block needs a statement before its '{'\n  hint: write it after a keyword, e.g. 'route NAME {'"]),
        ("set x", ["t.dialplan:1:1: 'set' takes a name and a value\n  hint: set NAME = \"value\""]),
        (
            "set 1x = 2",
            [
                "t.dialplan:1:5: '1x' is not a valid variable name\n  hint: variable names use letters, digits, '_' and '.', and start with a letter or '_'"
            ]
        ),
        ("\"hello\"", ["t.dialplan:1:1: expected a statement keyword, found the string \"hello\""]),
    ])
    func topLevel(_ text: String, _ expected: [String]) {
        #expect(messages(text) == expected)
    }

    @Test(arguments: [
        ("    srtp optional\n    srtp mandatory", ["t.dialplan:4:5: 'srtp' is already set for trunk 't' at line 3"]),
        ("    from 10.0.0.0/33", ["t.dialplan:3:19: prefix length '/33' must be 0 to 32"]),
        ("    from 10.1.2.3/8", ["t.dialplan:3:10: '10.1.2.3/8' has bits set after the /8 prefix\n  hint: did you mean 10.0.0.0/8?"]),
        (
            "    from fe80::1::2",
            ["t.dialplan:3:10: 'fe80::1::2' is not an IPv6 address or range\n  hint: for example 2001:db8::/32 or ::1"]
        ),
        ("    srtp sometimes", ["t.dialplan:3:10: srtp must be one of forbidden, optional, mandatory, not 'sometimes'"]),
        (
            "    sdes-keys udp",
            [
                "t.dialplan:3:15: sdes-keys must be tls-only or any-transport, not 'udp'\n  hint: RFC 4568 §8: SDES keys are only safe over TLS; any-transport is for tests on loopback"
            ]
        ),
        ("    trust-pai maybe", ["t.dialplan:3:15: trust-pai must be yes or no, not 'maybe'"]),
        ("    codecs opus, g729", ["t.dialplan:3:18: codec must be one of pcmu, pcma, opus, not 'g729'"]),
        ("    codecs opus opus", ["t.dialplan:3:17: codec 'opus' is listed twice"]),
        ("    max-calls 0", ["t.dialplan:3:15: max-calls 0 is out of range (1 to 1000000)"]),
        ("    max-calls 99999999999999999999999", ["t.dialplan:3:15: max-calls must be a whole number, not '99999999999999999999999'"]),
        ("    max-duration 10s", ["t.dialplan:3:18: max-duration 10s is out of range (1m to 48h)"]),
        ("    form 10.0.0.0/8", ["t.dialplan:3:5: unknown statement 'form' in a trunk\n  hint: did you mean 'from'?"]),
        (
            "    auth {\n        realm \"r\"\n    }",
            ["t.dialplan:3:5: auth block has no 'user' lines\n  hint: user \"NAME\" password \"SECRET\""]
        ),
        (
            "    auth {\n        algorithms sha1\n        user \"u\" password \"p\"\n    }",
            ["t.dialplan:4:20: digest algorithm must be one of sha-256, md5, not 'sha1'"]
        ),
        (
            "    auth {\n        user \"u\"\n    }",
            [
                "t.dialplan:3:5: auth block has no 'user' lines\n  hint: user \"NAME\" password \"SECRET\"",
                "t.dialplan:4:9: 'user' needs a name and a password\n  hint: user \"NAME\" password \"SECRET\"",
            ]
        ),
        ("    srtp", ["t.dialplan:3:5: 'srtp' needs an argument\n  hint: srtp forbidden|optional|mandatory"]),
        (
            "    register {\n        user \"u\" password \"p\"\n    }",
            ["t.dialplan:3:5: register block has no 'registrar'\n  hint: registrar \"sip.example.com\""]
        ),
        (
            "    register {\n        registrar \"sip.example.com:99999\"\n        user \"u\" password \"p\"\n        expires 5s\n"
                + "        domain \"example.com:5060\"\n        colour blue\n    }",
            [
                "t.dialplan:4:19: 'sip.example.com:99999' is not HOST or HOST:PORT (IPv6 in brackets: [2001:db8::1]:5060)\n"
                    + "  hint: registrar \"sip.example.com:5060\"  (an address or host name; port 5060 when not given)",
                "t.dialplan:6:17: expires 5s is out of range (10s to 24h)",
                "t.dialplan:7:16: domain must be a host name, without a port\n  hint: domain \"example.com\"",
                "t.dialplan:8:9: unknown statement 'colour' in a register block",
            ]
        ),
        (
            "    register {\n        registrar 192.0.2.7\n        user \"a b\" password \"p\"\n    }",
            [
                "t.dialplan:5:14: user must be a SIP user part (letters, digits, - _ . ! ~ * ' ( ) + )\n  hint: user \"4711\" password \"SECRET\""
            ]
        ),
    ])
    func trunkSettings(_ body: String, _ expected: [String]) {
        #expect(messages(LanguageParserErrorTests.trunkOK + body + "\n}\n") == expected)
    }

    @Test func registrationSettingsAsWritten() throws {
        let text = """
            trunk provider {
                register {
                    registrar [2001:db8::1]:5070
                    user "4711" password "s3cret"
                    auth-user "acct-9"
                    domain "example.com"
                    contact-user 1001
                    expires 10m
                }
            }
            """
        let result = check(text)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let registration = try #require(result.document.trunk(named: "provider")?.registration)
        #expect(registration.registrarHost == "2001:db8::1" && registration.registrarPort == 5070)
        #expect(registration.user == "4711" && registration.digestUser == "acct-9" && registration.contactUserPart == "1001")
        #expect(registration.aorDomain == "example.com" && registration.expires == .seconds(600))
        #expect(registration.transport == .udp)
    }

    @Test func registrationOverTLSDefaultsToPort5061AndTakesATrustAnchor() throws {
        let text = """
            trunk provider {
                register {
                    registrar "sip.provider.example"
                    transport tls
                    tls-ca "provider-ca.pem"
                    user "4711" password "s3cret"
                }
            }
            trunk other {
                register {
                    registrar 192.0.2.1
                    transport sctp
                    tls-ca "x.pem"
                    user "4711" password "s3cret"
                }
            }
            """
        let result = DialplanChecker(knownPrompts: bundledPrompts).load([DialplanSource(path: "/etc/dialgate/t.dialplan", text: text)]) {
            _, _ in nil
        }
        let registration = try #require(result.document.trunk(named: "provider")?.registration)
        #expect(registration.transport == .tls && registration.registrarPort == 5061)
        #expect(registration.registrarAuthority?.resolvedAuthorityFile == "/etc/dialgate/provider-ca.pem")
        #expect(
            result.diagnostics.map(\.description) == [
                "/etc/dialgate/t.dialplan:12:19: transport must be one of udp, tcp, tls, not 'sctp'",
                "/etc/dialgate/t.dialplan:13:16: tls-ca is only used with transport tls\n  hint: add: transport tls",
            ])
    }

    @Test func trunkWithoutSources() {
        #expect(
            messages("trunk t {\n    srtp optional\n}")
                == [
                    "t.dialplan:1:1: trunk 't' accepts no calls: it has neither 'from' addresses, 'auth', nor 'register'\n  hint: add 'from ADDRESS/PREFIX' lines, an auth { ... } block for phones that call from anywhere, or register { ... }"
                ])
    }

    @Test(arguments: [
        (
            "    answer\n    match caller 1",
            ["t.dialplan:4:5: 'match' after the route's steps\n  hint: put match lines at the top of the route (first step at line 3)"]
        ),
        ("    match calld 1\n    answer", ["t.dialplan:3:11: unknown match 'calld'\n  hint: did you mean 'called'?"]),
        (
            "    match caller\n    answer",
            ["t.dialplan:3:11: 'match caller' needs at least one number or pattern\n  hint: match caller _1NXXNXXXXXX"]
        ),
        (
            "    match not any\n    answer",
            ["t.dialplan:3:5: 'match not any' can never match\n  hint: a route without match lines runs only through goto"]
        ),
        (
            "    match caller _1NXX[5-1]\n    answer",
            ["t.dialplan:3:24: range '5-1' runs backwards\n  hint: write the lower end first, e.g. [1-5]"]
        ),
        (
            "    match caller _12A\n    answer",
            [
                "t.dialplan:3:21: 'A' is not a pattern character\n  hint: patterns use digits, * # +, X (0-9), Z (1-9), N (2-9), [ranges], . and !; use a /regex/ for anything else"
            ]
        ),
        ("    match caller /(12/\n    answer", ["t.dialplan:3:19: bad regular expression: expected ')'"]),
        (
            "    match time 25:00-08:00\n    answer",
            ["t.dialplan:3:16: '25:00-08:00' is not a time range\n  hint: HH:MM-HH:MM, 24-hour clock, e.g. 18:00-08:00"]
        ),
        (
            "    match time monday\n    answer",
            ["t.dialplan:3:16: 'monday' is not a day or day range\n  hint: days are mon tue wed thu fri sat sun; ranges like mon-fri"]
        ),
        (
            "    match time zone \"UTC\"\n    answer",
            [
                "t.dialplan:3:11: 'match time' needs days, a time range, or both\n  hint: match time mon-fri 09:00-17:00 zone \"Europe/Berlin\""
            ]
        ),
        ("    answer now", ["t.dialplan:3:12: unexpected 'now' after 'answer'\n  hint: answer"]),
        ("    ring 10m", ["t.dialplan:3:10: ring time 10m is out of range (0s to 5m)"]),
        (
            "    ring 10",
            ["t.dialplan:3:10: ring time must be a duration, not '10'\n  hint: write a number and a unit: 500ms, 10s, 2m or 1h"]
        ),
        ("    tone 5000 3s", ["t.dialplan:3:10: tone frequency (Hz) 5000 is out of range (20 to 3900)"]),
        ("    collect x maxx 4", ["t.dialplan:3:15: unknown collect option 'maxx'\n  hint: did you mean 'max'?"]),
        (
            "    collect x min 5 max 3",
            ["t.dialplan:3:19: collect min 5 is greater than max 3\n  hint: max defaults to 20; set both, e.g. min 4 max 10"]
        ),
        ("    collect x tries 0", ["t.dialplan:3:21: tries 0 is out of range (1 to 10)"]),
        ("    collect x first-digit-timeout 0s", ["t.dialplan:3:35: first-digit-timeout 0s is out of range (500ms to 5m)"]),
        (
            "    collect x terminator #",
            [
                "t.dialplan:3:15: collect option 'terminator' needs a value\n  hint: write the # in quotes: terminator \"#\" (a bare # starts a comment)"
            ]
        ),
        ("    collect x max 4 max 5", ["t.dialplan:3:21: collect option 'max' is given twice"]),
        (
            "    collect x {\n        min 4\n        colour red\n    }",
            [
                "t.dialplan:5:9: unknown collect option 'colour'\n  hint: options: prompt, min, max, terminator, first-digit-timeout, inter-digit-timeout, tries, barge-in"
            ]
        ),
        ("    tries 0 {\n        answer\n    }", ["t.dialplan:3:11: tries 0 is out of range (1 to 10)"]),
        ("    tries 3", ["t.dialplan:3:5: 'tries' needs a block\n  hint: tries 3 retry-prompt wrong-entry { ... }"]),
        ("    reject 200", ["t.dialplan:3:12: reject status 200 is out of range (400 to 699)"]),
        (
            "    reject 404 \"Not Found\" reason q999 1",
            [
                "t.dialplan:3:35: reason protocol must be q850 or sip, not 'q999'\n  hint: reason q850 16 \"Normal call clearing\"  or  reason sip 480 \"Temporarily Unavailable\""
            ]
        ),
        ("    hangup reason q850 200", ["t.dialplan:3:24: Q.850 cause 200 is out of range (1 to 127)"]),
        ("    hangup now", ["t.dialplan:3:12: unexpected 'now' after 'hangup'\n  hint: hangup reason q850 16 \"Normal call clearing\""]),
        ("    join 123456789 role boss", ["t.dialplan:3:25: role must be one of participant, host, listener, not 'boss'"]),
        ("    join 123456789 muted muted", ["t.dialplan:3:26: 'muted' is given twice in 'join'"]),
        ("    plya welcome", ["t.dialplan:3:5: unknown statement 'plya' in a route\n  hint: did you mean 'play'?"]),
        ("    answer {\n    }", ["t.dialplan:3:12: 'answer' does not take a block"]),
        (
            "    hangup\n    on-failure {\n        hangup\n    }\n    on-failure {\n        hangup\n    }",
            ["t.dialplan:7:5: route 'r' already has an on-failure block"]
        ),
        ("    tries 2 {\n        match any\n    }", ["t.dialplan:4:9: 'match' belongs at the top of a route block, not here"]),
    ])
    func routeStatements(_ body: String, _ expected: [String]) {
        #expect(messages(route(body)) == expected)
    }

    @Test func routeWithoutSteps() {
        #expect(
            messages("route r {\n    match any\n}") == [
                "t.dialplan:1:1: route 'r' has no steps\n  hint: add steps such as answer, play, join or reject"
            ])
    }

    @Test(arguments: [
        ("    phone-join maybe", ["t.dialplan:2:16: phone-join must be one of refuse, lobby, downgrade, downgrade-auto, not 'maybe'"]),
        (
            "    phone-join downgrade-automatic",
            [
                "t.dialplan:2:16: phone-join must be one of refuse, lobby, downgrade, downgrade-auto, not 'downgrade-automatic'"
            ]
        ),
        (
            "    caller-id-display mask",
            ["t.dialplan:2:23: caller-id-display must be one of full, masked, hidden, not 'mask'\n  hint: did you mean 'masked'?"]
        ),
        ("    lobby-timeout 5s", ["t.dialplan:2:19: lobby-timeout 5s is out of range (10s to 24h)"]),
        ("    upgrade-with-phones maybe", ["t.dialplan:2:25: upgrade-with-phones must be one of remove, block, not 'maybe'"]),
        ("    e2ee-creation yes", ["t.dialplan:2:19: e2ee-creation must be allow or deny, not 'yes'"]),
        ("    re-upgrade 1", ["t.dialplan:2:16: re-upgrade must be yes or no, not '1'"]),
        ("    colour blue", ["t.dialplan:2:5: unknown statement 'colour' in a policy"]),
        ("    require-srtpp yes", ["t.dialplan:2:5: unknown statement 'require-srtpp' in a policy\n  hint: did you mean 'require-srtp'?"]),
        ("    phone-join refuse\n    phone-join lobby", ["t.dialplan:3:5: 'phone-join' is already set at line 2"]),
        ("    phones-before-host", ["t.dialplan:2:5: 'phones-before-host' needs an argument\n  hint: phones-before-host VALUE"]),
    ])
    func policySettings(_ body: String, _ expected: [String]) {
        #expect(messages("policy p {\n\(body)\n}\n") == expected)
    }

    @Test func recoversAndReportsEveryError() {
        let text = """
            trunk t {
                from 192.0.2.0/24
                srtp sometimes
            }
            route r {
                match called 1000
                ring 10
                play welcome
                tone 9 1s
            }
            policy p {
                phone-join maybe
            }
            """
        #expect(
            heads(text) == [
                "t.dialplan:3:10: srtp must be one of forbidden, optional, mandatory, not 'sometimes'",
                "t.dialplan:7:10: ring time must be a duration, not '10'",
                "t.dialplan:9:10: tone frequency (Hz) 9 is out of range (20 to 3900)",
                "t.dialplan:12:16: phone-join must be one of refuse, lobby, downgrade, downgrade-auto, not 'maybe'",
            ])
        // Everything that could be read is still there.
        let document = check(text).document
        #expect(document.trunks.map(\.name) == ["t"])
        #expect(document.routes.first?.steps.map(\.keyword) == ["play"])
    }

    @Test func errorsAreCapped() {
        let text = String(repeating: "bogus\n", count: 500)
        let result = check(text)
        #expect(result.diagnostics.count == DialplanLimits.maxDiagnostics + 1)
        #expect(result.diagnostics.last?.message == "too many errors (more than 200); stopping here")
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "a {\n", count: 20) + String(repeating: "}\n", count: 20)
        #expect(heads(text).contains("t.dialplan:17:3: blocks nested more than 16 deep"))
    }

    @Test func allmanBracesAndOneLineBlocks() {
        let text = "route r\n{\n    match called 1000\n    answer\n}\ntrunk t { from 192.0.2.1 }\n"
        let result = check(text)
        #expect(result.diagnostics.isEmpty)
        #expect(result.document.trunks.first?.sources.first?.description == "192.0.2.1/32")
    }
}
