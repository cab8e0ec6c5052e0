import NIOCore
import SIP

/// Reads SIP datagrams (RFC 3261 §18.3: one message per datagram, Content-Length optional).
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let signalling: SignallingLoop

    init(signalling: SignallingLoop) {
        self.signalling = signalling
    }

    func channelActive(context: ChannelHandlerContext) {
        signalling.attachDatagramChannel(context.channel)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let peer = SIPPeer(envelope.remoteAddress, transport: .udp) else { return }
        let bytes = Array(envelope.data.readableBytesView)
        // RFC 5626 §3.5.1 keep-alives (CRLF) over UDP are answered by nothing.
        guard bytes.contains(where: { $0 != 0x0D && $0 != 0x0A }) else { return }
        do {
            signalling.receive(try SIPMessageParser.parseDatagram(bytes), from: peer)
        } catch {
            signalling.receiveMalformed(error, from: peer)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here on connected UDP; the socket stays up for everyone else.
        signalling.logger.debug("UDP error", metadata: ["error": "\(error)"])
    }
}

extension SIPPeer {
    init?(_ address: SocketAddress, transport: SIPTransport, connection: UInt64? = nil) {
        guard let host = address.ipAddress, let port = address.port else { return nil }
        self.init(transport: transport, host: host, port: port, connection: connection)
    }
}
