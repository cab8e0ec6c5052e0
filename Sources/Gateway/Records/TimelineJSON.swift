import ControlAPI
import Foundation

/// A call's timeline as `ControlWire.makeEncoder()` writes it (compact, sorted keys, slashes not
/// escaped, ISO 8601 instants with milliseconds), byte for byte, without JSONEncoder.
///
/// JSONEncoder and `Date.ISO8601FormatStyle` took about a fifth of the records writer at 1,000
/// calls/s. `RecordsTimelineJSONTests` compares this output with the encoder's.
enum TimelineJSON {
    static func encode(_ entries: [CallTimelineEntry]) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 96)
        out.append(UInt8(ascii: "["))
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            // Sorted keys: at, kind, location (absent when nil), text.
            out.append(contentsOf: #"{"at":""#.utf8)
            appendISO8601(entry.at, to: &out)
            out.append(contentsOf: #"","kind":"#.utf8)
            appendString(entry.kind, to: &out)
            if let location = entry.location {
                out.append(contentsOf: #","location":"#.utf8)
                appendString(location, to: &out)
            }
            out.append(contentsOf: #","text":"#.utf8)
            appendString(entry.text, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    /// RFC 8259 §7 as JSONEncoder does it: `"` and `\` escaped, control characters as `\b`, `\f`,
    /// `\n`, `\r`, `\t` or `\u00XX`; everything else (slashes, DEL, non-ASCII) as UTF-8.
    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped = byte
            case 0x08: escaped = UInt8(ascii: "b")
            case 0x0C: escaped = UInt8(ascii: "f")
            case 0x0A: escaped = UInt8(ascii: "n")
            case 0x0D: escaped = UInt8(ascii: "r")
            case 0x09: escaped = UInt8(ascii: "t")
            case 0..<0x20: escaped = UInt8(ascii: "u")
            default:
                out.append(byte)
                continue
            }
            out.append(UInt8(ascii: "\\"))
            out.append(escaped)
            if escaped == UInt8(ascii: "u") {
                // `\u00XX`, lower-case hex as JSONEncoder writes it.
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// `ControlWire.formatISO8601`: `2026-11-26T19:46:19.123Z`. This toolchain's ISO8601FormatStyle
    /// takes the nanoseconds within the second (`Int(fraction * 1e9)`) and truncates them to
    /// milliseconds (`.0625` is `.062`; newer swift-foundation rounds: the equivalence test will
    /// say so when the toolchain changes, and this must then follow or go).
    static func appendISO8601(_ date: Date, to out: inout [UInt8]) {
        let interval = date.timeIntervalSinceReferenceDate
        let second = interval.rounded(.down)
        // 1583 to 9999 (as StorageDateText); anything else, NaN included, by Foundation.
        guard second >= -13_190_860_800, second < 252_423_993_600 else {
            out.append(contentsOf: ControlWire.formatISO8601(date).utf8)
            return
        }
        let nanosecond = Int((interval - second) * 1_000_000_000)
        let millisecond = nanosecond / 1_000_000
        let (day, secondOfDay) = StorageDateText.floorDivide(Int64(second) + StorageDateText.referenceDateSince1970, 86_400)
        let (year, month, dayOfMonth) = StorageDateText.civil(daysSince1970: day)
        StorageDateText.appendDigits(year, 4, to: &out, then: UInt8(ascii: "-"))
        StorageDateText.appendDigits(month, 2, to: &out, then: UInt8(ascii: "-"))
        StorageDateText.appendDigits(dayOfMonth, 2, to: &out, then: UInt8(ascii: "T"))
        StorageDateText.appendDigits(secondOfDay / 3600, 2, to: &out, then: UInt8(ascii: ":"))
        StorageDateText.appendDigits(secondOfDay / 60 % 60, 2, to: &out, then: UInt8(ascii: ":"))
        StorageDateText.appendDigits(secondOfDay % 60, 2, to: &out, then: UInt8(ascii: "."))
        StorageDateText.appendDigits(Int64(millisecond), 3, to: &out, then: UInt8(ascii: "Z"))
    }
}
