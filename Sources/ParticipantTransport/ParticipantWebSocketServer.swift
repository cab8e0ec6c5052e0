import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The participant protocol's listener: HTTP/1.1 upgraded to WebSocket (RFC 6455) on one path.
/// A plain HTTP request gets an HTTP error; a WebSocket on another path is closed with 1008.
public final class ParticipantWebSocketServer: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The only path that upgrades (docs/participant-protocol.md).
        public var path = "/v1"
        /// The largest message accepted, after joining fragments; more closes with 1009.
        public var maxMessageSize = 64 * 1024
        public var outboxLimits = WebSocketOutbox.Limits()
        /// Serve `wss://` with this certificate chain and key (PEM files); plain `ws://` when nil.
        public var tls: TLSFiles?

        public init() {}
    }

    /// A certificate chain and its private key, as PEM files.
    public struct TLSFiles: Sendable, Equatable {
        public var certificateChain: String
        public var privateKey: String

        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    public enum BindError: Error, CustomStringConvertible {
        case tls(String)

        public var description: String {
            switch self {
            case .tls(let reason): "cannot serve TLS: \(reason)"
            }
        }
    }

    enum Upgrade: Sendable {
        case websocket(WebSocketSession.Channel, path: String)
        case refused
    }

    private let listener: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>
    public let settings: Settings
    /// The bound port (useful when asked for port 0).
    public let port: Int

    private init(listener: NIOAsyncChannel<EventLoopFuture<Upgrade>, Never>, settings: Settings) {
        self.listener = listener
        self.settings = settings
        self.port = listener.channel.localAddress?.port ?? 0
    }

    /// Binds now, so a taken port fails the start with a clear error.
    public static func bind(
        host: String, port: Int, settings: Settings = Settings(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ParticipantWebSocketServer {
        let path = settings.path
        let maxMessageSize = settings.maxMessageSize
        let tlsContext = try settings.tls.map(Self.context(for:))
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext)) }
                    let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                        maxFrameSize: maxMessageSize,
                        // Every WebSocket request upgrades; one for another path is then closed
                        // with 1008 and a reason (NIO's server leaves a refused upgrade unanswered).
                        shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
                        upgradePipelineHandler: { channel, head in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: maxMessageSize))
                                let target = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
                                return Upgrade.websocket(try WebSocketSession.Channel(wrappingChannelSynchronously: channel), path: target)
                            }
                        })
                    let configuration = NIOTypedHTTPServerUpgradeConfiguration(
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(RefuseHTTPHandler(path: path))
                                return Upgrade.refused
                            }
                        })
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: .init(upgradeConfiguration: configuration))
                }
            }
        return ParticipantWebSocketServer(listener: listener, settings: settings)
    }

    /// Whether the listener speaks TLS (`wss://`).
    public var isSecure: Bool { settings.tls != nil }

    /// Loads the chain and key now, so a missing or unreadable file stops the start.
    static func context(for files: TLSFiles) throws(BindError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
            guard !chain.isEmpty else { throw BindError.tls("\(files.certificateChain) holds no PEM certificate") }
            let key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            return try NIOSSLContext(configuration: configuration)
        } catch let error as BindError {
            throw error
        } catch {
            throw .tls("\(files.certificateChain), \(files.privateKey): \(error)")
        }
    }

    /// Accepts connections until cancelled; `serve` runs once per WebSocket connection, each in
    /// its own task, so one connection never holds up another.
    public func run(serve: @escaping @Sendable (WebSocketSession) async -> Void) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { upgrades in
                for try await upgrade in upgrades {
                    group.addTask { [settings] in
                        guard case .websocket(let channel, let path)? = try? await upgrade.get() else { return }
                        let session = WebSocketSession(channel: channel, masksFrames: false, outboxLimits: settings.outboxLimits)
                        guard path == settings.path else {
                            session.outbox.close(
                                WebSocketClose(
                                    code: WebSocketClose.policyViolation,
                                    reason: "no such path: the participant protocol is at \(settings.path)"))
                            await session.run { _ in }
                            return
                        }
                        await serve(session)
                    }
                }
            }
        }
    }

    /// Stops accepting connections.
    public func close() async {
        try? await listener.channel.close()
    }
}

/// Answers a plain HTTP request (not a WebSocket upgrade): 404 for other paths, 426 Upgrade
/// Required on the protocol's path (RFC 6455 §4.2.2), then closes.
private final class RefuseHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let path: String
    init(path: String) { self.path = path }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let onPath = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) == path
        let status: HTTPResponseStatus = onPath ? .upgradeRequired : .notFound
        let body = onPath ? "this path speaks WebSocket only\n" : "not found: the participant protocol is at \(path)\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        if onPath { headers.add(name: "Upgrade", value: "websocket") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
