import Dialplan
import Testing

@Suite struct LanguageLexerTests {
    func tokens(_ text: String) -> [DialplanToken] { DialplanLexer(path: "f").tokenize(text).tokens }

    @Test func positionsCountCharactersNotBytes() {
        // "•" is three UTF-8 bytes and "é" two: each is one column.
        let list = tokens("set name = \"•••é\" x\n  play welcome")
        let placed = list.map { "\($0.location.line):\($0.location.column)" }
        #expect(placed == ["1:1", "1:5", "1:10", "1:12", "1:19", "1:20", "2:3", "2:8", "2:15"])
        #expect(list[3].kind == .string("•••é"))
        #expect(list[4].kind == .word("x"))
    }

    @Test func commentsCommasAndHashInsideWords() {
        let list = tokens("from 1.2.3.4, ::1 # trailing comment\n# whole line\nterminator \"#\" a#b")
        #expect(
            list.map(\.kind) == [
                .word("from"), .word("1.2.3.4"), .word("::1"), .newline, .newline, .word("terminator"), .string("#"), .word("a#b"),
                .endOfFile,
            ])
    }

    @Test func stringEscapesAndRegexSlashes() {
        let list = tokens(#"x "a\"b\\c\n" /^1\/2\d$/"#)
        #expect(list[1].kind == .string("a\"b\\c\n"))
        #expect(list[2].kind == .regex(#"^1/2\d$"#))
    }

    @Test func crlfIsOneNewline() {
        let list = tokens("a\r\nb\rc")
        #expect(list.map { "\($0.location.line):\($0.location.column)" } == ["1:1", "1:2", "2:1", "2:2", "3:1", "3:2"])
    }

    @Test func unterminatedStringAndRegexAreReported() {
        let (_, diagnostics) = DialplanLexer(path: "f").tokenize("play \"abc\nmatch called /12\nx \"\\q\"")
        #expect(
            diagnostics.map(\.description) == [
                "f:1:6: unterminated string\n  hint: close it with \" on the same line",
                "f:2:14: unterminated regular expression\n  hint: close it with / on the same line; write \\/ for a slash inside it",
                "f:3:4: unknown escape '\\q' in string\n  hint: use \\\" \\\\ \\n or \\t",
            ])
    }
}
