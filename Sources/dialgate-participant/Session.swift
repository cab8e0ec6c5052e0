import Foundation
import Meetings
import ParticipantClient
import ParticipantTransport

/// One run of the client: serve the connection, print events, send audio once keyed, and leave after
/// the duration (or on SIGINT/SIGTERM).
struct Session {
    enum Outcome {
        case clean
        case failed(String)
    }

    /// How long the gateway has to close after `leave` before we close ourselves.
    static let leaveGrace: Duration = .seconds(3)

    let client: MeetingClient
    let signal: [Int16]?
    let duration: Duration?
    /// `--upgrade-after`: as the host, re-key a downgraded meeting to `e2ee` this long after joining.
    var upgradeAfter: Duration? = nil

    private enum Part: Sendable {
        case finished(Result<WebSocketClose?, ParticipantClientError>)
        case other
    }

    func run(printing output: EventOutput) async -> Outcome {
        let client = client
        let signals = SignalLeave(client: client)
        defer { signals.cancel() }
        let result: Result<WebSocketClose?, ParticipantClientError> = await withTaskGroup(of: Part.self) { group in
            group.addTask {
                do throws(ParticipantClientError) {
                    return .finished(.success(try await client.run()))
                } catch {
                    return .finished(.failure(error))
                }
            }
            group.addTask {
                for await event in client.events { output.event(event) }
                return .other
            }
            group.addTask { [signal] in
                try? await client.stream(signal ?? [])
                return .other
            }
            if let upgradeAfter {
                group.addTask {
                    guard await client.waitUntilJoined() else { return .other }
                    try? await Task.sleep(for: upgradeAfter)
                    await client.upgrade()
                    return .other
                }
            }
            if let duration {
                group.addTask {
                    guard await client.waitUntilJoined() else { return .other }
                    do {
                        try await Task.sleep(for: duration)
                        await client.leave()
                        try await Task.sleep(for: Self.leaveGrace)
                        await client.disconnect(reason: "the gateway did not close after leave")
                    } catch {}
                    return .other
                }
            }
            var result: Result<WebSocketClose?, ParticipantClientError> = .success(nil)
            while let part = await group.next() {
                if case .finished(let finished) = part {
                    result = finished
                    group.cancelAll()
                }
            }
            return result
        }
        output.statistics(await client.statistics)
        switch result {
        case .failure(let error):
            return .failed(error.description)
        case .success(let close):
            guard let close, close.code != WebSocketClose.normal else { return .clean }
            return .failed("the gateway closed the connection: \(close)")
        }
    }
}

/// Leaves cleanly on SIGINT and SIGTERM instead of dying with unfinished recordings.
final class SignalLeave {
    private let sources: [any DispatchSourceSignal]

    init(client: MeetingClient) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Task {
                    await client.leave()
                    try? await Task.sleep(for: Session.leaveGrace)
                    await client.disconnect(reason: "interrupted")
                }
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
