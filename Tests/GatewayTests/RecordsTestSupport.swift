import ControlAPI
import Foundation
import GRDB

@testable import Gateway

/// A fresh temporary state directory, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dgrec-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

enum RecordFixtures {
    /// 2026-11-26T19:46:19Z
    static let base = Date(timeIntervalSince1970: 1_795_722_379)
    static let restart = base.addingTimeInterval(86_400)

    static func call(
        _ id: String, caller: String = "+4930123456", called: String = "1000",
        startedAt: Date = base, state: CallState = .ringing, outcome: CallOutcome? = nil
    ) -> CallRecord {
        let ended = outcome != nil
        return CallRecord(
            call: CallSnapshot(
                id: id, sipCallID: "\(id)@pc33.example.com", caller: caller, callerName: "Alice",
                called: called, trunk: "loopback", route: called, state: ended ? .ended : state,
                transport: "udp", remote: "127.0.0.1:5070", codec: "PCMU", srtp: false, startedAt: startedAt,
                answeredAt: nil, endedAt: ended ? startedAt.addingTimeInterval(30) : nil,
                durationSeconds: ended ? 30 : nil, outcome: outcome,
                endReason: ended ? "BYE from caller" : nil, hungUpBy: ended ? .caller : nil))
    }

    static func open(
        _ directory: TemporaryDirectory,
        configuration: CallRecordStore.Configuration = .init()
    ) throws -> CallRecordStore {
        try CallRecordStore(directory: directory.url, configuration: configuration, now: { restart })
    }
}

/// Counts committed transactions on a database and reports each commit on a stream.
final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0  // guarded by lock
    let commits: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() {
        (commits, continuation) = AsyncStream.makeStream(of: Int.self)
    }

    var committed: Int { lock.withLock { count } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) {
        let value = lock.withLock {
            count += 1
            return count
        }
        continuation.yield(value)
    }
    func databaseDidRollback(_ db: Database) {}
}
