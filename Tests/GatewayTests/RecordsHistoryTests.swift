import ControlAPI
import Foundation
import Testing

@testable import Gateway

@Suite struct RecordsHistoryTests {
    /// c0 ... c9, one minute apart (c9 newest); callers alternate, outcomes cycle.
    private func seeded(_ directory: TemporaryDirectory) async throws -> CallRecordStore {
        let store = try RecordFixtures.open(directory)
        let outcomes: [CallOutcome] = [.completed, .rejected, .cancelled]
        for index in 0..<10 {
            store.record(
                RecordFixtures.call(
                    "c\(index)", caller: index.isMultiple(of: 2) ? "+49301" : "+49302",
                    called: index < 5 ? "1000" : "1001",
                    startedAt: RecordFixtures.base.addingTimeInterval(Double(index) * 60),
                    outcome: outcomes[index % 3]))
        }
        try await store.flush()
        return store
    }

    private func ids(_ store: CallRecordStore, _ query: HistoryQuery) async throws -> [String] {
        try await store.history(query).map(\.id)
    }

    @Test func newestFirstWithLimit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try await seeded(directory)
        #expect(try await ids(store, HistoryQuery(limit: 3)) == ["c9", "c8", "c7"])
        #expect(try await ids(store, HistoryQuery()).count == 10)
        try await store.close()
    }

    @Test func filters() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try await seeded(directory)
        #expect(try await ids(store, HistoryQuery(caller: "+49302")) == ["c9", "c7", "c5", "c3", "c1"])
        #expect(try await ids(store, HistoryQuery(called: "1000")) == ["c4", "c3", "c2", "c1", "c0"])
        #expect(try await ids(store, HistoryQuery(outcome: .rejected)) == ["c7", "c4", "c1"])
        #expect(try await ids(store, HistoryQuery(caller: "+49301", called: "1001")) == ["c8", "c6"])
        let since = RecordFixtures.base.addingTimeInterval(7 * 60)
        #expect(try await ids(store, HistoryQuery(since: since)) == ["c9", "c8", "c7"])
        let until = RecordFixtures.base.addingTimeInterval(2 * 60)
        #expect(try await ids(store, HistoryQuery(until: until)) == ["c1", "c0"])
        #expect(try await ids(store, HistoryQuery(since: until, until: since)) == ["c6", "c5", "c4", "c3", "c2"])
        #expect(try await ids(store, HistoryQuery(caller: "nobody")).isEmpty)
        try await store.close()
    }
}
