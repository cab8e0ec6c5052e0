import NIOConcurrencyHelpers
import NIOCore

/// What one connection still has to send. Control messages (text) keep their order and are
/// never dropped; media frames (binary) sit in a bounded queue whose oldest frame is dropped and
/// counted when a new one arrives and it is full, so a slow receiver falls behind alone and the
/// sender never waits. Too many unsent control messages mean a reader that stopped reading: the
/// connection is then closed (1008) rather than letting memory grow.
public final class WebSocketOutbox: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Media frames waiting at most; about a second of 20 ms audio from a few speakers.
        public var frames = 128
        /// Control messages waiting at most before the connection is given up.
        public var controlMessages = 1024

        public init(frames: Int = 128, controlMessages: Int = 1024) {
            self.frames = frames
            self.controlMessages = controlMessages
        }
    }

    enum Item: Sendable {
        case text(String)
        case binary(ByteBuffer)
        case pong(ByteBuffer)
        case close(WebSocketClose)
    }

    private struct State {
        var control: CircularBuffer<Item> = []
        var frames: CircularBuffer<ByteBuffer> = []
        var closing: WebSocketClose?
        var finished = false
        var droppedFrames = 0
        var sentFrames = 0
    }

    public let limits: Limits
    private let state = NIOLockedValueBox(State())
    private let wake: AsyncStream<Void>.Continuation
    let wakeups: AsyncStream<Void>

    public init(limits: Limits = Limits()) {
        self.limits = limits
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a control message; false once the connection is closing.
    @discardableResult
    public func send(text: String) -> Bool {
        let accepted = state.withLockedValue { state -> Bool in
            guard state.closing == nil, !state.finished else { return false }
            if state.control.count >= limits.controlMessages {
                state.closing = WebSocketClose(
                    code: WebSocketClose.policyViolation, reason: "too many unread control messages (\(limits.controlMessages))")
                return false
            }
            state.control.append(.text(text))
            return true
        }
        wake.yield()
        return accepted
    }

    /// Queues a media frame, dropping the oldest waiting one when the queue is full.
    public func send(frame: ByteBuffer) {
        state.withLockedValue { state in
            guard state.closing == nil, !state.finished else { return }
            if state.frames.count >= limits.frames {
                state.frames.removeFirst()
                state.droppedFrames += 1
            }
            state.frames.append(frame)
        }
        wake.yield()
    }

    func sendPong(_ data: ByteBuffer) {
        state.withLockedValue { state in
            guard state.closing == nil, !state.finished else { return }
            state.control.append(.pong(data))
        }
        wake.yield()
    }

    /// Sends what control messages are queued, then the close frame; frames still waiting are
    /// dropped. The first close wins.
    public func close(_ close: WebSocketClose) {
        state.withLockedValue { state in
            if state.closing == nil, !state.finished { state.closing = close }
        }
        wake.yield()
    }

    /// Media frames dropped because this receiver fell behind.
    public var droppedFrames: Int { state.withLockedValue { $0.droppedFrames } }
    /// Media frames handed to the socket.
    public var sentFrames: Int { state.withLockedValue { $0.sentFrames } }
    /// The close this side asked for, if any.
    public var closeRequested: WebSocketClose? { state.withLockedValue { $0.closing } }

    /// Everything to write now, control first; ends with `.close` once closing.
    func drain() -> [Item] {
        state.withLockedValue { state in
            guard !state.finished else { return [] }
            var items = Array(state.control)
            state.control.removeAll()
            if let closing = state.closing {
                state.frames.removeAll()
                state.finished = true
                items.append(.close(closing))
            } else {
                items.append(contentsOf: state.frames.lazy.map { .binary($0) })
                state.sentFrames += state.frames.count
                state.frames.removeAll()
            }
            return items
        }
    }

    /// The connection is gone: nothing more is queued, and the writer stops.
    func finish() {
        state.withLockedValue { $0.finished = true }
        wake.finish()
    }
}
