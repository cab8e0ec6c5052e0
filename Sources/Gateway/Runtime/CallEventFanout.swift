import Calls
import ControlAPI
import NIOConcurrencyHelpers

/// Sends each call event to the call records (group-committed) and to every control-API watcher.
final class CallEventFanout: CallEventSink {
    private let store: CallRecordStore
    private let metrics: GatewayMetrics?
    private let watchers = NIOLockedValueBox<[Int: AsyncStream<ControlEvent>.Continuation]>([:])
    private let nextWatcher = NIOLockedValueBox(0)

    init(store: CallRecordStore, metrics: GatewayMetrics? = nil) {
        self.store = store
        self.metrics = metrics
    }

    func callEvent(_ event: CallEvent, clock: WallClockMapping) {
        // The timeline is written once, with the call's end: `call ID` of a live call reads it
        // from the user agent, and updates (and watchers' events) stay small.
        var snapshot = CallSnapshot(event.call, clock: clock, withTimeline: event.kind == .ended)
        store.record(CallRecord(call: snapshot))
        snapshot.timeline = nil
        snapshot.timelineOmitted = nil
        metrics?.callEvent(event)
        let controlEvent = ControlEvent(kind: ControlEvent.Kind(event.kind), call: snapshot)
        for continuation in watchers.withLockedValue({ Array($0.values) }) {
            continuation.yield(controlEvent)
        }
    }

    func audit(_ entry: AuditEntry) {
        store.audit(entry)
        metrics?.audited(kind: entry.kind)
    }

    /// A stream of events for one watcher; it ends its subscription by dropping the stream.
    func subscribe() -> AsyncStream<ControlEvent> {
        let id = nextWatcher.withLockedValue { value in
            value += 1
            return value
        }
        // A slow watcher must not make the gateway buffer without bound.
        let (stream, continuation) = AsyncStream<ControlEvent>.makeStream(bufferingPolicy: .bufferingNewest(1024))
        continuation.onTermination = { [weak self] _ in
            _ = self?.watchers.withLockedValue { $0.removeValue(forKey: id) }
        }
        watchers.withLockedValue { $0[id] = continuation }
        return stream
    }
}

extension ControlEvent.Kind {
    init(_ kind: CallEvent.Kind) {
        switch kind {
        case .started: self = .callStarted
        case .updated: self = .callUpdated
        case .ended: self = .callEnded
        }
    }
}
