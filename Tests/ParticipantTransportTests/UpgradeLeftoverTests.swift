import Crypto
import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import ParticipantTransport

/// A server that sends its first frame in the same TCP segment as its 101 answer: a busy gateway
/// refusing a connection does exactly that (the close follows the upgrade at once), and the client
/// must still read the frame. The server here is hand-made so the bytes always arrive together.
@Suite struct UpgradeLeftoverTests {
    @Test func frameInTheSameSegmentAsThe101IsRead() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(UpgradeThenCloseHandler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)

        let client = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(port)/v1")
        let close = await client.run { _ in }
        #expect(close == WebSocketClose(code: 1013, reason: "busy"))
    }
}

/// Answers the first upgrade request with one write: the 101 and a close frame (RFC 6455 §5.5.1).
private final class UpgradeThenCloseHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var request = ""
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Whatever follows the answer is the client's close echo: the handshake is done.
        guard !answered else { return context.close(promise: nil) }
        var bytes = unwrapInboundIn(data)
        request += bytes.readString(length: bytes.readableBytes) ?? ""
        guard request.contains("\r\n\r\n") else { return }
        let key =
            request.split(separator: "\r\n")
            .first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) } ?? ""
        answered = true
        // §4.2.2: the accept value is base64(SHA-1(key + the protocol's GUID)).
        let digest = Insecure.SHA1.hash(data: Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        let accept = Data(digest).base64EncodedString()
        var out = context.channel.allocator.buffer(capacity: 256)
        out.writeString(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n")
        let reason = Array("busy".utf8)
        out.writeBytes([0x88, UInt8(2 + reason.count), 0x03, 0xF5] + reason)  // FIN|close, 1013 "busy"
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        // A client that missed the close never echoes it: end the connection anyway, so it fails, not hangs.
        context.eventLoop.scheduleTask(in: .seconds(2)) { [channel = context.channel] in channel.close(promise: nil) }
    }
}
