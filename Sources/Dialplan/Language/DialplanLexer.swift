/// One token of a dialplan file.
public struct DialplanToken: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A bare word: keywords, names, numbers, durations, number patterns, addresses, `$variables`.
        case word(String)
        /// A `"quoted string"` with its escapes resolved.
        case string(String)
        /// A `/regular expression/`, without its slashes (`\/` resolved to `/`).
        case regex(String)
        case openBrace
        case closeBrace
        case equals
        case newline
        case endOfFile
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, _ location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// Splits dialplan text into tokens with exact line:column positions (columns count characters).
///
/// `#` starts a comment when it begins a token (at the start of a line or after a space); inside a
/// bare word it is an ordinary character, and a lone `#` digit is written `"#"`. Commas are optional
/// separators between arguments and read as spaces.
public struct DialplanLexer {
    public let path: String

    public init(path: String) { self.path = path }

    /// The tokens and every lexical error (unterminated strings and regexes, stray characters).
    /// Always ends with `.endOfFile`.
    public func tokenize(_ text: String) -> (tokens: [DialplanToken], diagnostics: [DialplanDiagnostic]) {
        var tokens: [DialplanToken] = []
        var sink = DiagnosticSink()
        let chars = Array(text)
        var index = 0
        var line = 1
        var column = 1

        func here() -> SourceLocation { SourceLocation(file: path, line: line, column: column) }
        func isNewline(_ c: Character) -> Bool { c == "\n" || c == "\r\n" || c == "\r" }
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "," || c == "\u{FEFF}" }
        func endsWord(_ c: Character) -> Bool {
            isNewline(c) || isSpace(c) || c == "{" || c == "}" || c == "\"" || c == "=" || (c.isWhitespace)
        }

        while index < chars.count {
            let c = chars[index]
            if isNewline(c) {
                tokens.append(DialplanToken(.newline, here()))
                index += 1
                line += 1
                column = 1
                continue
            }
            if isSpace(c) || c.isWhitespace {
                index += 1
                column += 1
                continue
            }
            let start = here()
            switch c {
            case "#":
                // A comment runs to the end of the line; the newline itself stays a token.
                while index < chars.count, !isNewline(chars[index]) {
                    index += 1
                    column += 1
                }
            case "{":
                tokens.append(DialplanToken(.openBrace, start))
                index += 1
                column += 1
            case "}":
                tokens.append(DialplanToken(.closeBrace, start))
                index += 1
                column += 1
            case "=":
                tokens.append(DialplanToken(.equals, start))
                index += 1
                column += 1
            case "\"", "/":
                let quote = c
                index += 1
                column += 1
                var value = ""
                var closed = false
                while index < chars.count, !isNewline(chars[index]) {
                    let d = chars[index]
                    if d == quote {
                        index += 1
                        column += 1
                        closed = true
                        break
                    }
                    if d == "\\", index + 1 < chars.count, !isNewline(chars[index + 1]) {
                        let e = chars[index + 1]
                        if quote == "\"" {
                            switch e {
                            case "n": value.append("\n")
                            case "t": value.append("\t")
                            case "\"", "\\": value.append(e)
                            default:
                                sink.error(here(), "unknown escape '\\\(e)' in string", hint: "use \\\" \\\\ \\n or \\t")
                                value.append(e)
                            }
                        } else {
                            // In a regex only `\/` is ours; every other escape belongs to the regex.
                            if e != "/" { value.append("\\") }
                            value.append(e)
                        }
                        index += 2
                        column += 2
                        continue
                    }
                    value.append(d)
                    index += 1
                    column += 1
                }
                if closed {
                    tokens.append(DialplanToken(quote == "\"" ? .string(value) : .regex(value), start))
                } else if quote == "\"" {
                    sink.error(start, "unterminated string", hint: "close it with \" on the same line")
                } else {
                    sink.error(
                        start, "unterminated regular expression", hint: "close it with / on the same line; write \\/ for a slash inside it")
                }
            default:
                var value = ""
                while index < chars.count, !endsWord(chars[index]) {
                    value.append(chars[index])
                    index += 1
                    column += 1
                }
                tokens.append(DialplanToken(.word(value), start))
            }
        }
        tokens.append(DialplanToken(.endOfFile, here()))
        return (tokens, sink.diagnostics)
    }
}
