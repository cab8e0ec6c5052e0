import Foundation

extension DialplanTestScript {
    /// The extension of test scripts. Not `.dialplan`: the daemon loads every `*.dialplan` in its
    /// folder, and a script is not a plan.
    public static let fileExtension = "dialtest"

    /// Reads a script, reporting every error it finds (each at its `file:line:column`) and going
    /// on with the next statement. Pure: the caller reads the file.
    public static func parse(_ source: DialplanSource) -> (script: DialplanTestScript, diagnostics: [DialplanDiagnostic]) {
        let (tokens, lexical) = DialplanLexer(path: source.path).tokenize(source.text)
        var syntax = SyntaxParser(tokens: tokens)
        let nodes = syntax.parseFile()
        var reader = ScriptReader(path: source.path)
        reader.values.sink.add(contentsOf: lexical)
        reader.values.sink.add(contentsOf: syntax.sink.diagnostics)
        reader.read(nodes)
        let diagnostics = reader.values.sink.diagnostics.enumerated().sorted { a, b in
            a.element.location == b.element.location ? a.offset < b.offset : a.element.location < b.element.location
        }.map(\.element)
        return (reader.script, diagnostics)
    }
}

/// Builds a `DialplanTestScript` from syntax nodes. Values (names, numbers, durations) are read
/// with the dialplan parser's own readers, so their messages are the language's.
struct ScriptReader {
    var script: DialplanTestScript
    /// The plan parser, for its value readers and its diagnostics.
    var values: DialplanParser
    private var meetingAt: [String: SourceLocation] = [:]
    private var callAt: [String: SourceLocation] = [:]
    private var zoneAt: SourceLocation?
    private var arrivalAt: SourceLocation?

    static let topLevelKeywords = ["plan", "meeting", "call", "zone", "at"]
    static let callKeywords = ["from", "press", "expect"]
    static let fromOptions = ["name", "pai", "to", "trunk", "source", "header", "privacy", "at"]
    static let pressOptions = ["at", "after", "on", "after-prompt", "gap"]
    static let expectations = [
        "answer", "no-answer", "ring", "early-media", "route", "goto", "prompt", "no-prompt", "tone", "join", "reject", "hangup",
        "echo", "variable", "entry-failures", "duration-under", "duration-over", "journal",
    ]
    /// DTMF events a caller can send (RFC 4733 §3.2: 0-9, *, #, A-D).
    static let dtmfDigits: Set<Character> = Set("0123456789*#ABCD")
    /// Longest `at`, `after` and duration expectation: a day of virtual time.
    static let longest: Duration = .seconds(86400)

    init(path: String) {
        script = DialplanTestScript(path: path)
        values = DialplanParser(path: path)
    }

    private var start: SourceLocation { SourceLocation(file: script.path, line: 1, column: 1) }

    mutating func read(_ nodes: [SyntaxNode]) {
        for node in nodes {
            switch node.keyword {
            case "plan": plan(node)
            case "meeting": meeting(node)
            case "call": call(node)
            case "zone": zone(node)
            case "at": arrival(node)
            default:
                let hint =
                    ScriptReader.callKeywords.contains(node.keyword)
                    ? "'\(node.keyword)' goes inside a call \"NAME\" { ... } block"
                    : DialplanParser.closest(to: node.keyword, in: ScriptReader.topLevelKeywords).map { "did you mean '\($0)'?" }
                        ?? "a script has plan, meeting, zone, at and call statements"
                values.sink.error(node.location, "unknown statement '\(node.keyword)' at the top level of a test script", hint: hint)
            }
        }
        if !nodes.contains(where: { $0.keyword == "plan" }) {
            values.sink.error(start, "a test script needs a 'plan' line", hint: "plan \"../default.dialplan\" (relative to the script)")
        }
        if !nodes.contains(where: { $0.keyword == "call" }) {
            values.sink.error(start, "a test script needs at least one call", hint: "call \"NAME\" { from 15551234567 to 1000 ... }")
        }
    }

    // MARK: - Top level

    private mutating func plan(_ node: SyntaxNode) {
        guard values.noBlock(node) else { return }
        guard let first = node.arguments.first, case .string(let path) = first.value, !path.isEmpty else {
            values.sink.error(
                node.arguments.first?.location ?? node.location, "plan needs a quoted file or folder path",
                hint: "plan \"../default.dialplan\" (relative to the script)")
            return
        }
        if node.arguments.count > 1 {
            values.sink.error(
                node.arguments[1].location, "unexpected \(node.arguments[1].shown) after the plan path",
                hint: "write one plan line per file or folder")
            return
        }
        script.plans.append(PlanReference(path: path, location: first.location))
    }

    private mutating func meeting(_ node: SyntaxNode) {
        let usage = "meeting 123456789 passcode 4321 [mode standard|e2ee] [tier free]"
        guard values.noBlock(node) else { return }
        guard let first = node.arguments.first, !isKeyword(first, ["passcode", "mode", "tier"]) else {
            values.sink.error(node.location, "meeting needs an ID", hint: usage)
            return
        }
        guard let id = digits(first, what: "meeting ID") else { return }
        guard let options = options(node.arguments.dropFirst(), known: ["passcode": 1, "mode": 1, "tier": 1], what: "meeting") else {
            return
        }
        var entry = MeetingEntry(id: id, passcode: "")
        var hasPasscode = false
        for option in options {
            switch option.keyword {
            case "passcode":
                guard let passcode = digits(option.values[0], what: "meeting passcode") else { return }
                entry.passcode = passcode
                hasPasscode = true
            case "mode":
                guard let mode = values.choice(option.values[0], what: "meeting mode", as: MeetingMode.self) else { return }
                entry.mode = mode.rawValue
            default:
                guard let tier = values.name(option.values[0], what: "tier name") else { return }
                entry.tier = tier
            }
        }
        guard hasPasscode else {
            values.sink.error(node.location, "meeting \(id) needs a passcode", hint: usage)
            return
        }
        if let earlier = meetingAt[id] {
            values.sink.error(first.location, "meeting \(id) is already defined at \(earlier)")
            return
        }
        meetingAt[id] = first.location
        script.meetings.append(MeetingFixture(entry: entry, location: node.location))
    }

    enum MeetingMode: String, CaseIterable {
        case standard, e2ee
    }

    private mutating func zone(_ node: SyntaxNode) {
        guard values.noBlock(node), values.exactly(1, node, usage: "zone \"Europe/Berlin\"") else { return }
        let argument = node.arguments[0]
        guard let name = text(argument), let zone = TimeZone(identifier: name) else {
            values.sink.error(
                argument.location, "unknown time zone \(argument.shown)",
                hint: "write an IANA zone name such as \"Europe/Berlin\" or \"UTC\"")
            return
        }
        if let earlier = zoneAt {
            values.sink.error(node.location, "'zone' is already given at \(earlier)")
            return
        }
        zoneAt = node.location
        script.timeZone = zone
    }

    private mutating func arrival(_ node: SyntaxNode) {
        guard values.noBlock(node), values.exactly(1, node, usage: "at \"2026-12-07T10:00:00Z\"") else { return }
        guard let date = moment(node.arguments[0]) else { return }
        if let earlier = arrivalAt {
            values.sink.error(node.location, "'at' is already given at \(earlier)")
            return
        }
        arrivalAt = node.location
        script.arrival = date
    }

    // MARK: - Calls

    private mutating func call(_ node: SyntaxNode) {
        let usage = "call \"NAME\" { from 15551234567 to 1000 ... }"
        guard let first = node.arguments.first, let name = text(first), !name.isEmpty else {
            values.sink.error(node.arguments.first?.location ?? node.location, "'call' needs a quoted name", hint: usage)
            return
        }
        guard let block = node.block else {
            values.sink.error(node.location, "'call' needs a block", hint: usage)
            return
        }
        if node.arguments.count > 1 {
            values.sink.error(
                node.arguments[1].location, "unexpected \(node.arguments[1].shown) after the call name", hint: "quote a name with spaces")
        }
        if let earlier = callAt[name] {
            values.sink.error(first.location, "call \"\(name)\" is already defined at \(earlier)", hint: "give each call its own name")
            return
        }
        callAt[name] = node.location
        var call = ScriptedCall(name: name, location: node.location)
        for statement in block {
            if !ScriptReader.callKeywords.contains(statement.keyword) {
                let hint =
                    ScriptReader.topLevelKeywords.contains(statement.keyword)
                    ? "'\(statement.keyword)' goes at the top level of the script"
                    : DialplanParser.closest(to: statement.keyword, in: ScriptReader.callKeywords).map { "did you mean '\($0)'?" }
                        ?? "a call has from, press and expect lines"
                values.sink.error(statement.location, "unknown statement '\(statement.keyword)' in a call", hint: hint)
                continue
            }
            guard values.noBlock(statement) else { continue }
            switch statement.keyword {
            case "from": from(statement, into: &call)
            case "press": press(statement).map { call.presses.append($0) }
            default: expect(statement).map { call.expectations.append($0) }
            }
        }
        if call.fromLocation == nil {
            values.sink.error(node.location, "call \"\(name)\" needs a 'from NUMBER to NUMBER' line", hint: "from 15551234567 to 1000")
        }
        script.calls.append(call)
    }

    private mutating func from(_ node: SyntaxNode, into call: inout ScriptedCall) {
        let usage = "from 15551234567 [name \"Alice\"] to 1000 [trunk NAME | source ADDRESS] [header NAME \"VALUE\"] [privacy] [at TIME]"
        if let earlier = call.fromLocation {
            values.sink.error(node.location, "a call has one 'from' line; the first is at \(earlier)")
            return
        }
        call.fromLocation = node.location
        guard let first = node.arguments.first, !isKeyword(first, ScriptReader.fromOptions), let caller = text(first), !caller.isEmpty
        else {
            values.sink.error(node.arguments.first?.location ?? node.location, "'from' needs the caller's number first", hint: usage)
            return
        }
        call.caller = caller
        let known = ["name": 1, "pai": 1, "to": 1, "trunk": 1, "source": 1, "header": 2, "privacy": 0, "at": 1]
        guard let options = options(node.arguments.dropFirst(), known: known, what: "call", repeatable: ["header"]) else { return }
        var trunkAt: SyntaxArgument?
        for option in options {
            let value = option.values.first
            switch option.keyword {
            case "name": call.callerName = value.flatMap(text)
            case "pai": call.assertedIdentity = value.flatMap(text)
            case "to":
                guard let called = value.flatMap(text), !called.isEmpty else {
                    values.sink.error(value?.location ?? option.at.location, "'to' needs the called number", hint: usage)
                    return
                }
                call.called = called
            case "trunk":
                guard let trunk = value.flatMap({ values.reference($0, what: "trunk name") }) else { return }
                call.trunk = trunk
                trunkAt = option.at
            case "source":
                guard let value, let address = text(value), let bytes = AddressRange.addressBytes(address) else {
                    values.sink.error(value?.location ?? option.at.location, "\(value?.shown ?? "''") is not an IP address")
                    return
                }
                call.source = SourceAddress(text: address, bytes: bytes, location: value.location)
            case "header":
                let name = option.values[0]
                guard case .word(let header) = name.value, DialplanParser.isName(header) else {
                    values.sink.error(name.location, "\(name.shown) is not a header name", hint: "header X-Account \"value\"")
                    return
                }
                guard let headerValue = text(option.values[1]) else {
                    values.sink.error(option.values[1].location, "expected a header value, found \(option.values[1].shown)")
                    return
                }
                call.headers[header.lowercased(), default: []].append(headerValue)
            case "privacy": call.privacy = true
            default:
                guard let value, let date = moment(value) else { return }
                call.arrival = date
            }
        }
        if trunkAt != nil, let source = call.source {
            values.sink.error(
                source.location, "give 'trunk' or 'source', not both", hint: "the daemon finds the trunk by the source address")
            call.source = nil
        }
        if call.called.isEmpty, !options.contains(where: { $0.keyword == "to" }) {
            values.sink.error(node.location, "'from' needs 'to NUMBER' (the called number)", hint: usage)
        }
    }

    private mutating func press(_ node: SyntaxNode) -> Press? {
        let usage = "press \"4321#\" at 12s | after 2s | on enter-passcode [after 1s] | after-prompt enter-passcode [gap 200ms]"
        guard let first = node.arguments.first, !isKeyword(first, ScriptReader.pressOptions) else {
            values.sink.error(
                node.location, "press needs digits", hint: "press \"4321#\" at 12s (quote them: a bare # starts a comment)")
            return nil
        }
        guard let keys = dtmf(first) else { return nil }
        guard
            let options = options(
                node.arguments.dropFirst(), known: Dictionary(uniqueKeysWithValues: ScriptReader.pressOptions.map { ($0, 1) }),
                what: "press")
        else { return nil }
        var at: (Duration, SyntaxArgument)?
        var after: (Duration, SyntaxArgument)?
        var prompt: (Reference, atEnd: Bool, SyntaxArgument)?
        var gap = Press.defaultGap
        for option in options {
            let value = option.values[0]
            switch option.keyword {
            case "gap":
                guard let d = values.duration(value, what: "press gap", range: .zero...Duration.seconds(60)) else { return nil }
                gap = d
            case "at":
                guard let t = values.duration(value, what: "press at", range: .zero...ScriptReader.longest) else { return nil }
                at = (t, option.at)
            case "after":
                guard let d = values.duration(value, what: "press after", range: .zero...ScriptReader.longest) else { return nil }
                after = (d, option.at)
            default:
                guard let name = values.reference(value, what: "prompt name") else { return nil }
                if let earlier = prompt {
                    values.sink.error(option.at.location, "'\(option.keyword)' cannot be combined with \(earlier.2.shown) in one press")
                    return nil
                }
                prompt = (name, option.keyword == "after-prompt", option.at)
            }
        }
        // `at` stands alone; `after` is a start of its own, or the delay of `on` / `after-prompt`.
        if let at, let other = [after?.1, prompt?.2].compactMap({ $0 }).first {
            let later = at.1.location < other.location ? other : at.1
            let earlier = later == other ? at.1 : other
            values.sink.error(
                later.location, "\(later.shown) cannot be combined with \(earlier.shown) in one press",
                hint: "one of: at TIME, after DURATION, on PROMPT [after DURATION], after-prompt PROMPT [after DURATION]")
            return nil
        }
        let start: Press.Start
        if let at {
            start = .at(at.0)
        } else if let prompt {
            start = .prompt(prompt.0, atEnd: prompt.atEnd, delay: after?.0 ?? .zero)
        } else if let after {
            start = .after(after.0)
        } else {
            values.sink.error(node.location, "press needs a time: at TIME, after DURATION, on PROMPT or after-prompt PROMPT", hint: usage)
            return nil
        }
        return Press(digits: keys, start: start, gap: gap, location: node.location)
    }

    private mutating func expect(_ node: SyntaxNode) -> Expectation? {
        guard let first = node.arguments.first else {
            values.sink.error(
                node.location, "'expect' needs what to expect", hint: "one of: \(ScriptReader.expectations.joined(separator: ", "))")
            return nil
        }
        guard case .word(let what) = first.value, ScriptReader.expectations.contains(what) else {
            let word = text(first) ?? ""
            values.sink.error(
                first.location, "unknown expectation \(first.shown)",
                hint: DialplanParser.closest(to: word, in: ScriptReader.expectations).map { "did you mean '\($0)'?" }
                    ?? "one of: \(ScriptReader.expectations.joined(separator: ", "))")
            return nil
        }
        let rest = node.arguments.dropFirst()
        func make(_ kind: Expectation.Kind) -> Expectation { Expectation(kind, at: node.location) }
        switch what {
        case "answer", "no-answer", "ring", "early-media", "echo":
            guard nothingAfter(rest, what) else { return nil }
            switch what {
            case "answer": return make(.answer(true))
            case "no-answer": return make(.answer(false))
            case "ring": return make(.ring)
            case "early-media": return make(.earlyMedia)
            default: return make(.echo)
            }
        case "route", "goto", "no-prompt":
            guard let argument = single(node, what, needs: what == "no-prompt" ? "a prompt name" : "a route name") else { return nil }
            guard let name = values.name(argument, what: what == "no-prompt" ? "prompt name" : "route name") else { return nil }
            return make(what == "route" ? .route(name) : what == "goto" ? .goto(name) : .noPrompt(name))
        case "prompt":
            guard let argument = rest.first else {
                values.sink.error(node.location, "'expect prompt' needs a prompt name", hint: "expect prompt welcome [times 1]")
                return nil
            }
            guard let name = values.name(argument, what: "prompt name"),
                let options = options(rest.dropFirst(), known: ["times": 1], what: "'expect prompt'")
            else { return nil }
            var times: Int?
            if let option = options.first {
                guard let count = values.integer(option.values[0], what: "times", range: 1...1000) else { return nil }
                times = count
            }
            return make(.prompt(name, times: times))
        case "tone":
            guard let argument = single(node, what, needs: "a frequency") else { return nil }
            guard let hertz = values.integer(argument, what: "tone frequency", range: 20...3900) else { return nil }
            return make(.tone(hertz))
        case "join":
            var options = rest
            var meeting: String?
            if let argument = options.first, !isKeyword(argument, ["name", "role", "muted", "unmuted", "policy"]) {
                guard let id = text(argument), !id.isEmpty else {
                    values.sink.error(argument.location, "expected a meeting ID, found \(argument.shown)")
                    return nil
                }
                meeting = id
                options = options.dropFirst()
            }
            guard
                let list = self.options(
                    options, known: ["name": 1, "role": 1, "muted": 0, "unmuted": 0, "policy": 1], what: "'expect join'")
            else { return nil }
            var name: String?
            var role: Join.Role?
            var muted: Bool?
            var policy: String?
            for option in list {
                switch option.keyword {
                case "name": name = text(option.values[0])
                case "role":
                    guard let value = values.choice(option.values[0], what: "join role", as: Join.Role.self) else { return nil }
                    role = value
                case "policy":
                    guard let value = values.name(option.values[0], what: "policy name") else { return nil }
                    policy = value
                default:
                    if muted != nil {
                        values.sink.error(option.at.location, "give 'muted' or 'unmuted', not both")
                        return nil
                    }
                    muted = option.keyword == "muted"
                }
            }
            return make(.join(meeting: meeting, name: name, role: role, muted: muted, policy: policy))
        case "reject":
            guard let argument = rest.first else {
                values.sink.error(node.location, "'expect reject' needs a status", hint: "expect reject 404 [\"Not Found\"] [cause 1]")
                return nil
            }
            guard let status = values.integer(argument, what: "reject status", range: 400...699) else { return nil }
            var more = rest.dropFirst()
            var phrase: String?
            if let next = more.first, case .string(let text) = next.value {
                phrase = text
                more = more.dropFirst()
            }
            guard let options = options(more, known: ["cause": 1], what: "'expect reject'") else { return nil }
            var cause: Int?
            if let option = options.first {
                guard let value = values.integer(option.values[0], what: "cause", range: 1...127) else { return nil }
                cause = value
            }
            return make(.reject(status: status, phrase: phrase, cause: cause))
        case "hangup":
            guard let options = options(rest, known: ["cause": 1, "text": 1], what: "'expect hangup'") else { return nil }
            var cause: Int?
            var reason: String?
            for option in options {
                if option.keyword == "cause" {
                    guard let value = values.integer(option.values[0], what: "cause", range: 1...127) else { return nil }
                    cause = value
                } else {
                    reason = text(option.values[0])
                }
            }
            return make(.hangup(cause: cause, text: reason))
        case "variable":
            guard rest.count == 2 else {
                values.sink.error(
                    rest.count > 2 ? rest[rest.startIndex + 2].location : node.location,
                    rest.count > 2
                        ? "unexpected \(rest[rest.startIndex + 2].shown) after 'expect variable'"
                        : "'expect variable' needs a name and a value",
                    hint: "expect variable meeting_id \"123456789\"")
                return nil
            }
            let nameArgument = rest[rest.startIndex]
            guard case .word(var raw) = nameArgument.value else {
                values.sink.error(nameArgument.location, "expected a variable name, found \(nameArgument.shown)")
                return nil
            }
            if raw.hasPrefix("$") { raw.removeFirst() }
            guard let name = values.variableName(raw, at: nameArgument.location) else { return nil }
            guard let value = text(rest[rest.startIndex + 1]) else {
                values.sink.error(rest[rest.startIndex + 1].location, "expected a value, found \(rest[rest.startIndex + 1].shown)")
                return nil
            }
            return make(.variable(name, value: value))
        case "entry-failures":
            guard let argument = single(node, what, needs: "a count") else { return nil }
            guard let count = values.integer(argument, what: "entry-failures", range: 0...1000) else { return nil }
            return make(.entryFailures(count))
        case "duration-under", "duration-over":
            guard let argument = single(node, what, needs: "a duration") else { return nil }
            guard let limit = values.duration(argument, what: what, range: .zero...ScriptReader.longest) else { return nil }
            return make(what == "duration-under" ? .durationUnder(limit) : .durationOver(limit))
        default:
            guard let argument = single(node, what, needs: "a quoted text") else { return nil }
            guard let text = text(argument), !text.isEmpty else {
                values.sink.error(argument.location, "expected a text, found \(argument.shown)")
                return nil
            }
            return make(.journal(text))
        }
    }

    // MARK: - Argument readers

    /// A word or a string.
    private func text(_ argument: SyntaxArgument) -> String? {
        switch argument.value {
        case .word(let w): w
        case .string(let s): s
        case .regex, .equals: nil
        }
    }

    private func isKeyword(_ argument: SyntaxArgument, _ keywords: [String]) -> Bool {
        if case .word(let word) = argument.value { return keywords.contains(word) }
        return false
    }

    private mutating func digits(_ argument: SyntaxArgument, what: String) -> String? {
        if let value = text(argument), !value.isEmpty, value.count <= 32, value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return value
        }
        values.sink.error(argument.location, "\(what) must be digits, not \(argument.shown)")
        return nil
    }

    /// The keys of a press, each checked; an error points at the first bad one.
    private mutating func dtmf(_ argument: SyntaxArgument) -> [Character]? {
        guard let value = text(argument) else {
            values.sink.error(argument.location, "expected digits, found \(argument.shown)", hint: "press \"4321#\" at 12s")
            return nil
        }
        guard !value.isEmpty else {
            values.sink.error(argument.location, "press needs at least one digit")
            return nil
        }
        // A string's text starts one column after its opening quote.
        let offset: Int
        if case .string = argument.value { offset = 1 } else { offset = 0 }
        for (index, key) in value.enumerated() where !ScriptReader.dtmfDigits.contains(key) {
            values.sink.error(
                argument.location.advanced(by: offset + index), "'\(key)' is not a DTMF digit",
                hint: "digits are 0-9, *, # and A-D")
            return nil
        }
        return Array(value)
    }

    /// An ISO 8601 moment with its zone: `2026-12-07T10:00:00Z`, `2026-12-07T11:00:00+01:00`.
    private mutating func moment(_ argument: SyntaxArgument) -> Date? {
        if let value = text(argument) {
            let formatter = ISO8601DateFormatter()
            if let date = formatter.date(from: value) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: value) { return date }
        }
        values.sink.error(
            argument.location, "\(argument.shown) is not an ISO 8601 time with a zone",
            hint: "write e.g. \"2026-12-07T10:00:00Z\" or \"2026-12-07T11:00:00+01:00\"")
        return nil
    }

    private mutating func nothingAfter(_ rest: ArraySlice<SyntaxArgument>, _ what: String) -> Bool {
        guard let extra = rest.first else { return true }
        values.sink.error(extra.location, "unexpected \(extra.shown) after 'expect \(what)'")
        return false
    }

    /// The one argument of `expect WHAT ARGUMENT`.
    private mutating func single(_ node: SyntaxNode, _ what: String, needs: String) -> SyntaxArgument? {
        let rest = node.arguments.dropFirst()
        guard let argument = rest.first else {
            values.sink.error(node.location, "'expect \(what)' needs \(needs)")
            return nil
        }
        guard nothingAfter(rest.dropFirst(), what) else { return nil }
        return argument
    }

    struct Option {
        var keyword: String
        var at: SyntaxArgument
        var values: [SyntaxArgument]
    }

    /// `keyword value...` pairs after a statement's leading arguments; `known` gives each keyword's
    /// number of values. Nil after an error (reported).
    private mutating func options(
        _ arguments: ArraySlice<SyntaxArgument>, known: [String: Int], what: String, repeatable: Set<String> = []
    ) -> [Option]? {
        var list: [Option] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            guard case .word(let keyword) = argument.value, let count = known[keyword] else {
                let word = text(argument) ?? ""
                let names = known.keys.sorted()
                values.sink.error(
                    argument.location, "unknown \(what) option \(argument.shown)",
                    hint: DialplanParser.closest(to: word, in: names).map { "did you mean '\($0)'?" }
                        ?? "options: \(names.joined(separator: ", "))")
                return nil
            }
            guard arguments.endIndex - index - 1 >= count else {
                values.sink.error(argument.location, "'\(keyword)' needs \(count == 1 ? "a value" : "\(count) values")")
                return nil
            }
            if !repeatable.contains(keyword), let earlier = list.first(where: { $0.keyword == keyword }) {
                values.sink.error(argument.location, "'\(keyword)' is given twice (first at column \(earlier.at.location.column))")
                return nil
            }
            list.append(Option(keyword: keyword, at: argument, values: Array(arguments[(index + 1)..<(index + 1 + count)])))
            index += 1 + count
        }
        return list
    }
}
