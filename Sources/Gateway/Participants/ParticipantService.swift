import Logging
import Meetings
import ParticipantTransport
import ServiceLifecycle

/// The participant protocol's server as one service of the gateway's group: WebSocket
/// connections from app clients, served by `MeetingRooms` (docs/participant-protocol.md).
public final class ParticipantService: Service, Sendable {
    private let server: ParticipantWebSocketServer
    private let rooms: MeetingRooms
    private let logger: Logger

    /// The bound port (the one asked for, or the one the system picked for port 0).
    public var port: Int { server.port }

    init(server: ParticipantWebSocketServer, rooms: MeetingRooms, logger: Logger) {
        self.server = server
        self.rooms = rooms
        self.logger = logger
    }

    /// Binds now, so a taken port stops the start with a clear error.
    static func bind(
        host: String, port: Int, tls: ParticipantWebSocketServer.TLSFiles?, rooms: MeetingRooms, logger: Logger
    ) async throws -> ParticipantService {
        var settings = ParticipantWebSocketServer.Settings()
        settings.tls = tls
        // A little over the protocol's own limit, so an over-long text message reaches the decoder,
        // which answers it with `tooBig` before closing (rather than the transport cutting it off).
        settings.maxMessageSize = ParticipantProtocol.maxClientMessageBytes + 1024
        let server = try await ParticipantWebSocketServer.bind(host: host, port: port, settings: settings)
        let service = ParticipantService(server: server, rooms: rooms, logger: logger)
        logger.info("participant server listening", metadata: ["address": "\(service.url(host: host))"])
        return service
    }

    /// `ws://HOST:PORT/v1`, or `wss://` with TLS.
    func url(host: String) -> String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(server.isSecure ? "wss" : "ws")://\(shown):\(server.port)\(server.settings.path)"
    }

    /// Serves until graceful shutdown; then every participant gets a 1001 close ("going away").
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [server, rooms] in
                try await server.run { session in await rooms.serve(session) }
            }
        } catch is CancellationError {
            // Shutdown: the listener is closed and every session with it.
        }
        await rooms.closeAll(reason: "the gateway is shutting down")
        await server.close()
        logger.info("participant server stopped")
    }
}
