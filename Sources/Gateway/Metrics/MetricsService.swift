import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves `GET /metrics` (the Prometheus text format) over plain HTTP/1.1, meant for loopback
/// (`--metrics 127.0.0.1:9464`); swift-prometheus renders, this only listens. Anything else gets 404
/// or 405; each connection answers one request and closes, so a scraper cannot hold many open.
public final class MetricsService: Service, Sendable {
    private let channel: any Channel
    private let logger: Logger

    /// The bound address, `host:port`.
    public let address: String

    private init(channel: any Channel, address: String, logger: Logger) {
        self.channel = channel
        self.address = address
        self.logger = logger
    }

    /// Binds now, so a taken port stops the start with a clear error. `render` is asked for the
    /// body at each scrape.
    static func bind(
        host: String, port: Int, render: @escaping @Sendable () async -> [UInt8], logger: Logger
    ) async throws -> MetricsService {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ScrapeHandler(render: render))
                }
            }
            .bind(host: host, port: port).get()
        let bound = channel.localAddress?.port ?? port
        let shown = host.contains(":") ? "[\(host)]" : host
        let service = MetricsService(channel: channel, address: "\(shown):\(bound)", logger: logger)
        logger.info("metrics listening", metadata: ["address": "http://\(service.address)/metrics"])
        return service
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try? await channel.close()
        logger.info("metrics stopped")
    }
}

/// One request per connection: `GET /metrics` gets the metrics, anything else a short error.
private final class ScrapeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () async -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () async -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = head ?? request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
            guard path == "/metrics" else { return respond(context, .notFound, Array("not found: try /metrics\n".utf8)) }
            guard request.method == .GET || request.method == .HEAD else {
                return respond(context, .methodNotAllowed, Array("GET /metrics\n".utf8))
            }
            let render = render
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let isHead = request.method == .HEAD
            Task {
                let body = await render()
                loop.execute {
                    let (handler, context) = bound.value
                    handler.respond(
                        context, .ok, isHead ? [] : body, contentType: "text/plain; version=0.0.4; charset=utf-8", length: body.count)
                }
            }
        }
    }

    private func respond(
        _ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ body: [UInt8], contentType: String = "text/plain; charset=utf-8",
        length: Int? = nil
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(length ?? body.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
