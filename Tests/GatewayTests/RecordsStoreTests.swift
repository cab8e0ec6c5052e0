import ControlAPI
import Foundation
import GRDB
import Testing

@testable import Gateway

@Suite struct RecordsStoreTests {
    @Test func migrationCreatesSchemaAndDurableSettings() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("dialgate.sqlite").path))
        try await store.pool.write { db in
            #expect(try db.tableExists("calls"))
            #expect(try db.tableExists("audit"))
            let columns = Set(try db.columns(in: "calls").map(\.name))
            for column in [
                "id", "sip_call_id", "caller", "started_at", "ended_at", "outcome", "end_reason",
                "policy_decision", "policy_reason", "packet_loss_percent", "jitter_ms", "rtt_ms", "mos",
            ] {
                #expect(columns.contains(column), "calls.\(column)")
            }
            #expect(try db.primaryKey("calls").columns == ["id"])
            let indexes = Set(try db.indexes(on: "calls").map(\.name))
            #expect(indexes.isSuperset(of: ["calls_started_at", "calls_caller"]))
            #expect(Set(try db.columns(in: "audit").map(\.name)) == ["id", "at", "call_id", "meeting_id", "kind", "detail"])
            // The writer connection: WAL, synchronous=FULL (2), not GRDB's NORMAL (1).
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        }
        let synchronous = try await store.pool.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(synchronous == 2)
        #expect(store.interruptedOnOpen == 0)
        try await store.close()
    }

    @Test func thousandUpdatesOfHundredCallsAreOneTransaction() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory, configuration: .init(maxPending: 256))
        let counter = CommitCounter()
        store.pool.add(transactionObserver: counter, extent: .databaseLifetime)

        for round in 0..<10 {
            for index in 0..<100 {
                var record = RecordFixtures.call(String(format: "c%05d", index))
                record.call.state = round == 9 ? .ended : .answered
                record.call.durationSeconds = Double(round)
                record.call.endReason = "round \(round)"
                store.record(record)
            }
        }
        #expect(store.pendingCount == 100)
        #expect(try await store.flush() == 100)
        #expect(store.pendingCount == 0)
        #expect(counter.committed == 1)
        #expect(store.committedBatches == 1)

        let rows = try await store.history(HistoryQuery(limit: 1000))
        #expect(rows.count == 100)
        #expect(rows.allSatisfy { $0.call.state == .ended && $0.call.durationSeconds == 9 && $0.call.endReason == "round 9" })
        // Nothing pending: a second flush writes nothing and commits nothing.
        #expect(try await store.flush() == 0)
        #expect(counter.committed == 1)
        try await store.close()
    }

    @Test func reopenMarksLiveCallsInterrupted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let first = try RecordFixtures.open(directory)
        first.record(RecordFixtures.call("live1", state: .ringing))
        first.record(RecordFixtures.call("live2", state: .inMeeting))
        let done = RecordFixtures.call("done", outcome: .completed)
        first.record(done)
        try await first.flush()
        // No close: the process "dies" here. A second open is what a restart sees.

        let second = try RecordFixtures.open(directory)
        #expect(second.interruptedOnOpen == 2)
        for id in ["live1", "live2"] {
            let record = try #require(try await second.record(id: id))
            #expect(record.call.outcome == .interrupted)
            #expect(record.call.endReason == "gateway restarted")
            #expect(record.call.state == .ended)
            #expect(record.call.endedAt == RecordFixtures.restart)
            #expect(record.call.durationSeconds == nil)
        }
        #expect(try await second.record(id: "done") == done)
        try await second.close()
        try await first.close()

        let third = try RecordFixtures.open(directory)
        #expect(third.interruptedOnOpen == 0)
        try await third.close()
    }

    @Test func flushedRecordsSurviveCloseAndReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        var record = RecordFixtures.call("c7f3a2", outcome: .refusedE2EE)
        record.call.answeredAt = RecordFixtures.base.addingTimeInterval(1.5)
        record.call.meeting = "4711"
        record.call.srtp = true
        record.call.policyDecision = "refused-e2ee"
        record.call.policyReason = "default policy: phones may not join e2ee meetings"
        store.record(record)
        store.audit(
            AuditEntry(
                at: RecordFixtures.base, callID: "c7f3a2", meetingID: "4711",
                kind: "policy.refuse", detail: "phone leg refused"))
        try await store.flush()
        try await store.close()

        let reopened = try RecordFixtures.open(directory)
        #expect(try await reopened.record(id: "c7f3a2") == record)
        let audit = try reopened.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT call_id, kind FROM audit")
        }
        #expect(audit.count == 1)
        #expect(audit.first?["kind"] == "policy.refuse")
        try await reopened.close()
    }

    @Test func closeFlushesPendingRecords() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        store.record(RecordFixtures.call("c1", outcome: .completed))
        try await store.close()
        store.record(RecordFixtures.call("late"))  // dropped, not a crash
        let reopened = try RecordFixtures.open(directory)
        #expect(try await reopened.record(id: "c1") != nil)
        #expect(try await reopened.record(id: "late") == nil)
        try await reopened.close()
    }

    @Test func recordByIDSeesPendingVersion() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        store.record(RecordFixtures.call("c1", state: .answered))
        #expect(try await store.record(id: "c1")?.call.state == .answered)
        #expect(try await store.history(HistoryQuery()).isEmpty)  // not committed yet
        #expect(try await store.record(id: "nope") == nil)
        try await store.close()
    }

    /// `--retention-days`: calls that ended before the cutoff and audit rows written before it go;
    /// later ones and live calls stay; history pages with `offset`.
    @Test func retentionDeletesOnlyWhatEndedBeforeTheCutoff() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory)
        let day: TimeInterval = 86_400
        store.record(RecordFixtures.call("old", startedAt: RecordFixtures.base.addingTimeInterval(-40 * day), outcome: .completed))
        store.record(RecordFixtures.call("recent", startedAt: RecordFixtures.base.addingTimeInterval(-2 * day), outcome: .rejected))
        store.record(RecordFixtures.call("live", startedAt: RecordFixtures.base.addingTimeInterval(-50 * day)))
        store.audit(
            AuditEntry(at: RecordFixtures.base.addingTimeInterval(-40 * day), meetingID: "123456789", kind: "policy.admit", detail: "old"))
        store.audit(AuditEntry(at: RecordFixtures.base, meetingID: "123456789", kind: "policy.admit", detail: "new"))
        _ = try await store.flush()

        let deleted = try await store.prune(endedBefore: RecordFixtures.base.addingTimeInterval(-30 * day))
        #expect(deleted.calls == 1 && deleted.audit == 1)
        let left = try await store.history(HistoryQuery(limit: 10)).map(\.call.id)
        #expect(Set(left) == ["recent", "live"], "a live call has no end: it stays")
        #expect(try await store.audit(meetingID: "123456789").map(\.detail) == ["new"])
        #expect(try await store.history(HistoryQuery(limit: 1, offset: 1)).map(\.call.id) == ["live"], "newest first, one skipped")
        var inMeeting = RecordFixtures.call("met", startedAt: RecordFixtures.base, outcome: .refusedE2EE)
        inMeeting.call.meeting = "123456789"
        store.record(inMeeting)
        _ = try await store.flush()
        #expect(try await store.history(HistoryQuery(meeting: "123456789")).map(\.call.id) == ["met"])
        try await store.close()
    }
}
