import NIOCore
import NIOSSL
import SIP

/// One SIP stream connection (TCP, or TLS behind a `NIOSSLServerHandler`): frames messages by
/// Content-Length (RFC 3261 §18.3). A framing error is unrecoverable on a stream, so the connection is answered if possible and
/// closed (RFC 4475 §3.1.2.3, §3.3.9).
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let signalling: SignallingLoop
    private let transport: SIPTransport
    private var framer = SIPStreamFramer()
    private var peer: SIPPeer?
    private var connectionID: UInt64?
    /// Over TLS: whether the client's certificate has been looked at (once, before the first message).
    private var certificateChecked = false

    init(signalling: SignallingLoop, transport: SIPTransport) {
        self.signalling = signalling
        self.transport = transport
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let remote = context.channel.remoteAddress, let id = signalling.attachConnection(context.channel) else {
            signalling.logger.warning("security: connection refused", metadata: ["reason": "too many connections"])
            context.close(promise: nil)
            return
        }
        connectionID = id
        peer = SIPPeer(remote, transport: transport, connection: id)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let connectionID { signalling.detachConnection(connectionID) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let peer else { return }
        if transport == .tls, !certificateChecked, let connectionID {
            // Application data only flows after the handshake, so the peer's certificate is known
            // here. NIOSSL hands it over only when it verified against the trunk's authorities.
            certificateChecked = true
            if let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate {
                signalling.connectionAuthenticated(connectionID, certificate: "\(certificate)")
            }
        }
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let message = try framer.nextMessage() {
                signalling.receive(message, from: peer)
            }
        } catch {
            signalling.receiveMalformed(error, from: peer)
            // Let the error response go out first, then close.
            let channel = context.channel
            channel.eventLoop.execute { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if transport == .tls, !certificateChecked, error is NIOSSLError || error is BoringSSLError {
            // A failed handshake: a client certificate that does not verify, or no common TLS version.
            signalling.logger.warning(
                "security: TLS handshake failed", metadata: ["peer": "\(peer.map { "\($0)" } ?? "-")", "error": "\(error)"])
            signalling.metrics?.securityRejection(method: "TLS")
            context.close(promise: nil)
            return
        }
        signalling.logger.debug("stream error", metadata: ["error": "\(error)", "peer": "\(peer.map { "\($0)" } ?? "-")"])
        context.close(promise: nil)
    }
}
