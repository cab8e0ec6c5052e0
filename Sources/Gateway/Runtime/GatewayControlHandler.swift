import Calls
import ControlAPI
import Foundation

/// Answers control-API commands from the live gateway: live calls from the signalling loop,
/// finished ones from the call records.
struct GatewayControlHandler: ControlCommandHandler {
    let signalling: SignallingLoop
    let sip: SignallingService
    let store: CallRecordStore
    let events: CallEventFanout
    let version: String
    let startedAt: Date
    let controlSocket: String

    func handle(_ command: ControlCommand) async -> Result<ControlReplyPayload, ControlError> {
        do {
            switch command {
            case .status:
                let counters = try await signalling.counters().get()
                let listeners = sip.listeners + [GatewayStatus.Listener(kind: "control", address: controlSocket)]
                return .success(
                    .status(
                        GatewayStatus(
                            version: version, startedAt: startedAt, uptimeSeconds: Date().timeIntervalSince(startedAt),
                            listeners: listeners, activeCalls: counters.active, totalCalls: counters.total, draining: counters.draining)))
            case .calls:
                let calls = try await signalling.calls().get()
                return .success(.calls(calls.map { CallSnapshot($0, clock: signalling.clock) }))
            case .call(let id):
                if let live = try await signalling.call(GatewayCallID(id)).get() {
                    return .success(.call(CallSnapshot(live, clock: signalling.clock)))
                }
                if let record = try await store.record(id: id) {
                    return .success(.call(record.call))
                }
                return .failure(.notFound(id))
            case .history(let query):
                // Records are group-committed; flush so that a call that just ended is listed.
                _ = try await store.flush()
                return .success(.history(try await store.history(query).map(\.call)))
            case .hangup(let id):
                guard try await signalling.hangup(GatewayCallID(id)).get() else { return .failure(.notFound(id)) }
                guard let call = try await signalling.call(GatewayCallID(id)).get() else {
                    // Unanswered calls end at once (a final response, no BYE to wait for).
                    _ = try await store.flush()
                    if let record = try await store.record(id: id) { return .success(.call(record.call)) }
                    return .failure(.notFound(id))
                }
                return .success(.call(CallSnapshot(call, clock: signalling.clock)))
            case .watchCalls:
                // The control server answers subscriptions itself (with `.calls` and
                // `callEvents()`); this only keeps the switch total for a direct caller.
                let calls = try await signalling.calls().get()
                return .success(.watching(calls.map { CallSnapshot($0, clock: signalling.clock) }))
            }
        } catch {
            return .failure(.internal("\(error)"))
        }
    }

    func callEvents() -> AsyncStream<ControlEvent> {
        events.subscribe()
    }
}
