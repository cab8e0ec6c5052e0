import Foundation
import Logging
import ServiceLifecycle

/// `--retention-days N`: once at start and then every hour, call records that ended more than N days
/// ago, and audit rows older than that, are deleted (issue 8). Without the setting nothing is deleted.
struct RecordRetention: Service {
    let store: CallRecordStore
    let days: Int
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let cutoff = Date().addingTimeInterval(-Double(days) * 86_400)
                do {
                    let deleted = try await store.prune(endedBefore: cutoff)
                    if deleted.calls + deleted.audit > 0 {
                        logger.info(
                            "records past retention deleted",
                            metadata: ["calls": "\(deleted.calls)", "audit": "\(deleted.audit)", "retentionDays": "\(days)"])
                    }
                } catch {
                    logger.error("retention: deleting old records failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
