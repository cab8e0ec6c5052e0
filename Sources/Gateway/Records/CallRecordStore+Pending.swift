import Foundation

extension CallRecordStore {
    /// What waits for the next batch.
    struct Pending: Sendable {
        /// The latest version of each changed call, by gateway call id.
        var calls: [String: CallRecord] = [:]
        var audit: [AuditEntry] = []
        var committedBatches = 0
        var closed = false

        var count: Int { calls.count + audit.count }
        var isEmpty: Bool { calls.isEmpty && audit.isEmpty }

        struct Batch: Sendable {
            var calls: [String: CallRecord]
            var audit: [AuditEntry]
            var count: Int { calls.count + audit.count }
            var isEmpty: Bool { calls.isEmpty && audit.isEmpty }
        }

        mutating func take() -> Batch {
            defer {
                calls = [:]
                audit = []
            }
            return Batch(calls: calls, audit: audit)
        }

        /// Puts a failed batch back; a call recorded again since the batch was taken keeps its newer version.
        mutating func restore(_ batch: Batch) {
            calls.merge(batch.calls) { newer, _ in newer }
            audit.insert(contentsOf: batch.audit, at: 0)
        }
    }

    /// The pending state behind a lock: `record(_:)` is called from event loops and must not wait.
    final class PendingBox: @unchecked Sendable {
        private let lock = NSLock()
        private var state = Pending()  // guarded by lock

        func withLock<Result>(_ body: (inout Pending) throws -> Result) rethrows -> Result {
            try lock.withLock { try body(&state) }
        }
    }
}
