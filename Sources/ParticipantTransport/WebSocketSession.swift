import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One open WebSocket connection, on either side: whole messages in, an outbox out.
///
/// Pings are answered, close frames echoed (RFC 6455 §5.5), text that is not UTF-8 closes with
/// 1007; frames larger than the limit are refused by NIO's decoder with 1009 before they are read.
public final class WebSocketSession: Sendable {
    typealias Channel = NIOAsyncChannel<WebSocketFrame, WebSocketFrame>

    /// What this side sends; shared with whoever produces messages for the connection.
    public let outbox: WebSocketOutbox
    /// The peer's address, for logs: `127.0.0.1:53124`.
    public let remoteAddress: String
    private let channel: Channel
    /// Clients mask every frame they send (§5.3); servers never do.
    private let masksFrames: Bool
    /// How long to wait for the peer's close after ours (§7.1.1), before dropping the TCP connection.
    private let closeTimeout: Duration

    init(channel: Channel, masksFrames: Bool, outboxLimits: WebSocketOutbox.Limits, closeTimeout: Duration = .seconds(2)) {
        self.channel = channel
        self.masksFrames = masksFrames
        self.outbox = WebSocketOutbox(limits: outboxLimits)
        self.remoteAddress = channel.channel.remoteAddress.map(Self.describe) ?? "unknown"
        self.closeTimeout = closeTimeout
    }

    private enum Role { case reader, writer, timer }

    /// Serves the connection until either side closes it: `onMessage` gets each message in order.
    /// Returns the close frame the peer sent, if it sent one.
    @discardableResult
    public func run(onMessage: @escaping @Sendable (WebSocketMessage) async -> Void) async -> WebSocketClose? {
        let received = NIOLockedValueBox<WebSocketClose?>(nil)
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Role.self) { group in
                    group.addTask { [self] in
                        try await write(to: outbound)
                        return .writer
                    }
                    group.addTask { [self] in
                        for try await frame in inbound {
                            if let close = try await read(frame, onMessage: onMessage) {
                                received.withLockedValue { $0 = close }
                                break
                            }
                        }
                        return .reader
                    }
                    // Whichever ends first, the other gets a bounded time to finish the closing
                    // handshake (our close frame out, or the peer's close frame in).
                    let first = try await group.next()
                    if first == .reader { outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "")) }
                    group.addTask { [closeTimeout] in
                        try? await Task.sleep(for: closeTimeout)
                        return .timer
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            // A reset connection or a protocol error NIO already answered: the session is over.
        }
        outbox.finish()
        return received.withLockedValue { $0 }
    }

    /// Handles one frame; returns the peer's close when it is one.
    private func read(_ frame: WebSocketFrame, onMessage: @Sendable (WebSocketMessage) async -> Void) async throws -> WebSocketClose? {
        switch frame.opcode {
        case .text:
            var data = frame.unmaskedData
            guard let bytes = data.readBytes(length: data.readableBytes), let text = String(validating: bytes, as: UTF8.self) else {
                outbox.close(WebSocketClose(code: 1007, reason: "text message is not UTF-8"))
                return nil
            }
            await onMessage(.text(text))
        case .binary:
            await onMessage(.binary(frame.unmaskedData))
        case .ping:
            outbox.sendPong(frame.unmaskedData)
        case .pong:
            break
        case .connectionClose:
            let close = WebSocketClose(payload: frame.unmaskedData)
            // §5.5.1: answer with a close frame, echoing the status code.
            let echo: UInt16 = close.code == 1005 ? WebSocketClose.normal : close.code
            outbox.close(WebSocketClose(code: echo, reason: ""))
            return close
        default:
            outbox.close(WebSocketClose(code: WebSocketClose.protocolError, reason: "unknown opcode"))
        }
        return nil
    }

    private func write(to outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws {
        for await _ in outbox.wakeups {
            for item in outbox.drain() {
                switch item {
                case .text(let text):
                    try await outbound.write(frame(.text, ByteBuffer(string: text)))
                case .binary(let bytes):
                    try await outbound.write(frame(.binary, bytes))
                case .pong(let data):
                    try await outbound.write(frame(.pong, data))
                case .close(let close):
                    try await outbound.write(frame(.connectionClose, close.payload(allocator: channel.channel.allocator)))
                    return
                }
            }
        }
    }

    private func frame(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: masksFrames ? .random() : nil, data: data)
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
