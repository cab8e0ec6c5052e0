/// Reads one dialplan file into typed declarations, reporting every error it finds (each at its
/// `file:line:column`) and going on with the next statement.
///
/// Pure: it takes the file's text, never reads files. Includes are followed by `DialplanLoader`.
public struct DialplanParser {
    /// Parses one file. The declarations hold everything that could be read; the diagnostics
    /// say what could not.
    public static func parse(_ source: DialplanSource) -> (file: DialplanFile, diagnostics: [DialplanDiagnostic]) {
        let (tokens, lexical) = DialplanLexer(path: source.path).tokenize(source.text)
        var syntax = SyntaxParser(tokens: tokens)
        let nodes = syntax.parseFile()
        var parser = DialplanParser(path: source.path)
        parser.sink.add(contentsOf: lexical)
        parser.sink.add(contentsOf: syntax.sink.diagnostics)
        let declarations = nodes.compactMap { parser.declaration($0) }
        var diagnostics = parser.sink.diagnostics
        diagnostics.sort { $0.location < $1.location }
        return (DialplanFile(path: source.path, declarations: declarations), diagnostics)
    }

    let path: String
    var sink = DiagnosticSink()

    init(path: String) { self.path = path }

    static let topLevelKeywords = ["include", "set", "trunk", "route", "policy", "tier"]

    mutating func declaration(_ node: SyntaxNode) -> Declaration? {
        switch node.keyword {
        case "include":
            guard noBlock(node), exactly(1, node, usage: "include \"FILE.dialplan\"") else { return nil }
            guard case .string(let file) = node.arguments[0].value, !file.isEmpty else {
                sink.error(node.arguments[0].location, "include needs a quoted file path", hint: "include \"common.dialplan\"")
                return nil
            }
            return .include(Include(path: file, location: node.arguments[0].location))
        case "set":
            guard noBlock(node), let variable = assignment(node) else { return nil }
            return .variable(variable)
        case "trunk":
            guard let (name, block) = namedBlock(node, usage: "trunk NAME { ... }") else { return nil }
            return .trunk(trunk(name, node.location, block))
        case "route":
            guard let (name, block) = namedBlock(node, usage: "route NAME { ... }") else { return nil }
            return .route(route(name, node.location, block))
        case "policy":
            guard let (name, block) = namedBlock(node, usage: "policy NAME { ... }") else { return nil }
            return .policy(PolicyProfile(name: name, location: node.location, settings: policySettings(block, in: "policy")))
        case "tier":
            guard let (name, block) = namedBlock(node, usage: "tier NAME { ... }") else { return nil }
            return .tier(tier(name, node.location, block))
        default:
            if DialplanParser.stepKeywords.contains(node.keyword) || node.keyword == "match" {
                unknown(
                    node, in: "at the top level", known: DialplanParser.topLevelKeywords,
                    hint: "'\(node.keyword)' goes inside a route { ... } block")
            } else {
                unknown(node, in: "at the top level", known: DialplanParser.topLevelKeywords)
            }
            return nil
        }
    }

    // MARK: - Shared argument readers

    mutating func unknown(_ node: SyntaxNode, in place: String, known: [String], hint: String? = nil) {
        let suggestion = hint ?? DialplanParser.closest(to: node.keyword, in: known).map { "did you mean '\($0)'?" }
        sink.error(node.location, "unknown statement '\(node.keyword)' \(place)", hint: suggestion)
    }

    /// `KEYWORD NAME { ... }`.
    mutating func namedBlock(_ node: SyntaxNode, usage: String) -> (String, [SyntaxNode])? {
        guard let block = node.block else {
            sink.error(node.location, "'\(node.keyword)' needs a block", hint: usage)
            return nil
        }
        guard let first = node.arguments.first else {
            sink.error(node.location, "'\(node.keyword)' needs a name", hint: usage)
            return nil
        }
        if node.arguments.count > 1 {
            sink.error(node.arguments[1].location, "unexpected \(node.arguments[1].shown) after the \(node.keyword) name", hint: usage)
        }
        guard let name = name(first, what: "\(node.keyword) name") else { return nil }
        return (name, block)
    }

    mutating func noBlock(_ node: SyntaxNode) -> Bool {
        guard let open = node.blockLocation else { return true }
        sink.error(open, "'\(node.keyword)' does not take a block")
        return false
    }

    mutating func exactly(_ count: Int, _ node: SyntaxNode, usage: String) -> Bool {
        if node.arguments.count < count {
            sink.error(node.location, "'\(node.keyword)' needs \(count == 1 ? "an argument" : "\(count) arguments")", hint: usage)
            return false
        }
        if node.arguments.count > count {
            sink.error(node.arguments[count].location, "unexpected \(node.arguments[count].shown) after '\(node.keyword)'", hint: usage)
            return false
        }
        return true
    }

    /// Names: letters, digits, `_`, `-`, `.`; starting with a letter, digit or `_`.
    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first.isNumber || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") }
    }

    mutating func name(_ argument: SyntaxArgument, what: String) -> String? {
        if case .word(let word) = argument.value, DialplanParser.isName(word) { return word }
        sink.error(
            argument.location, "\(argument.shown) is not a valid \(what)",
            hint: "names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'")
        return nil
    }

    mutating func reference(_ argument: SyntaxArgument, what: String) -> Reference? {
        name(argument, what: what).map { Reference($0, at: argument.location) }
    }

    /// `$name`, `${name}`, a quoted string or a bare word.
    mutating func value(_ argument: SyntaxArgument) -> Value? {
        switch argument.value {
        case .word(let word):
            if word.hasPrefix("${"), word.hasSuffix("}"), word.count > 3 {
                return variableName(String(word.dropFirst(2).dropLast()), at: argument.location).map(Value.variable)
            }
            if word.hasPrefix("$") { return variableName(String(word.dropFirst()), at: argument.location).map(Value.variable) }
            return .text(word)
        case .string(let text): return .text(text)
        case .regex, .equals:
            sink.error(argument.location, "expected a value, found \(argument.shown)", hint: "write a number, a \"string\" or a $variable")
            return nil
        }
    }

    mutating func variableName(_ text: String, at location: SourceLocation) -> String? {
        let valid =
            text.first.map { $0.isASCII && ($0.isLetter || $0 == "_") } == true
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
        guard valid else {
            sink.error(
                location, "'\(text)' is not a valid variable name",
                hint: "variable names use letters, digits, '_' and '.', and start with a letter or '_'")
            return nil
        }
        return text
    }

    /// `set NAME = VALUE` (the `=` may be left out).
    mutating func assignment(_ node: SyntaxNode) -> Variable? {
        var args = node.arguments
        if args.count == 3, case .equals = args[1].value { args.remove(at: 1) }
        guard args.count == 2 else {
            let at = args.count > 2 ? args[2].location : node.location
            sink.error(at, "'set' takes a name and a value", hint: "set NAME = \"value\"")
            return nil
        }
        var nameText: String?
        if case .word(let word) = args[0].value { nameText = word.hasPrefix("$") ? String(word.dropFirst()) : word }
        guard let raw = nameText else {
            sink.error(args[0].location, "expected a variable name, found \(args[0].shown)", hint: "set NAME = \"value\"")
            return nil
        }
        guard let name = variableName(raw, at: args[0].location), let value = value(args[1]) else { return nil }
        return Variable(name: name, value: value, location: node.location)
    }

    mutating func integer(_ argument: SyntaxArgument, what: String, range: ClosedRange<Int>) -> Int? {
        guard case .word(let word) = argument.value, word.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(word) else {
            sink.error(argument.location, "\(what) must be a whole number, not \(argument.shown)")
            return nil
        }
        guard range.contains(number) else {
            sink.error(argument.location, "\(what) \(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
            return nil
        }
        return number
    }

    mutating func boolean(_ argument: SyntaxArgument, what: String) -> Bool? {
        if case .word(let word) = argument.value {
            switch word {
            case "yes": return true
            case "no": return false
            default: break
            }
        }
        sink.error(argument.location, "\(what) must be yes or no, not \(argument.shown)")
        return nil
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ argument: SyntaxArgument, what: String, as: T.Type) -> T?
    where T.RawValue == String {
        if case .word(let word) = argument.value, let value = T(rawValue: word) { return value }
        let options = T.allCases.map(\.rawValue)
        let word: String
        if case .word(let w) = argument.value { word = w } else { word = "" }
        let suggestion = DialplanParser.closest(to: word, in: options).map { "did you mean '\($0)'?" }
        sink.error(argument.location, "\(what) must be one of \(options.joined(separator: ", ")), not \(argument.shown)", hint: suggestion)
        return nil
    }

    /// `500ms`, `10s`, `2m`, `1h`, checked against `range`.
    mutating func duration(_ argument: SyntaxArgument, what: String, range: ClosedRange<Duration>) -> Duration? {
        guard case .word(let word) = argument.value, let value = DialplanParser.parseDuration(word) else {
            sink.error(
                argument.location, "\(what) must be a duration, not \(argument.shown)",
                hint: "write a number and a unit: 500ms, 10s, 2m or 1h")
            return nil
        }
        guard range.contains(value) else {
            sink.error(
                argument.location,
                "\(what) \(word) is out of range (\(DialplanParser.format(range.lowerBound)) to \(DialplanParser.format(range.upperBound)))"
            )
            return nil
        }
        return value
    }

    /// Parses `500ms`, `10s`, `2m`, `1h` (whole numbers, no overflow).
    public static func parseDuration(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty, digits.count <= 9, let number = Int64(digits) else { return nil }
        switch unit {
        case "ms": return .milliseconds(number)
        case "s": return .seconds(number)
        case "m": return .seconds(number * 60)
        case "h": return .seconds(number * 3600)
        default: return nil
        }
    }

    /// A duration as an operator writes it: `500ms`, `10s`, `2m`, `1h`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds == 0, attoseconds == 0 { return "0s" }
        if attoseconds != 0 { return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// A literal, `_pattern` or `/regex/`, checked now; errors point inside the pattern.
    mutating func pattern(_ argument: SyntaxArgument) -> NumberPattern? {
        do throws(NumberPattern.Problem) {
            switch argument.value {
            case .word(let word):
                if word.hasPrefix("_") { return try NumberPattern.asterisk(word) }
                return NumberPattern.literal(word)
            case .string(let text): return NumberPattern.literal(text)
            case .regex(let text): return try NumberPattern.regex(text)
            case .equals:
                sink.error(argument.location, "expected a number or pattern, found '='")
                return nil
            }
        } catch {
            // A regex's text starts one column after its opening slash.
            var offset = error.offset
            if case .regex = argument.value { offset += 1 }
            sink.error(argument.location.advanced(by: offset), error.message, hint: error.hint)
            return nil
        }
    }

    /// The closest of `candidates` to a misspelt word, if it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        guard !word.isEmpty, word.count <= 64 else { return nil }
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word), Array(candidate))
            if distance <= max(1, candidate.count / 3), best.map({ distance < $0.1 }) ?? true { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Edit distance counting a swap of two neighbours as one edit (so `plya` is one from `play`).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
