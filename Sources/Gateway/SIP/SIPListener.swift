import NIOCore
import NIOPosix
import NIOSSL
import SIP

/// The SIP sockets on one address: UDP and TCP on the same port (RFC 3261 §18: a UA listening
/// on a port for one must listen for the other).
struct SIPListener {
    let udp: any Channel
    let tcp: any Channel

    var localAddress: SocketAddress? { udp.localAddress }

    /// Binds UDP first; with port 0 the kernel's pick is then taken for TCP too (retrying a few
    /// times when that port is already used by someone else's TCP socket).
    static func bind(host: String, port: Int, signalling: SignallingLoop) async throws -> SIPListener {
        var lastError: (any Error)?
        for _ in 0..<(port == 0 ? 20 : 1) {
            let udp = try await DatagramBootstrap(group: signalling.loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // One datagram is at most 64 KiB; a smaller buffer would silently truncate.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(signalling: signalling))
                    }
                }
                .bind(host: host, port: port).get()
            try? await enlargeReceiveBuffer(of: udp)
            guard let boundPort = udp.localAddress?.port else { throw SIPListenerError.noLocalAddress }
            do {
                let tcp = try await ServerBootstrap(group: signalling.loop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelOption(.backlog, value: 256)
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(signalling: signalling, transport: .tcp))
                        }
                    }
                    .bind(host: host, port: boundPort).get()
                return SIPListener(udp: udp, tcp: tcp)
            } catch {
                lastError = error
                try? await udp.close()
            }
        }
        throw lastError ?? SIPListenerError.noLocalAddress
    }

    /// What the UDP socket asks the kernel to queue for it. Every request of every caller arrives on
    /// this one socket: the default (about 200 KiB, 100 or so datagrams on loopback) overflows in
    /// the bursts of a few hundred calls a second whenever the signalling thread is descheduled for
    /// a few tens of milliseconds, and each dropped request then waits for its retransmission
    /// (RFC 3261 §17.1.1.2: 500 ms, then 1 s, ...), which is how a busy gateway's setup time goes to
    /// seconds. Kamailio and Asterisk operators raise it for the same reason.
    static let receiveBufferBytes: SocketOptionValue = 8 * 1024 * 1024

    /// Asks for `receiveBufferBytes`: with `SO_RCVBUFFORCE` when the daemon may (root or
    /// CAP_NET_ADMIN, as the README's install runs it), else `SO_RCVBUF`, which the kernel caps at
    /// `net.core.rmem_max` (docs/sip.md tells how to raise it).
    static func enlargeReceiveBuffer(of channel: any Channel) async throws {
        let forced = ChannelOptions.Types.SocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_RCVBUFFORCE))
        do {
            try await channel.setOption(forced, value: receiveBufferBytes).get()
        } catch {
            try await channel.setOption(.socketOption(.so_rcvbuf), value: receiveBufferBytes).get()
        }
    }

    func close() async {
        try? await udp.close()
        try? await tcp.close()
    }

    /// SIP over TLS (RFC 3261 §26.2, RFC 5630) on its own port: TLS in front of the same stream
    /// handler as TCP. Each connection's context is chosen from its source address, so only
    /// sources on a trunk with `tls-client-cert required` are asked for a certificate.
    static func bindTLS(host: String, port: Int, contexts: SIPTLSContexts, signalling: SignallingLoop) async throws -> any Channel {
        try await ServerBootstrap(group: signalling.loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let authorities = channel.remoteAddress.map { signalling.clientAuthorities(for: $0) } ?? []
                    let context: NIOSSLContext
                    do {
                        context = try contexts.context(clientAuthorities: authorities)
                    } catch {
                        // Fail closed: a trunk that requires certificates is never served without the check.
                        signalling.logger.error(
                            "security: TLS connection refused",
                            metadata: ["peer": "\(channel.remoteAddress.map { "\($0)" } ?? "-")", "reason": "\(error)"])
                        throw error
                    }
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(signalling: signalling, transport: .tls))
                }
            }
            .bind(host: host, port: port).get()
    }
}

enum SIPListenerError: Error, CustomStringConvertible {
    case noLocalAddress
    var description: String { "the SIP socket has no local address" }
}
