import Testing

@testable import Meetings

/// Names shown to everyone: no control, bidi or invisible characters; bounded.
@Suite struct DisplayNameTests {
    @Test(arguments: [
        ("Alice", "Alice"),
        ("  Alice   Smith  ", "Alice Smith"),
        ("Al\u{202E}ecila", "Alecila"),
        ("Bob\u{2066}\u{2069}\u{200B}\u{FEFF}", "Bob"),
        ("line\nbreak\r\nand\u{2028}separator", "line break and separator"),
        ("tab\there", "tab here"),
        ("bell\u{7}\u{1B}[31m", "bell[31m"),
        ("👩‍💻 Dev", "👩‍💻 Dev"),
        ("Zoë", "Zoë"),
        ("\u{0}\u{1}", ""),
    ])
    func sanitises(raw: String, expected: String) {
        #expect(DisplayName.sanitize(raw, maxCharacters: 64) == expected)
    }

    @Test func limitsLengthAndCombiningMarks() {
        #expect(DisplayName.sanitize(String(repeating: "ab ", count: 100), maxCharacters: 64).count == 64)
        let zalgo = "Z" + String(repeating: "\u{0301}", count: 200)
        let cleaned = DisplayName.sanitize(zalgo, maxCharacters: 64)
        #expect(cleaned.count == 1)
        #expect(cleaned.unicodeScalars.count == DisplayName.maxScalarsPerCharacter)
        #expect(DisplayName.sanitize("Alice Smith", maxCharacters: 6) == "Alice ", "a space may end a cut name")
    }
}
