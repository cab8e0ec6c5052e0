import Foundation
import GRDB

/// Column names of the `meetings` table (schema v3, ``CallRecordStore/migrator``).
enum MeetingColumn {
    static let id = Column("id")
    static let passcode = Column("passcode")
    static let mode = Column("mode")
    static let tier = Column("tier")
    static let host = Column("host")
    static let createdAt = Column("created_at")
    static let locked = Column("locked")
    static let phonesWaitForHost = Column("phones_wait_for_host")
    static let hostSigningKey = Column("host_signing_key")
}

extension MeetingRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "meetings" }

    public init(row: Row) throws {
        let modeText: String = row[MeetingColumn.mode]
        guard let mode = Mode(rawValue: modeText) else {
            // Written by a newer gateway that knows more modes: refuse rather than guess.
            throw MeetingDirectoryError.database(reason: "meeting \(row[MeetingColumn.id] as String) has unknown mode '\(modeText)'")
        }
        self.init(
            id: row[MeetingColumn.id], passcode: row[MeetingColumn.passcode], mode: mode, tier: row[MeetingColumn.tier],
            host: row[MeetingColumn.host], createdAt: row[MeetingColumn.createdAt], locked: row[MeetingColumn.locked],
            phonesWaitForHost: row[MeetingColumn.phonesWaitForHost],
            hostSigningKey: (row[MeetingColumn.hostSigningKey] as Data?).map { Array($0) })
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[MeetingColumn.id] = id
        container[MeetingColumn.passcode] = passcode
        container[MeetingColumn.mode] = mode.rawValue
        container[MeetingColumn.tier] = tier
        container[MeetingColumn.host] = host
        container[MeetingColumn.createdAt] = createdAt
        container[MeetingColumn.locked] = locked
        container[MeetingColumn.phonesWaitForHost] = phonesWaitForHost
        container[MeetingColumn.hostSigningKey] = hostSigningKey.map { Data($0) }
    }
}
