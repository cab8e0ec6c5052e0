import Foundation
import GRDB

/// Dates as GRDB stores them (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), without Foundation's DateFormatter.
///
/// GRDB's `Date.databaseValue` formats through `DateFormatter` and ICU: about 15 % of the records
/// writer at 1,000 calls/s. This writes the same 23 bytes by arithmetic, so rows written before and
/// after read back alike (GRDB parses them). DateFormatter ROUNDS to the nearest millisecond, halves
/// upwards (also before 1970: -62.5 ms is -62), and may carry into the next second (`.9996` is
/// `.000` of the next): `floor(ms + 0.5)` of `(timeIntervalSinceReferenceDate + 978307200) * 1000`,
/// the same double arithmetic. `RecordsDateTextTests` pins this against GRDB's output.
enum StorageDateText {
    /// Seconds from 1970-01-01 to 2001-01-01 (`Date.timeIntervalBetween1970AndReferenceDate`).
    static let referenceDateSince1970: Int64 = 978_307_200
    /// ICU's calendar is Julian before 1582-10-15 and eras change at year 1: days (since 1970) from
    /// 1583-01-01 to 10000-01-01 are written here, anything else by GRDB's formatter.
    private static let firstDay: Int64 = -141_349
    private static let endDay: Int64 = 2_932_897

    /// GRDB's stored text of `date`.
    static func string(_ date: Date) -> String {
        let milliseconds = ((date.timeIntervalSinceReferenceDate + Double(referenceDateSince1970)) * 1000 + 0.5).rounded(.down)
        // ±2^53 ms: far beyond the days written here; also refuses NaN and infinities.
        guard abs(milliseconds) < 9e15 else { return fallback(date) }
        let total = Int64(milliseconds)
        let (day, millisecondOfDay) = floorDivide(total, 86_400_000)
        guard day >= firstDay, day < endDay else { return fallback(date) }
        let (year, month, dayOfMonth) = civil(daysSince1970: day)
        let second = millisecondOfDay / 1000
        var text: [UInt8] = []
        text.reserveCapacity(23)
        appendDigits(year, 4, to: &text, then: UInt8(ascii: "-"))
        appendDigits(month, 2, to: &text, then: UInt8(ascii: "-"))
        appendDigits(dayOfMonth, 2, to: &text, then: UInt8(ascii: " "))
        appendDigits(second / 3600, 2, to: &text, then: UInt8(ascii: ":"))
        appendDigits(second / 60 % 60, 2, to: &text, then: UInt8(ascii: ":"))
        appendDigits(second % 60, 2, to: &text, then: UInt8(ascii: "."))
        appendDigits(millisecondOfDay % 1000, 3, to: &text, then: nil)
        return String(decoding: text, as: UTF8.self)
    }

    /// `value` (not negative) as exactly `digits` decimal digits, zero-padded, then `separator`:
    /// the fields of both date texts the records write (this one and ``TimelineJSON``'s).
    static func appendDigits(_ value: Int64, _ digits: Int, to out: inout [UInt8], then separator: UInt8?) {
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value / divisor % 10))
            divisor /= 10
        }
        if let separator { out.append(separator) }
    }

    /// `string(date)` as a TEXT value, what `date.databaseValue` returns.
    static func databaseValue(_ date: Date) -> DatabaseValue { string(date).databaseValue }

    /// `Optional<Date>.databaseValue`: NULL for nil.
    static func databaseValue(_ date: Date?) -> DatabaseValue { date.map(databaseValue) ?? .null }

    private static func fallback(_ date: Date) -> String {
        String.fromDatabaseValue(date.databaseValue) ?? ""
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant, `civil_from_days`).
    static func civil(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
