import ControlAPI
import Foundation
import TestSupport
import Testing

@testable import Gateway

/// ``TimelineJSON`` writes the same bytes as `ControlWire.makeEncoder()`, so stored timelines do not
/// change with the writer.
@Suite struct RecordsTimelineJSONTests {
    private func expectSameAsEncoder(_ entries: [CallTimelineEntry], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try ControlWire.makeEncoder().encode(entries)
        let actual = TimelineJSON.encode(entries)
        #expect(
            actual == expected, "\(String(decoding: actual, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))",
            sourceLocation: sourceLocation)
    }

    @Test func realisticTimelineMatchesTheEncoder() throws {
        let start = RecordFixtures.base.addingTimeInterval(0.123)
        let entries = [
            CallTimelineEntry(at: start, kind: "received", text: "INVITE sip:1000@gw.example.com SIP/2.0"),
            CallTimelineEntry(at: start.addingTimeInterval(0.0004), kind: "sent", text: "100 Trying"),
            CallTimelineEntry(
                at: start.addingTimeInterval(0.0125), kind: "dialplan", text: "answer", location: "/etc/dialgate/dialplan:3:5"),
            CallTimelineEntry(at: start.addingTimeInterval(1.9996), kind: "digit", text: "4"),
            CallTimelineEntry(at: start.addingTimeInterval(2.5), kind: "policy", text: "admit: \"standard\" meeting, caller ••• 3456 ✓"),
            CallTimelineEntry(at: start.addingTimeInterval(31.0625), kind: "received", text: "BYE\r\n\tVia: SIP/2.0/UDP 10.0.0.1\\x"),
        ]
        try expectSameAsEncoder(entries)
        try expectSameAsEncoder([])
    }

    /// Every ASCII character (control characters, quote, backslash, slash, DEL) and some beyond.
    @Test func everyCharacterIsEscapedAsTheEncoderDoes() throws {
        var text = String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) })
        text += "é€😀\u{2028}\u{2029}\u{FEFF}\u{0085}"
        try expectSameAsEncoder([CallTimelineEntry(at: RecordFixtures.base, kind: text, text: text, location: text)])
    }

    /// Instants: random ones over two centuries and the millisecond edges (halves, ends of seconds).
    @Test func instantsMatchTheEncoder() throws {
        var generator = SeededGenerator(seed: 0x7469_6d65)
        var entries: [CallTimelineEntry] = []
        for value in [0, 0.0005, 0.0625, 0.9994, 0.9995, 0.9996, 0.99999, 59.9996, -0.0625, -0.9996, 1_795_722_379.9996] {
            entries.append(CallTimelineEntry(at: Date(timeIntervalSince1970: value), kind: "k", text: "t"))
        }
        for _ in 0..<5_000 {
            let second = Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator))
            let fraction = Double.random(in: 0..<1, using: &generator)
            let edge =
                Double(Int.random(in: 0..<1000, using: &generator)) / 1000
                + [0, 0.0004999, 0.0005, 0.0005001][Int.random(in: 0..<4, using: &generator)]
            entries.append(CallTimelineEntry(at: Date(timeIntervalSince1970: second + fraction), kind: "k", text: "t"))
            entries.append(CallTimelineEntry(at: Date(timeIntervalSince1970: second + edge), kind: "k", text: "t"))
        }
        for entry in entries { try expectSameAsEncoder([entry]) }
    }
}
