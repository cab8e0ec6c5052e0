import Dialplan
import Foundation
import TestSupport
import Testing

/// 5,000 seeded random and mutated plans through lexer, parser, loader and checker: nothing may
/// crash, and every diagnostic must point inside the text it is about.
@Suite struct LanguageFuzzTests {
    static let vocabulary = [
        "route", "trunk", "policy", "tier", "include", "set", "match", "called", "caller", "caller-name", "trunk", "header", "time",
        "any", "not", "answer", "ring", "early-media", "play", "tone", "pause", "collect", "lookup", "check-passcode", "join", "reject",
        "hangup", "goto", "echo", "tries", "retry-prompt", "on-failure", "prompt", "min", "max", "terminator", "first-digit-timeout",
        "from", "auth", "realm", "user", "password", "algorithms", "sha-256", "md5", "srtp", "optional", "codecs", "opus", "pcmu",
        "phone-join", "refuse", "lobby-timeout", "caller-id-display", "masked", "yes", "no", "allow", "deny", "reason", "q850", "sip",
        "role", "host", "muted", "name", "zone", "mon-fri", "09:00-17:00", "18:00-08:00", "welcome", "goodbye", "1000", "0", "-1",
        "99999999999999999999", "10s", "500ms", "2m", "0s", "_1NXXNXXXXXX", "_X.", "_[1-5]X!", "_[", "_]", "_", "_[9-1]",
        "127.0.0.0/8", "::1", "1.2.3.4/99", "fe80::1::", "$meeting_id", "${caller.masked}", "${", "$", "=", "{", "}", "{", "}",
        "\n", "\n", "\n", "\r\n", "\r", "#", "# comment\n", "\"", "\"text\"", "\"unterminated", "\"•••\"", "/", "/(?<id>[0-9]+)/",
        "/(/", "/[/", "/a{2,1}/", "/\\/", "\\", ",", "\t", "é", "•", "🙂", "\u{0}", "\u{FEFF}", "\u{2028}", "\u{301}",
    ]

    static func bundledTexts() -> [String] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let paths = ["default", "examples/after-hours", "examples/carrier-did", "examples/pbx-digest", "examples/shared-policy"]
        return paths.compactMap { try? String(contentsOf: repository.appendingPathComponent("dialplans/\($0).dialplan"), encoding: .utf8) }
    }

    static func randomText(_ g: inout SeededGenerator) -> String {
        let count = Int.random(in: 0...120, using: &g)
        var text = ""
        for _ in 0..<count {
            text += vocabulary.randomElement(using: &g) ?? ""
            if Bool.random(using: &g) { text += " " }
        }
        return text
    }

    static func mutate(_ base: String, _ g: inout SeededGenerator) -> String {
        var chars = Array(base)
        let edits = Int.random(in: 1...8, using: &g)
        for _ in 0..<edits {
            guard !chars.isEmpty else { break }
            let at = Int.random(in: 0..<chars.count, using: &g)
            switch Int.random(in: 0..<5, using: &g) {
            case 0: chars.remove(at: at)
            case 1: chars.insert(Array(vocabulary.randomElement(using: &g) ?? "x").first ?? "x", at: at)
            case 2: chars[at] = ["{", "}", "\"", "/", "#", "\n", "[", "=", "$", "9", "é"].randomElement(using: &g) ?? "x"
            case 3:
                // Cut a slice out: truncation, lost braces, lines joined.
                let end = min(chars.count, at + Int.random(in: 1...40, using: &g))
                chars.removeSubrange(at..<end)
            default:
                let word = Array(" " + (vocabulary.randomElement(using: &g) ?? "") + " ")
                chars.insert(contentsOf: word, at: at)
            }
        }
        return String(chars)
    }

    /// The lines of `text`, split as the lexer splits them.
    static func lines(_ text: String) -> [Int] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(\.count)
    }

    @Test func seededRandomAndMutatedPlansNeverCrashAndStayInBounds() {
        var g = SeededGenerator(seed: 0xD1A1_9A7E)
        let bases = Self.bundledTexts()
        #expect(bases.count == 5)
        let checker = DialplanChecker(knownPrompts: bundledPrompts)
        var withErrors = 0
        for round in 0..<5_000 {
            let text =
                round % 2 == 0 || bases.isEmpty
                ? Self.randomText(&g) : Self.mutate(bases[Int.random(in: 0..<bases.count, using: &g)], &g)
            let lineLengths = Self.lines(text)
            let result = checker.load([DialplanSource(path: "fuzz.dialplan", text: text)]) { _, _ in nil }
            if !result.diagnostics.isEmpty { withErrors += 1 }
            #expect(result.diagnostics.count <= DialplanLimits.maxDiagnostics + 1)
            for diagnostic in result.diagnostics {
                let location = diagnostic.location
                let inside =
                    location.file == "fuzz.dialplan" && location.line >= 1 && location.line <= lineLengths.count
                    && location.column >= 1 && location.column <= lineLengths[location.line - 1] + 1
                #expect(inside, "round \(round): \(diagnostic) outside the text:\n\(text)")
                if !inside { return }
            }
        }
        // The generator must actually produce broken plans, or this test tests nothing.
        #expect(withErrors > 4_000)
    }
}
