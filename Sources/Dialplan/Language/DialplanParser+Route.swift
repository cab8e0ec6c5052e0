extension DialplanParser {
    static let stepKeywords = [
        "answer", "ring", "early-media", "play", "tone", "pause", "collect", "lookup", "check-passcode", "join", "reject", "hangup",
        "goto", "set", "echo", "policy", "tries",
    ]
    static let routeKeywords = ["match", "on-failure"] + stepKeywords
    static let matchKinds = ["any", "called", "caller", "caller-name", "trunk", "header", "time"]
    static let collectOptions = [
        "prompt", "min", "max", "terminator", "first-digit-timeout", "inter-digit-timeout", "tries", "barge-in",
    ]
    static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    // Ranges that keep a call sane (and catch typos such as 10m for 10s).
    static let ringRange: ClosedRange<Duration> = .zero ... .seconds(300)
    static let pauseRange: ClosedRange<Duration> = .milliseconds(10) ... .seconds(300)
    static let toneRange: ClosedRange<Duration> = .milliseconds(10) ... .seconds(300)
    /// Phone legs are 8 kHz, so a tone must stay under the 4 kHz Nyquist limit.
    static let toneHertzRange = 20...3900
    static let firstDigitRange: ClosedRange<Duration> = .milliseconds(500) ... .seconds(300)
    static let interDigitRange: ClosedRange<Duration> = .milliseconds(500) ... .seconds(60)
    static let digitsRange = 1...32
    static let triesRange = 1...10

    mutating func route(_ name: String, _ location: SourceLocation, _ block: [SyntaxNode]) -> Route {
        var route = Route(name: name, location: location)
        if !block.contains(where: { $0.keyword != "match" && $0.keyword != "on-failure" }) {
            sink.error(location, "route '\(name)' has no steps", hint: "add steps such as answer, play, join or reject")
        }
        for node in block {
            switch node.keyword {
            case "match":
                guard noBlock(node) else { continue }
                if let first = route.steps.first {
                    sink.error(
                        node.location, "'match' after the route's steps",
                        hint: "put match lines at the top of the route (first step at line \(first.location.line))")
                }
                if let condition = matchCondition(node) { route.conditions.append(condition) }
            case "on-failure":
                guard let inner = node.block else {
                    sink.error(node.location, "'on-failure' needs a block", hint: "on-failure { play goodbye  hangup }")
                    continue
                }
                if let first = node.arguments.first { sink.error(first.location, "unexpected \(first.shown) after 'on-failure'") }
                if route.onFailure != nil {
                    sink.error(node.location, "route '\(name)' already has an on-failure block")
                    continue
                }
                route.onFailure = steps(inner)
            default:
                if let step = step(node) { route.steps.append(step) }
            }
        }
        return route
    }

    mutating func steps(_ block: [SyntaxNode]) -> [Step] {
        block.compactMap { node in
            if node.keyword == "match" || node.keyword == "on-failure" {
                sink.error(node.location, "'\(node.keyword)' belongs at the top of a route block, not here")
                return nil
            }
            return step(node)
        }
    }

    mutating func step(_ node: SyntaxNode) -> Step? {
        func make(_ action: Step.Action) -> Step { Step(action: action, location: node.location) }
        if node.keyword != "tries", node.keyword != "collect", !noBlock(node) { return nil }
        switch node.keyword {
        case "answer":
            guard exactly(0, node, usage: "answer") else { return nil }
            return make(.answer)
        case "echo":
            guard exactly(0, node, usage: "echo") else { return nil }
            return make(.echo)
        case "ring":
            guard exactly(1, node, usage: "ring 2s") else { return nil }
            return duration(node.arguments[0], what: "ring time", range: DialplanParser.ringRange).map { make(.ring($0)) }
        case "pause":
            guard exactly(1, node, usage: "pause 1s") else { return nil }
            return duration(node.arguments[0], what: "pause", range: DialplanParser.pauseRange).map { make(.pause($0)) }
        case "early-media":
            guard exactly(1, node, usage: "early-media PROMPT") else { return nil }
            return reference(node.arguments[0], what: "prompt name").map { make(.earlyMedia(prompt: $0)) }
        case "play":
            guard !node.arguments.isEmpty else {
                sink.error(node.location, "'play' needs at least one prompt", hint: "play welcome")
                return nil
            }
            let prompts = node.arguments.compactMap { reference($0, what: "prompt name") }
            guard prompts.count == node.arguments.count else { return nil }
            return make(.play(prompts))
        case "tone":
            guard exactly(2, node, usage: "tone 1000 3s  (hertz, duration)") else { return nil }
            var hertzArgument = node.arguments[0]
            if case .word(let word) = hertzArgument.value, word.lowercased().hasSuffix("hz") {
                hertzArgument.value = .word(String(word.dropLast(2)))
            }
            let hertz = integer(hertzArgument, what: "tone frequency (Hz)", range: DialplanParser.toneHertzRange)
            let length = duration(node.arguments[1], what: "tone length", range: DialplanParser.toneRange)
            guard let hertz, let length else { return nil }
            return make(.tone(hertz: hertz, duration: length))
        case "collect":
            return collect(node).map { make(.collect($0)) }
        case "lookup":
            guard exactly(1, node, usage: "lookup $meeting_id") else { return nil }
            return value(node.arguments[0]).map { make(.lookup($0)) }
        case "check-passcode":
            guard exactly(1, node, usage: "check-passcode $passcode") else { return nil }
            return value(node.arguments[0]).map { make(.checkPasscode($0)) }
        case "join":
            return join(node).map { make(.join($0)) }
        case "reject":
            return reject(node).map { make($0) }
        case "hangup":
            var reason: ReasonHeader?
            if !node.arguments.isEmpty {
                guard case .word("reason") = node.arguments[0].value else {
                    sink.error(
                        node.arguments[0].location, "unexpected \(node.arguments[0].shown) after 'hangup'",
                        hint: "hangup reason q850 16 \"Normal call clearing\"")
                    return nil
                }
                guard let parsed = self.reason(node, from: 1) else { return nil }
                reason = parsed
            }
            return make(.hangup(reason: reason))
        case "goto":
            guard exactly(1, node, usage: "goto ROUTE") else { return nil }
            return reference(node.arguments[0], what: "route name").map { make(.goto($0)) }
        case "set":
            return assignment(node).map { make(.set($0)) }
        case "policy":
            guard exactly(1, node, usage: "policy NAME") else { return nil }
            return reference(node.arguments[0], what: "policy name").map { make(.policy($0)) }
        case "tries":
            return tries(node).map { make($0) }
        default:
            unknown(node, in: "in a route", known: DialplanParser.routeKeywords)
            return nil
        }
    }

    /// `tries N [retry-prompt PROMPT] { steps }`.
    mutating func tries(_ node: SyntaxNode) -> Step.Action? {
        let usage = "tries 3 retry-prompt wrong-entry { ... }"
        guard let block = node.block else {
            sink.error(node.location, "'tries' needs a block", hint: usage)
            return nil
        }
        guard let first = node.arguments.first else {
            sink.error(node.location, "'tries' needs a count", hint: usage)
            return nil
        }
        let count = integer(first, what: "tries", range: DialplanParser.triesRange)
        var retry: Reference?
        var rest = node.arguments.dropFirst()
        if let key = rest.first {
            if case .word("retry-prompt") = key.value, rest.count >= 2 {
                retry = reference(rest[rest.startIndex + 1], what: "prompt name")
                rest = rest.dropFirst(2)
            }
            if let extra = rest.first {
                sink.error(extra.location, "unexpected \(extra.shown) after 'tries'", hint: usage)
            }
        }
        let inner = steps(block)
        guard let count else { return nil }
        return .tries(count: count, retryPrompt: retry, steps: inner)
    }

    /// `collect VAR [option value]...`, options inline or one per line in a block.
    mutating func collect(_ node: SyntaxNode) -> Collect? {
        let usage = "collect meeting_id prompt enter-meeting-id max 11"
        guard let first = node.arguments.first else {
            sink.error(node.location, "'collect' needs the name of the variable that receives the digits", hint: usage)
            return nil
        }
        guard case .word(let word) = first.value,
            let variable = variableName(word.hasPrefix("$") ? String(word.dropFirst()) : word, at: first.location)
        else {
            if case .word = first.value {
            } else {
                sink.error(first.location, "expected a variable name, found \(first.shown)", hint: usage)
            }
            return nil
        }
        var collect = Collect(variable: variable)
        // Inline `key value` pairs, then block lines, read the same way.
        var options: [(key: String, location: SourceLocation, value: SyntaxArgument?)] = []
        var rest = Array(node.arguments.dropFirst())
        while !rest.isEmpty {
            let key = rest.removeFirst()
            guard case .word(let name) = key.value else {
                sink.error(
                    key.location, "expected a collect option, found \(key.shown)",
                    hint: "options: \(DialplanParser.collectOptions.joined(separator: ", "))")
                return nil
            }
            options.append((name, key.location, rest.isEmpty ? nil : rest.removeFirst()))
        }
        for line in node.block ?? [] {
            guard noBlock(line) else { continue }
            if line.arguments.count > 1 {
                sink.error(line.arguments[1].location, "unexpected \(line.arguments[1].shown) after '\(line.keyword)'")
                continue
            }
            options.append((line.keyword, line.location, line.arguments.first))
        }
        var seen: Set<String> = []
        var valid = true
        var minLocation: SourceLocation?
        for (key, location, argument) in options {
            guard DialplanParser.collectOptions.contains(key) else {
                let suggestion = DialplanParser.closest(to: key, in: DialplanParser.collectOptions).map { "did you mean '\($0)'?" }
                sink.error(
                    location, "unknown collect option '\(key)'",
                    hint: suggestion ?? "options: \(DialplanParser.collectOptions.joined(separator: ", "))")
                valid = false
                continue
            }
            guard seen.insert(key).inserted else {
                sink.error(location, "collect option '\(key)' is given twice")
                valid = false
                continue
            }
            guard let argument else {
                // `terminator #` reads the # as a comment: say so.
                let hint = key == "terminator" ? "write the # in quotes: terminator \"#\" (a bare # starts a comment)" : usage
                sink.error(location, "collect option '\(key)' needs a value", hint: hint)
                valid = false
                continue
            }
            switch key {
            case "prompt":
                if let prompt = reference(argument, what: "prompt name") { collect.prompt = prompt } else { valid = false }
            case "min":
                if let n = integer(argument, what: "min", range: DialplanParser.digitsRange) {
                    collect.minDigits = n
                    minLocation = argument.location
                } else {
                    valid = false
                }
            case "max":
                if let n = integer(argument, what: "max", range: DialplanParser.digitsRange) {
                    collect.maxDigits = n
                } else {
                    valid = false
                }
            case "terminator":
                switch text(argument) {
                case "#": collect.terminator = "#"
                case "*": collect.terminator = "*"
                case "none": collect.terminator = nil
                default:
                    sink.error(
                        argument.location, "terminator must be \"#\", \"*\" or none, not \(argument.shown)",
                        hint: "write the # in quotes: terminator \"#\"")
                    valid = false
                }
            case "first-digit-timeout":
                if let d = duration(argument, what: "first-digit-timeout", range: DialplanParser.firstDigitRange) {
                    collect.firstDigitTimeout = d
                } else {
                    valid = false
                }
            case "inter-digit-timeout":
                if let d = duration(argument, what: "inter-digit-timeout", range: DialplanParser.interDigitRange) {
                    collect.interDigitTimeout = d
                } else {
                    valid = false
                }
            case "tries":
                if let n = integer(argument, what: "tries", range: DialplanParser.triesRange) { collect.tries = n } else { valid = false }
            case "barge-in":
                if let b = boolean(argument, what: "barge-in") { collect.bargeIn = b } else { valid = false }
            default:
                break
            }
        }
        if collect.minDigits > collect.maxDigits {
            sink.error(
                minLocation ?? node.location, "collect min \(collect.minDigits) is greater than max \(collect.maxDigits)",
                hint: "max defaults to 20; set both, e.g. min 4 max 10")
            valid = false
        }
        return valid ? collect : nil
    }

    /// `join [MEETING] [role participant|host|listener] [muted] [name "DISPLAY NAME"]`.
    mutating func join(_ node: SyntaxNode) -> Join? {
        var join = Join()
        var rest = node.arguments[...]
        let keys: Set<String> = ["role", "muted", "name"]
        if let first = rest.first {
            var isKey = false
            if case .word(let word) = first.value, keys.contains(word) { isKey = true }
            if !isKey {
                guard let meeting = value(first) else { return nil }
                join.meeting = meeting
                rest = rest.dropFirst()
            }
        }
        var seen: Set<String> = []
        while let key = rest.first {
            rest = rest.dropFirst()
            guard case .word(let word) = key.value, keys.contains(word) else {
                sink.error(
                    key.location, "unexpected \(key.shown) in 'join'",
                    hint: "join [MEETING] [role participant|host|listener] [muted] [name \"...\"]")
                return nil
            }
            guard seen.insert(word).inserted else {
                sink.error(key.location, "'\(word)' is given twice in 'join'")
                return nil
            }
            if word == "muted" {
                join.muted = true
                continue
            }
            guard let argument = rest.first else {
                sink.error(
                    key.location, "'\(word)' needs a value",
                    hint: word == "role" ? "role participant|host|listener" : "name \"Phone ${caller.masked}\"")
                return nil
            }
            rest = rest.dropFirst()
            if word == "role" {
                guard let role = choice(argument, what: "role", as: Join.Role.self) else { return nil }
                join.role = role
            } else {
                guard let name = value(argument) else { return nil }
                join.displayName = name
            }
        }
        return join
    }

    /// `reject STATUS ["Reason Phrase"] [reason PROTOCOL CAUSE ["text"]]`.
    mutating func reject(_ node: SyntaxNode) -> Step.Action? {
        let usage = "reject 404 \"Not Found\" reason q850 1 \"Unallocated number\""
        guard let first = node.arguments.first else {
            sink.error(node.location, "'reject' needs a SIP status", hint: usage)
            return nil
        }
        // RFC 3261 §21.4-21.6: a final response that refuses a call is 4xx, 5xx or 6xx.
        guard let status = integer(first, what: "reject status", range: 400...699) else { return nil }
        var index = 1
        var phrase: String?
        if index < node.arguments.count, case .string(let text) = node.arguments[index].value {
            phrase = text
            index += 1
        }
        var reason: ReasonHeader?
        if index < node.arguments.count {
            guard case .word("reason") = node.arguments[index].value else {
                sink.error(node.arguments[index].location, "unexpected \(node.arguments[index].shown) in 'reject'", hint: usage)
                return nil
            }
            guard let parsed = self.reason(node, from: index + 1) else { return nil }
            reason = parsed
        }
        return .reject(status: status, phrase: phrase, reason: reason)
    }

    /// The part after `reason`: `q850 CAUSE ["text"]` or `sip STATUS ["text"]` (RFC 3326 §2).
    mutating func reason(_ node: SyntaxNode, from index: Int) -> ReasonHeader? {
        let usage = "reason q850 16 \"Normal call clearing\"  or  reason sip 480 \"Temporarily Unavailable\""
        let args = node.arguments
        guard index + 1 < args.count else {
            sink.error(args[index - 1].location, "'reason' needs a protocol (q850 or sip) and a cause", hint: usage)
            return nil
        }
        let reasonProtocol: ReasonHeader.ReasonProtocol
        switch args[index].value {
        case .word("q850"), .word("Q.850"): reasonProtocol = .q850
        case .word("sip"), .word("SIP"): reasonProtocol = .sip
        default:
            sink.error(args[index].location, "reason protocol must be q850 or sip, not \(args[index].shown)", hint: usage)
            return nil
        }
        // Q.850 causes are 7 bits; SIP causes are status codes (RFC 3326 §2).
        let range = reasonProtocol == .q850 ? 1...127 : 200...699
        guard let cause = integer(args[index + 1], what: "\(reasonProtocol.rawValue) cause", range: range) else { return nil }
        var text: String?
        var next = index + 2
        if next < args.count, case .string(let value) = args[next].value {
            text = value
            next += 1
        }
        if next < args.count {
            sink.error(args[next].location, "unexpected \(args[next].shown) after the reason", hint: usage)
            return nil
        }
        return ReasonHeader(reasonProtocol: reasonProtocol, cause: cause, text: text)
    }
}
