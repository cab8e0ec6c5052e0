import ControlAPI
import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Why the call-record store could not do its job, for the operator.
public enum CallRecordStoreError: Error, Sendable, CustomStringConvertible {
    /// The database could not be created, opened or migrated.
    case cannotOpen(path: String, reason: String)
    /// A write or read failed.
    case database(reason: String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open call records at \(path): \(reason)"
        case .database(let reason): "call records: \(reason)"
        case .closed: "call records: the store is closed"
        }
    }
}

/// The call records and audit trail in SQLite (`STATE/dialgate.sqlite`), written by group commit
/// (DESIGN.md §5).
///
/// ``record(_:)`` only enqueues: the latest version of each call waits in memory, and the flusher
/// (``run()``) writes everything pending in ONE transaction every ``Configuration/flushInterval``,
/// or as soon as ``Configuration/maxPending`` calls are waiting. So a burst of state changes costs
/// one fsync per batch, not one per change. ``flush()`` forces a batch and returns once it is
/// durable (`synchronous=FULL` in WAL mode: committed batches survive power loss).
///
/// Batches are taken from the pending set inside GRDB's serialized write access, so batches
/// commit in the order they were taken and an older version of a call never overwrites a newer one.
public final class CallRecordStore: Service, Sendable {
    /// Tuning of the group commit.
    public struct Configuration: Sendable {
        /// The longest a change waits in memory before its batch is written.
        public var flushInterval: Duration
        /// Write at once when this many calls (or audit entries) are waiting.
        public var maxPending: Int

        public init(flushInterval: Duration = .milliseconds(50), maxPending: Int = 256) {
            self.flushInterval = flushInterval
            self.maxPending = max(1, maxPending)
        }
    }

    /// The database file name inside the state directory.
    public static let fileName = "dialgate.sqlite"
    /// How long the flusher waits after a failed write before trying again.
    static let retryDelay = Duration.seconds(1)

    /// The database file.
    public let path: String
    /// How many calls were still live in the database when it was opened (a crash or kill), and
    /// were marked `interrupted`.
    public let interruptedOnOpen: Int
    public let configuration: Configuration

    let pool: DatabasePool
    private let pending = PendingBox()
    private let wake = WakeSignal()
    private let full = WakeSignal()
    private let clock: any Clock<Duration>
    private let now: @Sendable () -> Date
    private let logger: Logger

    /// Opens (or creates) `directory/dialgate.sqlite`, migrates it, and marks calls left live by a
    /// previous run as `interrupted` ("gateway restarted").
    ///
    /// - Parameters:
    ///   - clock: paces the flusher (tests pass a manual clock).
    ///   - now: wall-clock time, for crash recovery's `ended_at`.
    public init(
        directory: URL, configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "dialgate.records")
    ) throws(CallRecordStoreError) {
        let path = directory.appendingPathComponent(Self.fileName).path
        self.path = path
        self.configuration = configuration
        self.clock = clock
        self.now = now
        self.logger = logger
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let pool = try DatabasePool(path: path)
            // WAL is on (GRDB sets it), but GRDB's pool then sets synchronous=NORMAL, which may lose
            // the last commits on power loss. FULL makes every acknowledged batch durable.
            // synchronous is per connection: only the pool's single writer connection writes.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
            let recoveredAt = now()
            self.interruptedOnOpen = try pool.write { db in
                try Self.markInterrupted(db, at: recoveredAt)
            }
            self.pool = pool
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        if interruptedOnOpen > 0 {
            logger.warning(
                "marked calls left live by the previous run as interrupted",
                metadata: ["count": "\(interruptedOnOpen)"])
        }
    }

    /// Crash recovery (DESIGN.md §5): a call without `ended_at` was live when the gateway stopped.
    /// Its real end is unknown: `ended_at` is when the restart noticed, and the duration stays null.
    private static func markInterrupted(_ db: Database, at date: Date) throws -> Int {
        try CallRecord
            .filter(CallColumn.endedAt == nil)
            .updateAll(
                db,
                [
                    CallColumn.state.set(to: CallState.ended.rawValue),
                    CallColumn.outcome.set(to: CallOutcome.interrupted.rawValue),
                    CallColumn.endReason.set(to: "gateway restarted"),
                    CallColumn.endedAt.set(to: date),
                    CallColumn.durationSeconds.set(to: nil),
                ])
    }

    // MARK: Writing

    /// Enqueues the call's current state; cheap and non-blocking (a lock and a dictionary insert).
    /// A later record of the same call replaces an earlier one still pending.
    public func record(_ record: CallRecord) {
        let (count, wasEmpty, accepted) = pending.withLock { state in
            guard !state.closed else { return (0, false, false) }
            let wasEmpty = state.isEmpty
            state.calls[record.id] = record
            return (state.count, wasEmpty, true)
        }
        guard accepted else {
            logger.error("call record after close dropped", metadata: ["call": "\(record.id)"])
            return
        }
        signal(count: count, wasEmpty: wasEmpty)
    }

    /// Enqueues an audit entry; written with the next batch.
    public func audit(_ entry: AuditEntry) {
        let (count, wasEmpty, accepted) = pending.withLock { state in
            guard !state.closed else { return (0, false, false) }
            let wasEmpty = state.isEmpty
            state.audit.append(entry)
            return (state.count, wasEmpty, true)
        }
        guard accepted else {
            logger.error("audit entry after close dropped", metadata: ["kind": "\(entry.kind)"])
            return
        }
        signal(count: count, wasEmpty: wasEmpty)
    }

    private func signal(count: Int, wasEmpty: Bool) {
        if wasEmpty { wake.fire() }
        if count == configuration.maxPending { full.fire() }
    }

    /// Calls and audit entries waiting for the next batch.
    public var pendingCount: Int { pending.withLock { $0.count } }

    /// Batches committed since open (each is one transaction).
    public var committedBatches: Int { pending.withLock { $0.committedBatches } }

    /// Writes everything pending in one transaction and returns once it is committed (durable).
    /// Returns how many calls and audit entries were written.
    @discardableResult
    public func flush() async throws(CallRecordStoreError) -> Int {
        do {
            guard pendingCount > 0 else {
                // Nothing left to take, but the flusher may have taken the last batch and still be
                // committing it: wait behind it on the serial writer, so that a read after flush()
                // sees everything recorded before it. No empty transaction is opened for this.
                try await pool.writeWithoutTransaction { _ in }
                return 0
            }
            return try await pool.write { [pending] db in
                try Self.writeBatch(db, pending: pending)
            }
        } catch let error as CallRecordStoreError {
            throw error
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Runs inside the writer's transaction: takes the batch, writes it, and puts it back if the
    /// transaction fails (without overwriting newer versions recorded meanwhile).
    private static func writeBatch(_ db: Database, pending: PendingBox) throws -> Int {
        let batch = pending.withLock { $0.take() }
        guard !batch.isEmpty else { return 0 }
        do {
            for record in batch.calls.values {
                // One cached INSERT ... ON CONFLICT DO UPDATE per call. (GRDB's `save` ran an UPDATE
                // that missed, then an INSERT, for every new call, and built both through
                // PersistenceContainer; its `upsert` adds a RETURNING fetch.)
                try record.upsert(db)
                if let timeline = record.call.timeline {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO call_timelines (call_id, entries, omitted) VALUES (?, ?, ?)")
                        .execute(arguments: [record.id, TimelineJSON.encode(timeline), record.call.timelineOmitted ?? 0])
                }
            }
            for entry in batch.audit { try entry.insert(db) }
        } catch {
            pending.withLock { $0.restore(batch) }
            throw error
        }
        db.afterNextTransaction { _ in
            pending.withLock { $0.committedBatches += 1 }
        } onRollback: { _ in
            pending.withLock { $0.restore(batch) }
        }
        return batch.count
    }

    /// The flusher. Ends on task cancellation or graceful shutdown, after a final flush; put the
    /// store early in the ServiceGroup so it stops after the services that record calls.
    public func run() async {
        await cancelWhenGracefulShutdown { [self] in
            await flushLoop()
        }
        // The final flush runs in a fresh task: this one is cancelled, and GRDB's async accesses
        // refuse to start in a cancelled task.
        let final = Task { [self] in try await flush() }
        do {
            _ = try await final.value
        } catch {
            logger.error("final flush of call records failed", metadata: ["error": "\(error)"])
        }
    }

    private func flushLoop() async {
        while !Task.isCancelled {
            await wake.wait()
            if Task.isCancelled { return }
            if pendingCount < configuration.maxPending {
                // The batching window: wait for the interval, or until enough calls are waiting.
                await withTaskGroup(of: Void.self) { [clock, full, configuration] group in
                    group.addTask { try? await clock.sleep(for: configuration.flushInterval) }
                    group.addTask { await full.wait() }
                    await group.next()
                    group.cancelAll()
                }
            }
            if Task.isCancelled { return }
            full.reset()
            do {
                try await flush()
            } catch {
                logger.error("writing call records failed; will retry", metadata: ["error": "\(error)"])
                try? await clock.sleep(for: Self.retryDelay)
            }
            if pendingCount > 0 { wake.fire() }
        }
    }

    /// Flushes, stops accepting records and closes the database.
    public func close() async throws(CallRecordStoreError) {
        try await flush()
        pending.withLock { $0.closed = true }
        // Anything recorded between the flush and the close above.
        try await flush()
        do {
            try pool.close()
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    // MARK: Reading

    /// Call records, newest first, filtered by the query. Reads committed data only: pending
    /// changes are not visible until their batch is written.
    public func history(_ query: HistoryQuery) async throws(CallRecordStoreError) -> [CallRecord] {
        var request = CallRecord.all()
        if let caller = query.caller { request = request.filter(CallColumn.caller == caller) }
        if let called = query.called { request = request.filter(CallColumn.called == called) }
        if let outcome = query.outcome { request = request.filter(CallColumn.outcome == outcome.rawValue) }
        if let meeting = query.meeting { request = request.filter(CallColumn.meeting == meeting) }
        if let since = query.since { request = request.filter(CallColumn.startedAt >= since) }
        if let until = query.until { request = request.filter(CallColumn.startedAt < until) }
        let final = request.order(CallColumn.startedAt.desc, CallColumn.id.desc).limit(query.limit, offset: query.offset)
        do {
            return try await pool.read { db in try final.fetchAll(db) }
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Retention (`--retention-days`): deletes the records of calls that ended before `cutoff`, and
    /// audit rows written before it. Live calls (no end yet) and `interrupted` ones still being
    /// looked at are kept only by their end time like any other. Returns (calls, audit rows) deleted.
    @discardableResult
    public func prune(endedBefore cutoff: Date) async throws(CallRecordStoreError) -> (calls: Int, audit: Int) {
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM calls WHERE ended_at IS NOT NULL AND ended_at < ?", arguments: [cutoff])
                let calls = db.changesCount
                try db.execute(sql: "DELETE FROM audit WHERE at < ?", arguments: [cutoff])
                return (calls, db.changesCount)
            }
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// A meeting's audit trail, newest first, at most `limit` rows (committed ones: flush first).
    public func audit(meetingID: String, limit: Int = 50) async throws(CallRecordStoreError) -> [AuditEntry] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT at, call_id, meeting_id, kind, detail FROM audit WHERE meeting_id = ? ORDER BY at DESC, id DESC LIMIT ?",
                    arguments: [meetingID, limit]
                ).map { row in
                    AuditEntry(
                        at: row["at"], callID: row["call_id"], meetingID: row["meeting_id"], kind: row["kind"], detail: row["detail"])
                }
            }
        } catch {
            throw .database(reason: "\(error)")
        }
    }

    /// Timelines as the control API writes them (ISO 8601 instants with milliseconds), as readable
    /// with `sqlite3` as the other columns; written by ``TimelineJSON`` (the encoder's bytes).
    static let timelineDecoder = ControlWire.makeDecoder()

    /// One call's record, with its timeline once the call has ended: the pending version if there
    /// is one, else the committed row.
    public func record(id: String) async throws(CallRecordStoreError) -> CallRecord? {
        if let pendingRecord = pending.withLock({ $0.calls[id] }) { return pendingRecord }
        do {
            return try await pool.read { db in
                guard var record = try CallRecord.fetchOne(db, key: id) else { return nil }
                if let row = try Row.fetchOne(db, sql: "SELECT entries, omitted FROM call_timelines WHERE call_id = ?", arguments: [id]) {
                    let entries: Data = row["entries"]
                    record.call.timeline = try Self.timelineDecoder.decode([CallTimelineEntry].self, from: entries)
                    record.call.timelineOmitted = row["omitted"]
                }
                return record
            }
        } catch {
            throw .database(reason: "\(error)")
        }
    }
}
