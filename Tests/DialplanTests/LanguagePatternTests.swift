import Dialplan
import Testing

@Suite struct LanguagePatternTests {
    func pattern(_ text: String) throws -> NumberPattern {
        if text.hasPrefix("/") { return try NumberPattern.regex(String(text.dropFirst().dropLast())) }
        if text.hasPrefix("_") { return try NumberPattern.asterisk(text) }
        return NumberPattern.literal(text)
    }

    @Test(arguments: [
        ("_1NXXNXXXXXX", "12125551234", true),
        ("_1NXXNXXXXXX", "11125551234", false),
        ("_1NXXNXXXXXX", "1212555123", false),
        ("_1NXXNXXXXXX", "121255512345", false),
        ("_X.", "1", false),
        ("_X.", "12", true),
        ("_X.", "1234567890123", true),
        ("_X!", "1", true),
        ("_X!", "1abc", true),
        ("_X!", "", false),
        ("_!", "", true),
        ("_[1-5]XX", "599", true),
        ("_[1-5]XX", "699", false),
        ("_[135]X", "30", true),
        ("_[135]X", "20", false),
        ("_[1-35-7]", "6", true),
        ("_[1-35-7]", "4", false),
        ("_ZXX", "099", false),
        ("_ZXX", "199", true),
        ("_nxx", "299", true),
        ("_1-NXX-NXX-XXXX", "12125551234", true),
        ("_+4930X.", "+493012", true),
        ("_+4930X.", "4930123", false),
        ("_XXXXXXXXX*XXXX", "123456789*4321", true),
        ("_XXXX#", "1234#", true),
        ("_1.5", "15", false),
        ("_1.5", "1005", true),
        ("1000", "1000", true),
        ("1000", "10000", false),
        ("/[0-9]{9,11}\\*[0-9]{4,10}/", "123456789*4321", true),
        ("/[0-9]{9,11}\\*[0-9]{4,10}/", "x123456789*4321", false),
        ("/1000|1001/", "1001", true),
    ])
    func matches(_ text: String, _ number: String, _ expected: Bool) throws {
        #expect(try pattern(text).matches(number) == expected, "\(text) vs \(number)")
    }

    @Test func manyWildcardsStayLinear() throws {
        // Backtracking would take 2^40 steps here; the NFA takes 40 × 41.
        let p = try NumberPattern.asterisk("_" + String(repeating: ".", count: 40) + "5")
        #expect(!p.matches(String(repeating: "1", count: 60)))
        #expect(p.matches(String(repeating: "1", count: 59) + "5"))
    }

    @Test func regexNamedGroupsBecomeCaptures() throws {
        let p = try NumberPattern.regex("(?<meeting_id>[0-9]{9})\\*(?<passcode>[0-9]{4})")
        #expect(p.captures("123456789*4321") == ["meeting_id": "123456789", "passcode": "4321"])
        #expect(p.captures("12345678*4321") == nil)
        #expect(NumberPattern.groupNames("(?<a>x)(?:y)(?P<b>z)(?<=w)\\(?<c>") == ["a", "b"])
    }

    @Test(arguments: [
        ("_", 0, "empty pattern '_'"),
        ("_1[5-1]", 3, "range '5-1' runs backwards"),
        ("_1[23", 2, "'[' without a closing ']'"),
        ("_1[]", 2, "empty set '[]' matches nothing"),
        ("_12]", 3, "']' without an opening '['"),
        ("_1Q2", 2, "'Q' is not a pattern character"),
    ])
    func badPatterns(_ text: String, _ offset: Int, _ message: String) {
        #expect(throws: NumberPattern.Problem.self) { try NumberPattern.asterisk(text) }
        do {
            _ = try NumberPattern.asterisk(text)
        } catch {
            #expect(error.offset == offset)
            #expect(error.message == message)
        }
    }

    @Test func addressRanges() throws {
        let at = SourceLocation(file: "f", line: 1, column: 1)
        let loopback = try AddressRange.parse("127.0.0.0/8", at: at)
        #expect(loopback.contains([127, 1, 2, 3]))
        #expect(!loopback.contains([128, 0, 0, 1]))
        let v6 = try AddressRange.parse("::1", at: at)
        #expect(v6.prefixLength == 128)
        #expect(v6.contains(Array(repeating: 0, count: 15) + [1]))
        let doc = try AddressRange.parse("2001:db8::/32", at: at)
        #expect(doc.contains([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 7, count: 12)))
        #expect(!doc.contains([127, 0, 0, 1]))
        #expect(doc.description == "2001:db8::/32")
        #expect(try AddressRange.parse("1:0:0:2:0:0:0:3", at: at).description == "1:0:0:2::3/128")
        #expect(try AddressRange.parse("::", at: at).description == "::/128")
        for bad in ["1.2.3", "1.2.3.4/33", "1.2.3.256", "1::2::3", "12345::", "10.0.0.1/8", "::/129", "1.2.3.4/x"] {
            #expect(throws: NumberPattern.Problem.self, "\(bad)") { try AddressRange.parse(bad, at: at) }
        }
    }

    @Test func timeWindowsWrapPastMidnightOnTheirOwnDays() {
        let nights = TimeWindow(weekdays: Set(1...5), start: 18 * 60, end: 8 * 60)
        #expect(nights.contains(weekday: 1, minute: 3 * 60))
        #expect(nights.contains(weekday: 5, minute: 20 * 60))
        #expect(!nights.contains(weekday: 3, minute: 12 * 60))
        #expect(!nights.contains(weekday: 6, minute: 3 * 60))
        let days = TimeWindow(weekdays: [6, 7])
        #expect(days.contains(weekday: 7, minute: 0))
        #expect(!days.contains(weekday: 1, minute: 0))
    }
}
