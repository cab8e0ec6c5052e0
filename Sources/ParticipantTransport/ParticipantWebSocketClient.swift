import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Opens a WebSocket connection to a participant server (`ws://HOST:PORT/PATH`).
public enum ParticipantWebSocketClient {
    public enum ConnectError: Error, Equatable, CustomStringConvertible {
        case badURL(String)
        case refused(String)

        public var description: String {
            switch self {
            case .badURL(let url): "not a ws:// or wss:// URL with host and port: \(url)"
            case .refused(let why): "the server did not accept the WebSocket upgrade: \(why)"
            }
        }
    }

    enum Upgrade: Sendable {
        case websocket(WebSocketSession.Channel)
        case refused(any Channel)
    }

    /// Splits `ws://host:port/path` or `wss://...` (path defaults to `/v1`).
    public static func parse(_ url: String) throws(ConnectError) -> (host: String, port: Int, path: String, secure: Bool) {
        let secure = url.hasPrefix("wss://")
        guard url.hasPrefix("ws://") || secure else { throw .badURL(url) }
        let rest = url.dropFirst(secure ? 6 : 5)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = authority
        var port = secure ? 443 : 80
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw .badURL(url) }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]) else { throw .badURL(url) }
            port = value
        }
        guard !host.isEmpty, (1...65535).contains(port) else { throw .badURL(url) }
        return (String(host), port, path.isEmpty ? "/v1" : String(path), secure)
    }

    /// `trustedCertificates`: a PEM file of certificates to trust for `wss://` (a private CA or the
    /// gateway's self-signed certificate); the system's roots when nil.
    public static func connect(
        _ url: String, trustedCertificates: String? = nil, maxMessageSize: Int = 64 * 1024,
        outboxLimits: WebSocketOutbox.Limits = WebSocketOutbox.Limits(), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> WebSocketSession {
        let (host, port, path, secure) = try parse(url)
        var tlsContext: NIOSSLContext?
        if secure {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            if let trustedCertificates { configuration.trustRoots = .file(trustedCertificates) }
            tlsContext = try NIOSSLContext(configuration: configuration)
        }
        // SNI names hosts, never addresses (RFC 6066 §3).
        let serverName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
        let upgrade: EventLoopFuture<Upgrade> = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                        maxFrameSize: maxMessageSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: maxMessageSize))
                                return Upgrade.websocket(try WebSocketSession.Channel(wrappingChannelSynchronously: channel))
                            }
                        })
                    var headers = HTTPHeaders()
                    headers.add(name: "Host", value: "\(host):\(port)")
                    headers.add(name: "Content-Length", value: "0")
                    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration(
                        upgradeRequestHead: head, upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture { Upgrade.refused(channel) }
                        })
                    // A server may send its first frame in the same segment as its 101 (ours sends a
                    // close at once when it is full); NIO drops such bytes unless told to forward them.
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
        // A server that accepts the connection but never answers the upgrade must not hang us.
        let answer = try await withThrowingTaskGroup(of: Upgrade?.self) { group in
            group.addTask { try await upgrade.get() }
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let answer else { throw ConnectError.refused("\(url) did not answer the WebSocket upgrade within 5 s") }
        switch answer {
        case .websocket(let channel):
            return WebSocketSession(channel: channel, masksFrames: true, outboxLimits: outboxLimits)
        case .refused(let channel):
            try? await channel.close()
            throw ConnectError.refused("\(url) answered without upgrading (wrong path?)")
        }
    }
}
