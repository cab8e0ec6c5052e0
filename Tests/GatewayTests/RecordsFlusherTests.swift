import ControlAPI
import Foundation
import Testing

@testable import Gateway

@Suite(.timeLimit(.minutes(1))) struct RecordsFlusherTests {
    @Test func fullBatchIsWrittenWithoutWaitingForTheInterval() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        // An interval no test would wait for: only the maxPending trigger can cause the commit.
        let store = try RecordFixtures.open(directory, configuration: .init(flushInterval: .seconds(3600), maxPending: 10))
        let counter = CommitCounter()
        store.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let flusher = Task { await store.run() }

        for index in 0..<10 { store.record(RecordFixtures.call("c\(index)")) }
        var commits = counter.commits.makeAsyncIterator()
        #expect(await commits.next() == 1)
        #expect(try await store.history(HistoryQuery()).count == 10)

        // Fewer than maxPending: they wait for the interval, and cancellation flushes them.
        store.record(RecordFixtures.call("c10"))
        store.record(RecordFixtures.call("c11"))
        flusher.cancel()
        await flusher.value
        #expect(try await store.history(HistoryQuery()).count == 12)
        #expect(store.pendingCount == 0)
        try await store.close()
    }

    @Test func smallBatchIsWrittenAfterTheInterval() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try RecordFixtures.open(directory, configuration: .init(flushInterval: .zero, maxPending: 1000))
        let counter = CommitCounter()
        store.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        let flusher = Task { await store.run() }
        store.record(RecordFixtures.call("c1"))
        var commits = counter.commits.makeAsyncIterator()
        #expect(await commits.next() == 1)
        #expect(try await store.record(id: "c1") != nil)
        flusher.cancel()
        await flusher.value
        try await store.close()
    }
}
