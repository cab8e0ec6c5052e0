import Foundation
import GRDB
import TestSupport
import Testing

@testable import Gateway

/// ``StorageDateText`` writes exactly GRDB's stored text (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), which GRDB
/// makes with DateFormatter and ICU: milliseconds rounded to the nearest, halves upwards (also
/// before 1970), carrying into the next second.
@Suite struct RecordsDateTextTests {
    private func expectSameAsGRDB(_ date: Date, sourceLocation: SourceLocation = #_sourceLocation) {
        let grdb = String.fromDatabaseValue(date.databaseValue)
        #expect(
            StorageDateText.string(date) == grdb, "\(date.timeIntervalSinceReferenceDate)", sourceLocation: sourceLocation)
        #expect(StorageDateText.databaseValue(date) == date.databaseValue, sourceLocation: sourceLocation)
    }

    @Test func edgeDatesMatchGRDB() {
        let seconds: [TimeInterval] = [
            0, 0.0004, 0.0005, 0.0009999, 0.9994, 0.9995, 0.9996, 0.99999999, 59.9996, -0.0001, -0.0005, -0.5, -0.9996,
            -1, -1.0001, -86_400.0001, 86_399.9999,
            // Exact halves of a millisecond (binary fractions): upwards, also before 1970.
            0.0625, 0.1875, -0.0625, -0.1875, -1.0625, -31_536_000.4375, 1_795_722_379.0005,
            951_782_400.9996,  // 2000-02-29
            1_709_164_799.9996,  // 2024-02-28T23:59:59.9996, the next is a leap day
            1_709_251_199.9995,  // 2024-02-29T23:59:59.9995
            4_107_542_399.9996,  // 2100-02-28T23:59:59.9996 (2100 is no leap year)
            1_795_722_379.123,  // RecordFixtures.base + .123
            -12_212_553_600,  // 1583-01-01, the first day written here
            -12_212_553_600.0001,  // the last one left to GRDB (ICU's Julian calendar is near)
            -12_219_292_800,  // 1582-10-15, Gregorian reform: GRDB's formatter
            253_402_300_799.999,  // 9999-12-31T23:59:59.999
            253_402_300_800,  // 10000-01-01: GRDB's formatter
        ]
        for value in seconds { expectSameAsGRDB(Date(timeIntervalSince1970: value)) }
        for value in [Double.nan, .infinity, -.infinity, 1e300] {
            expectSameAsGRDB(Date(timeIntervalSinceReferenceDate: value))
        }
    }

    /// Random dates from 1600 to 9999, and near the present with fractions just below and above a
    /// millisecond boundary (where truncation and rounding differ).
    @Test func randomDatesMatchGRDB() {
        var generator = SeededGenerator(seed: 0x6469_616c_6761_7465)
        for _ in 0..<20_000 {
            expectSameAsGRDB(Date(timeIntervalSince1970: Double.random(in: -11_676_096_000...253_402_300_799, using: &generator)))
        }
        let fractions: [Double] = [0, 0.000001, 0.0004999, 0.0005, 0.0005001, 0.0009999]
        for _ in 0..<5_000 {
            let millisecond = Double(Int64.random(in: -2_000_000_000_000...2_500_000_000_000, using: &generator)) / 1000
            for fraction in fractions { expectSameAsGRDB(Date(timeIntervalSince1970: millisecond + fraction)) }
        }
    }

    @Test func readsBackAsGRDBsText() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<1_000 {
            let date = Date(timeIntervalSince1970: Double.random(in: 0...4_000_000_000, using: &generator))
            #expect(Date.fromDatabaseValue(StorageDateText.databaseValue(date)) == Date.fromDatabaseValue(date.databaseValue))
        }
    }
}
