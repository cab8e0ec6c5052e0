import ControlAPI
import Foundation
import GRDB
import Testing

@testable import Gateway

/// The batch writer's one statement per call (`INSERT ... ON CONFLICT(id) DO UPDATE`).
@Suite struct RecordsUpsertTests {
    private func rows(_ store: CallRecordStore, id: String) throws -> [Row] {
        try store.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM calls WHERE id = ?", arguments: [id]) }
    }

    @Test func insertThenUpdateInLaterBatchesKeepsOneRowWithTheNewValues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        var record = RecordFixtures.call("c1", state: .ringing)
        record.call.timeline = [CallTimelineEntry(at: RecordFixtures.base, kind: "received", text: "INVITE")]
        store.record(record)
        #expect(try await store.flush() == 1)
        #expect(try rows(store, id: "c1").first?["state"] == "ringing")

        record.call.state = .ended
        record.call.answeredAt = RecordFixtures.base.addingTimeInterval(2.0004)
        record.call.endedAt = RecordFixtures.base.addingTimeInterval(32.9996)
        record.call.durationSeconds = 31
        record.call.outcome = .completed
        record.call.hungUpBy = .caller
        record.call.endReason = "BYE from caller"
        record.call.meetingMode = "standard"
        record.call.quality = CallQualityFigures(
            packetsReceived: 1500, packetsSent: 1499, lossPercent: 0.5, jitterMilliseconds: 3.25, roundTripMilliseconds: nil, mos: 4.3)
        record.call.policyDecision = "admit"
        record.call.timeline?.append(CallTimelineEntry(at: RecordFixtures.base.addingTimeInterval(32), kind: "received", text: "BYE"))
        record.call.timelineOmitted = 3
        store.record(record)
        #expect(try await store.flush() == 1)

        let stored = try rows(store, id: "c1")
        #expect(stored.count == 1)
        let row = try #require(stored.first)
        #expect(row["state"] == "ended")
        #expect(row["outcome"] == "completed")
        #expect(row["answered_at"] == "2026-11-26 19:46:21.000")
        #expect(row["ended_at"] == "2026-11-26 19:46:52.000", "rounded to the millisecond, as GRDB does")
        #expect(row["started_at"] == "2026-11-26 19:46:19.000")
        #expect(row["packets_received"] == 1500)
        #expect(row["rtt_ms"] as Double? == nil)
        // Read back, the record is the one written (dates at millisecond precision).
        var expected = record
        expected.call.answeredAt = RecordFixtures.base.addingTimeInterval(2)
        expected.call.endedAt = RecordFixtures.base.addingTimeInterval(33)
        #expect(try await store.record(id: "c1") == expected)
        try await store.close()
    }

    /// Two versions of the same call in one batch: the later one wins (the pending set keeps it).
    @Test func updateWithinOneBatchKeepsTheLatest() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        store.record(RecordFixtures.call("c1", state: .ringing))
        store.record(RecordFixtures.call("c1", outcome: .rejected))
        #expect(try await store.flush() == 1)
        let stored = try rows(store, id: "c1")
        #expect(stored.count == 1)
        #expect(stored.first?["outcome"] == "rejected")
        try await store.close()
    }

    /// GRDB's own persistence (`encode(to:)`, kept for `CallRecord: PersistableRecord`) and the
    /// upsert store the same values: both come from `databaseValue(_:)`.
    @Test func persistableRecordAndUpsertWriteTheSameRow() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        var record = RecordFixtures.call("viaGRDB", outcome: .completed)
        record.call.answeredAt = RecordFixtures.base.addingTimeInterval(0.9996)
        record.call.quality = CallQualityFigures(
            packetsReceived: 10, packetsSent: 9, lossPercent: 1, jitterMilliseconds: 2, roundTripMilliseconds: 40, mos: 4.1)
        var upserted = record
        upserted.call.id = "viaUpsert"
        try await store.pool.write { [record, upserted] db in
            try record.insert(db)
            try upserted.upsert(db)
        }
        let viaGRDB = try #require(try rows(store, id: "viaGRDB").first)
        let viaUpsert = try #require(try rows(store, id: "viaUpsert").first)
        #expect(viaGRDB.columnNames.count == CallColumn.allCases.count)
        for column in CallColumn.allCases where column != .id {
            #expect(viaGRDB[column.name] as DatabaseValue == viaUpsert[column.name] as DatabaseValue, "\(column.name)")
        }
        #expect(try await store.record(id: "viaUpsert")?.call.quality == record.call.quality)
        try await store.close()
    }
}
