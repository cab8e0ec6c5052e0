import Foundation
import GRDB

/// The meeting directory: the meetings callers can join, in the state database beside the call
/// records (`STATE/dialgate.sqlite`, table `meetings`, schema v3).
///
/// Sendable and usable from any thread or task: every method is one database access through the
/// store's pool (WAL: reads run beside the writer and never wait for a call-records batch). A
/// lookup by ID is one primary-key read. Creating a meeting is written at once, not group-committed:
/// the operator's reply means the meeting is durable.
public final class MeetingDirectory: Sendable {
    private let pool: DatabasePool
    private let now: @Sendable () -> Date
    private let generatePasscode: @Sendable () -> String

    /// A directory on the store's database (the store's migrator creates the table).
    ///
    /// - Parameters:
    ///   - now: wall-clock time, for `createdAt`.
    ///   - generatePasscode: the passcode for a meeting created without one; by default
    ///     ``MeetingRecord/generatedPasscodeLength`` digits from `SystemRandomNumberGenerator`.
    public init(
        store: CallRecordStore,
        now: @escaping @Sendable () -> Date = { Date() },
        generatePasscode: @escaping @Sendable () -> String = { MeetingDirectory.randomPasscode() }
    ) {
        self.pool = store.pool
        self.now = now
        self.generatePasscode = generatePasscode
    }

    /// Creates a meeting. Formats are checked first (``MeetingDirectoryError/invalidID(_:)``, ...);
    /// an ID already in the directory is ``MeetingDirectoryError/duplicateID(_:)``. Without a
    /// passcode, one of ``MeetingRecord/generatedPasscodeLength`` random digits is made; the
    /// returned record carries it.
    public func create(
        id: String, passcode: String? = nil, mode: MeetingRecord.Mode = .standard, tier: String = MeetingRecord.defaultTier,
        host: String? = nil, phonesWaitForHost: Bool = false, hostSigningKey: [UInt8]? = nil, e2eeAllowed: Bool? = nil
    ) async throws(MeetingDirectoryError) -> MeetingRecord {
        guard MeetingRecord.isValidID(id) else { throw .invalidID(id) }
        if let passcode, !MeetingRecord.isValidPasscode(passcode) { throw .invalidPasscode }
        guard MeetingRecord.isValidTier(tier) else { throw .invalidTier(tier) }
        // The plan's policy (`e2ee-creation`) answers when the caller has it; the built-in rule otherwise.
        guard mode != .e2ee || (e2eeAllowed ?? !MeetingRecord.tiersWithoutE2EE.contains(tier)) else {
            throw .e2eeNotAllowed(tier: tier)
        }
        let host = try Self.checkedHost(host)
        let record = MeetingRecord(
            id: id, passcode: passcode ?? generatePasscode(), mode: mode, tier: tier, host: host, createdAt: now(),
            phonesWaitForHost: phonesWaitForHost, hostSigningKey: hostSigningKey)
        guard MeetingRecord.isValidPasscode(record.passcode) else {
            throw .database(reason: "the passcode generator made an invalid passcode")
        }
        do {
            try await pool.write { db in
                // The writer is serial, so check-then-insert cannot race another create.
                if try MeetingRecord.exists(db, key: id) { throw MeetingDirectoryError.duplicateID(id) }
                try record.insert(db)
            }
        } catch let error as MeetingDirectoryError {
            throw error
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            throw .duplicateID(id)
        } catch {
            throw .database(reason: "\(error)")
        }
        return record
    }

    /// The meeting with this ID, or nil. An ID of the wrong form is nil without a database access.
    public func meeting(id: String) async throws(MeetingDirectoryError) -> MeetingRecord? {
        guard MeetingRecord.isValidID(id) else { return nil }
        do {
            return try await pool.read { db in try MeetingRecord.fetchOne(db, key: id) }
        } catch let error as MeetingDirectoryError {
            throw error
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Sets the meeting's lock; returns the updated meeting, or nil when there is none.
    public func setLocked(id: String, _ locked: Bool) async throws(MeetingDirectoryError) -> MeetingRecord? {
        guard MeetingRecord.isValidID(id) else { return nil }
        do {
            return try await pool.write { db in
                guard var record = try MeetingRecord.fetchOne(db, key: id) else { return nil }
                record.locked = locked
                try record.update(db)
                return record
            }
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Pins the host key of a meeting that has none (the first host to join one made by
    /// dialgatectl); a key already there is never replaced.
    public func pinHostSigningKey(id: String, _ key: [UInt8]) async throws(MeetingDirectoryError) {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE meetings SET host_signing_key = ? WHERE id = ? AND host_signing_key IS NULL", arguments: [Data(key), id])
            }
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Every meeting, oldest first (ties by ID).
    public func meetings() async throws(MeetingDirectoryError) -> [MeetingRecord] {
        do {
            return try await pool.read { db in
                try MeetingRecord.order(MeetingColumn.createdAt, MeetingColumn.id).fetchAll(db)
            }
        } catch let error as MeetingDirectoryError {
            throw error
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// ``MeetingRecord/generatedPasscodeLength`` random decimal digits (leading zeros allowed).
    public static func randomPasscode(using generator: inout some RandomNumberGenerator) -> String {
        String((0..<MeetingRecord.generatedPasscodeLength).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// ``randomPasscode(using:)`` with `SystemRandomNumberGenerator` (the OS's cryptographic source).
    public static func randomPasscode() -> String {
        var generator = SystemRandomNumberGenerator()
        return randomPasscode(using: &generator)
    }

    /// A host name as stored: surrounding spaces trimmed; empty, over-long or with control
    /// characters (which would break tables and terminals) refused.
    private static func checkedHost(_ host: String?) throws(MeetingDirectoryError) -> String? {
        guard let host else { return nil }
        let trimmed = host.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidHost(reason: "must not be empty") }
        guard trimmed.count <= MeetingRecord.maxHostLength else {
            throw .invalidHost(reason: "must be at most \(MeetingRecord.maxHostLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
            throw .invalidHost(reason: "must not contain control characters")
        }
        return trimmed
    }
}
