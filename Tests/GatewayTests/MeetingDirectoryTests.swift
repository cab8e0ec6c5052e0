import Foundation
import GRDB
import TestSupport
import Testing

@testable import Gateway

@Suite struct MeetingDirectoryTests {
    /// A directory on a fresh store, with a fixed clock.
    private func withDirectory(
        generatePasscode: (@Sendable () -> String)? = nil,
        _ body: (MeetingDirectory, CallRecordStore, TemporaryDirectory) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        let meetings =
            if let generatePasscode {
                MeetingDirectory(store: store, now: { RecordFixtures.base }, generatePasscode: generatePasscode)
            } else {
                MeetingDirectory(store: store, now: { RecordFixtures.base })
            }
        do {
            try await body(meetings, store, directory)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test func migrationCreatesTheMeetingsTable() async throws {
        try await withDirectory { _, store, _ async throws in
            try await store.pool.read { db in
                #expect(try db.tableExists("meetings"))
                #expect(
                    Set(try db.columns(in: "meetings").map(\.name)) == [
                        "id", "passcode", "mode", "tier", "host", "created_at", "locked", "phones_wait_for_host", "host_signing_key",
                    ])
                #expect(try db.primaryKey("meetings").columns == ["id"])
                #expect(try db.primaryKey("meetings").rowIDColumn == nil)  // WITHOUT ROWID: one B-tree per lookup
                let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                #expect(applied.contains("v3: meetings"))
                #expect(applied.contains("v4: phones wait for host"))
            }
        }
    }

    @Test func createThenLookUpAndList() async throws {
        try await withDirectory { meetings, _, _ async throws in
            let created = try await meetings.create(id: "123456789", passcode: "2468", mode: .e2ee, tier: "paid", host: "  Alice  ")
            #expect(
                created
                    == MeetingRecord(
                        id: "123456789", passcode: "2468", mode: .e2ee, tier: "paid", host: "Alice", createdAt: RecordFixtures.base,
                        locked: false))
            let plain = try await meetings.create(id: "05550001112")
            #expect(plain.mode == .standard)
            #expect(plain.tier == "free")
            #expect(plain.host == nil)
            #expect(plain.locked == false)

            #expect(try await meetings.meeting(id: "123456789") == created)
            #expect(try await meetings.meeting(id: "05550001112") == plain)
            #expect(try await meetings.meeting(id: "987654321") == nil)
            #expect(try await meetings.meeting(id: "not an id") == nil)
            // Same creation time: listed by ID.
            #expect(try await meetings.meetings() == [plain, created])
        }
    }

    @Test func listIsOldestFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        let clock = TestWallClock(RecordFixtures.base)
        let meetings = MeetingDirectory(store: store, now: { clock.now })
        _ = try await meetings.create(id: "900000000")
        clock.advance(by: 1.5)
        _ = try await meetings.create(id: "100000000")
        #expect(try await meetings.meetings().map(\.id) == ["900000000", "100000000"])
        #expect(try await meetings.meeting(id: "100000000")?.createdAt == RecordFixtures.base.addingTimeInterval(1.5))
        try await store.close()
    }

    @Test func theFreeTierCannotCreateE2EEMeetings() async throws {
        try await withDirectory { meetings, _, _ async throws in
            await #expect(throws: MeetingDirectoryError.e2eeNotAllowed(tier: "free")) {
                try await meetings.create(id: "123456789", passcode: "2222", mode: .e2ee)
            }
            #expect(MeetingDirectoryError.e2eeNotAllowed(tier: "free").description == "the free tier cannot create e2ee meetings")
            #expect(try await meetings.meetings().isEmpty)
            _ = try await meetings.create(id: "123456789", passcode: "2222", mode: .e2ee, tier: "nonprofit")
            _ = try await meetings.create(id: "1234567890", passcode: "2222", mode: .standard)
            #expect(try await meetings.meetings().count == 2)
        }
    }

    @Test func duplicateIDIsAnErrorAndKeepsTheFirstMeeting() async throws {
        try await withDirectory { meetings, _, _ async throws in
            let first = try await meetings.create(id: "123456789", passcode: "1111")
            await #expect(throws: MeetingDirectoryError.duplicateID("123456789")) {
                try await meetings.create(id: "123456789", passcode: "2222", mode: .e2ee, tier: "paid")
            }
            #expect(MeetingDirectoryError.duplicateID("123456789").description == "meeting 123456789 already exists")
            #expect(try await meetings.meeting(id: "123456789") == first)
            #expect(try await meetings.meetings().count == 1)
        }
    }

    @Test(arguments: [
        ("12345678", MeetingDirectoryError.invalidID("12345678")),  // 8 digits
        ("123456789012", .invalidID("123456789012")),  // 12 digits
        ("12345678a", .invalidID("12345678a")),
        ("", .invalidID("")),
        ("１２３４５６７８９", .invalidID("１２３４５６７８９")),  // full-width digits are not ASCII digits
        (" 123456789", .invalidID(" 123456789")),
    ])
    func badIDsAreRefused(id: String, error: MeetingDirectoryError) async throws {
        try await withDirectory { meetings, _, _ async throws in
            await #expect(throws: error) { try await meetings.create(id: id, passcode: "1234") }
            #expect(try await meetings.meetings().isEmpty)
        }
    }

    @Test(arguments: ["123", "12345678901", "12a4", "", "１２３４", "1234 "])
    func badPasscodesAreRefusedWithoutEchoingThem(passcode: String) async throws {
        try await withDirectory { meetings, _, _ async throws in
            await #expect(throws: MeetingDirectoryError.invalidPasscode) {
                try await meetings.create(id: "123456789", passcode: passcode)
            }
            #expect(MeetingDirectoryError.invalidPasscode.description == "passcode must be 4 to 10 digits")
        }
    }

    @Test func boundaryFormatsAreAccepted() async throws {
        try await withDirectory { meetings, _, _ async throws in
            _ = try await meetings.create(id: "000000000", passcode: "0000")
            _ = try await meetings.create(id: "99999999999", passcode: "9999999999")
            #expect(try await meetings.meetings().count == 2)
        }
    }

    @Test func badTiersAndHostsAreRefused() async throws {
        try await withDirectory { meetings, _, _ async throws in
            await #expect(throws: MeetingDirectoryError.invalidTier("")) { try await meetings.create(id: "123456789", tier: "") }
            await #expect(throws: MeetingDirectoryError.invalidTier("Paid")) { try await meetings.create(id: "123456789", tier: "Paid") }
            let long = String(repeating: "x", count: 33)
            await #expect(throws: MeetingDirectoryError.invalidTier(long)) { try await meetings.create(id: "123456789", tier: long) }
            await #expect(throws: MeetingDirectoryError.invalidHost(reason: "must not be empty")) {
                try await meetings.create(id: "123456789", host: "   ")
            }
            await #expect(throws: MeetingDirectoryError.invalidHost(reason: "must not contain control characters")) {
                try await meetings.create(id: "123456789", host: "Alice\u{1b}[31m")
            }
            await #expect(throws: MeetingDirectoryError.invalidHost(reason: "must be at most 100 characters")) {
                try await meetings.create(id: "123456789", host: String(repeating: "a", count: 101))
            }
            #expect(try await meetings.meetings().isEmpty)
            _ = try await meetings.create(id: "123456789", tier: "non-profit_2.0", host: "Zoë Ünal")
        }
    }

    @Test func missingPasscodeIsSixRandomDigits() async throws {
        try await withDirectory { meetings, _, _ async throws in
            var passcodes: Set<String> = []
            for index in 0..<20 {
                let meeting = try await meetings.create(id: String(100_000_000 + index))
                #expect(meeting.passcode.count == 6)
                #expect(meeting.passcode.allSatisfy { $0.isASCII && $0.isNumber })
                #expect(try await meetings.meeting(id: meeting.id)?.passcode == meeting.passcode)
                passcodes.insert(meeting.passcode)
            }
            // 20 draws from a million: a repeat is possible but all-equal would mean no randomness.
            #expect(passcodes.count > 1)
        }
    }

    @Test func passcodeGeneratorIsInjected() async throws {
        try await withDirectory(generatePasscode: { "013579" }) { meetings, _, _ async throws in
            #expect(try await meetings.create(id: "123456789").passcode == "013579")
            // A given passcode wins over the generator.
            #expect(try await meetings.create(id: "123456780", passcode: "8642").passcode == "8642")
        }
    }

    @Test func randomPasscodeKeepsLeadingZerosAndUsesEveryDigit() {
        var generator = SeededGenerator(seed: 42)
        var digits: Set<Character> = []
        for _ in 0..<200 {
            let passcode = MeetingDirectory.randomPasscode(using: &generator)
            #expect(passcode.count == MeetingRecord.generatedPasscodeLength)
            #expect(MeetingRecord.isValidPasscode(passcode))
            digits.formUnion(passcode)
        }
        #expect(digits == Set("0123456789"))
        var again = SeededGenerator(seed: 42)
        var first = SeededGenerator(seed: 42)
        #expect(MeetingDirectory.randomPasscode(using: &again) == MeetingDirectory.randomPasscode(using: &first))
    }

    @Test func meetingsSurviveReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        let created = try await MeetingDirectory(store: store, now: { RecordFixtures.base })
            .create(id: "123456789", passcode: "2468", mode: .e2ee, tier: "enterprise", host: "Alice")
        try await store.close()

        let reopened = try RecordFixtures.open(directory)
        #expect(try await MeetingDirectory(store: reopened).meeting(id: "123456789") == created)
        try await reopened.close()
    }

    @Test func concurrentCreatesOfOneIDLetExactlyOneWin() async throws {
        try await withDirectory { meetings, _, _ async throws in
            let results = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        (try? await meetings.create(id: "123456789", passcode: String(1000 + index))) != nil
                    }
                    group.addTask {
                        (try? await meetings.create(id: String(200_000_000 + index))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 17)
            #expect(try await meetings.meetings().count == 17)
        }
    }

    @Test func aRowWithAnUnknownModeIsAnErrorNotAGuess() async throws {
        try await withDirectory { meetings, store, _ async throws in
            try await store.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO meetings (id, passcode, mode, created_at)
                        VALUES ('123456789', '1234', 'hybrid', '2026-11-26 19:46:19.000')
                        """)
            }
            await #expect(throws: MeetingDirectoryError.database(reason: "meeting 123456789 has unknown mode 'hybrid'")) {
                try await meetings.meeting(id: "123456789")
            }
            let row = try store.pool.read { db in try Row.fetchOne(db, sql: "SELECT tier, locked FROM meetings") }
            #expect(row?["tier"] == "free")
            #expect(row?["locked"] == false)
        }
    }

    @Test func closedStoreIsADatabaseError() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        let meetings = MeetingDirectory(store: store)
        try await store.close()
        do {
            _ = try await meetings.meeting(id: "123456789")
            Issue.record("a closed database answered")
        } catch {
            #expect(!error.isRequestError)
            #expect(error.description.hasPrefix("meeting directory: "))
        }
    }
}

/// A wall clock a test moves by hand.
final class TestWallClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date  // guarded by lock

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }

    func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}
