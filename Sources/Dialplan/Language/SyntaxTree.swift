/// One argument of a statement as written.
public struct SyntaxArgument: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        case word(String)
        case string(String)
        case regex(String)
        case equals
    }

    public var value: Value
    public var location: SourceLocation

    /// What an operator would call it in a message: `'1000'`, `"text"`, `/re/`, `'='`.
    var shown: String {
        switch value {
        case .word(let w): "'\(w)'"
        case .string(let s): "\"\(s)\""
        case .regex(let r): "/\(r)/"
        case .equals: "'='"
        }
    }
}

/// The shape every line of the language shares: `keyword argument... [{ statements }]`.
///
/// The typed parser reads the meaning of each keyword from these nodes; keeping the shape apart
/// lets errors in one statement be reported and skipped without losing the rest of the file.
public struct SyntaxNode: Hashable, Sendable {
    public var keyword: String
    public var location: SourceLocation
    public var arguments: [SyntaxArgument]
    /// The statements between braces, when the statement has a block.
    public var block: [SyntaxNode]?
    /// Where the block's `{` is.
    public var blockLocation: SourceLocation?
}

/// Builds `SyntaxNode`s from tokens, recovering at the next line after an error.
struct SyntaxParser {
    private let tokens: [DialplanToken]
    private var position = 0
    private(set) var sink = DiagnosticSink()

    init(tokens: [DialplanToken]) {
        self.tokens = tokens.isEmpty ? [DialplanToken(.endOfFile, SourceLocation(file: "", line: 1, column: 1))] : tokens
    }

    mutating func parseFile() -> [SyntaxNode] {
        var nodes: [SyntaxNode] = []
        while true {
            let (more, _) = parseStatements(depth: 0)
            nodes += more
            // A stray `}` at the top level: report it and go on with the rest of the file.
            if case .closeBrace = current.kind {
                sink.error(current.location, "unexpected '}' with no block open")
                position += 1
                continue
            }
            return nodes
        }
    }

    private var current: DialplanToken { tokens[min(position, tokens.count - 1)] }

    private var isAtLineEnd: Bool {
        switch current.kind {
        case .newline, .endOfFile: true
        default: false
        }
    }

    /// Statements up to a `}` (left for the caller) or the end of the file. The flag says whether a
    /// `}` stopped it.
    private mutating func parseStatements(depth: Int) -> ([SyntaxNode], closedByBrace: Bool) {
        var nodes: [SyntaxNode] = []
        while true {
            switch current.kind {
            case .newline:
                position += 1
            case .endOfFile:
                return (nodes, false)
            case .closeBrace:
                if depth == 0 { return (nodes, false) }
                return (nodes, true)
            case .word(let keyword):
                let location = current.location
                position += 1
                if let node = parseStatement(keyword: keyword, at: location, depth: depth) { nodes.append(node) }
            case .openBrace:
                sink.error(
                    current.location, "a block needs a statement before its '{'", hint: "write it after a keyword, e.g. 'route NAME {'")
                skipRestOfStatement()
            case .string, .regex, .equals:
                sink.error(current.location, "expected a statement keyword, found \(describe(current))")
                skipRestOfStatement()
            }
        }
    }

    private mutating func parseStatement(keyword: String, at location: SourceLocation, depth: Int) -> SyntaxNode? {
        var node = SyntaxNode(keyword: keyword, location: location, arguments: [], block: nil, blockLocation: nil)
        argumentLoop: while true {
            let token = current
            switch token.kind {
            case .word(let w): node.arguments.append(SyntaxArgument(value: .word(w), location: token.location))
            case .string(let s): node.arguments.append(SyntaxArgument(value: .string(s), location: token.location))
            case .regex(let r): node.arguments.append(SyntaxArgument(value: .regex(r), location: token.location))
            case .equals: node.arguments.append(SyntaxArgument(value: .equals, location: token.location))
            default: break argumentLoop
            }
            position += 1
        }
        // Allman style: a `{` alone on the next line still opens this statement's block.
        var look = position
        while look < tokens.count, case .newline = tokens[look].kind { look += 1 }
        if look < tokens.count, case .openBrace = tokens[look].kind { position = look }

        if case .openBrace = current.kind {
            let open = current.location
            position += 1
            if depth + 1 > DialplanLimits.maxNesting {
                sink.error(open, "blocks nested more than \(DialplanLimits.maxNesting) deep")
                skipBalancedBlock()
                return nil
            }
            let (inner, closed) = parseStatements(depth: depth + 1)
            node.block = inner
            node.blockLocation = open
            if closed {
                position += 1
            } else {
                sink.error(open, "missing '}' to close the '\(keyword)' block opened here")
                return node
            }
        }
        switch current.kind {
        case .newline, .endOfFile, .closeBrace:
            return node
        default:
            sink.error(
                current.location, "expected the end of the line after '}', found \(describe(current))",
                hint: "put the next statement on a line of its own")
            skipRestOfStatement()
            return node
        }
    }

    /// Skips to the end of the line; a `{` on the way takes its whole block with it.
    private mutating func skipRestOfStatement() {
        while !isAtLineEnd {
            if case .openBrace = current.kind {
                position += 1
                skipBalancedBlock()
                continue
            }
            if case .closeBrace = current.kind { return }
            position += 1
        }
    }

    /// After a `{`: skips to just past its matching `}` (or the end of the file).
    private mutating func skipBalancedBlock() {
        var open = 1
        while open > 0 {
            switch current.kind {
            case .endOfFile: return
            case .openBrace: open += 1
            case .closeBrace: open -= 1
            default: break
            }
            position += 1
        }
    }

    private func describe(_ token: DialplanToken) -> String {
        switch token.kind {
        case .word(let w): "'\(w)'"
        case .string(let s): "the string \"\(s)\""
        case .regex(let r): "the regular expression /\(r)/"
        case .openBrace: "'{'"
        case .closeBrace: "'}'"
        case .equals: "'='"
        case .newline: "the end of the line"
        case .endOfFile: "the end of the file"
        }
    }
}
