import ControlAPI
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The control API's server: newline-delimited JSON over a Unix stream socket (docs/control-api.md).
///
/// ``bind(socketPath:handler:eventLoopGroup:logger:)`` opens the socket (so startup fails early
/// and clearly when it cannot); ``run()`` serves connections until graceful shutdown or
/// cancellation, then closes every connection and removes the socket file. No input a client
/// sends can crash it: broken lines get error replies, an over-long line closes that connection.
public final class ControlServer: Service, Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// The socket's path, as given.
    public let socketPath: String
    private let serverChannel: NIOAsyncChannel<Connection, Never>
    let handler: any ControlCommandHandler
    let logger: Logger

    private init(
        socketPath: String, serverChannel: NIOAsyncChannel<Connection, Never>,
        handler: any ControlCommandHandler, logger: Logger
    ) {
        self.socketPath = socketPath
        self.serverChannel = serverChannel
        self.handler = handler
        self.logger = logger
    }

    /// Creates the socket's directory, removes a stale socket file (only when nothing answers on
    /// it), binds, and makes the socket owner-only (0600), or owner and `group` (0660: `--control-group`,
    /// so operators in that group can run `dialgatectl` without being the daemon's user).
    public static func bind(
        socketPath: String,
        group: String? = nil,
        handler: any ControlCommandHandler,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "dialgate.control")
    ) async throws(ControlServerError) -> ControlServer {
        try await prepareSocketPath(socketPath, eventLoopGroup: eventLoopGroup)
        let channel: NIOAsyncChannel<Connection, Never>
        do {
            channel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 64)
                .bind(unixDomainSocketPath: socketPath) { child in
                    child.eventLoop.makeCompletedFuture {
                        try Connection(wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw .cannotBind(path: socketPath, reason: describe(error))
        }
        // The socket is created with the process umask (at worst group/other can read, which for
        // a socket grants nothing: connecting needs write permission). Owner-only from here on.
        do {
            if let group {
                guard let entry = getgrnam(group) else {
                    throw ControlServerError.cannotBind(path: socketPath, reason: "no group '\(group)'")
                }
                guard chown(socketPath, uid_t(bitPattern: -1), entry.pointee.gr_gid) == 0 else {
                    throw ControlServerError.cannotBind(
                        path: socketPath, reason: "cannot give the socket to group '\(group)': errno \(errno)")
                }
            }
            try FileManager.default.setAttributes([.posixPermissions: group == nil ? 0o600 : 0o660], ofItemAtPath: socketPath)
        } catch let error as ControlServerError {
            try? await channel.channel.close()
            removeSocketFile(socketPath)
            throw error
        } catch {
            try? await channel.channel.close()
            removeSocketFile(socketPath)
            throw .cannotBind(path: socketPath, reason: "cannot set permissions: \(describe(error))")
        }
        logger.info("control socket listening", metadata: ["path": "\(socketPath)"])
        return ControlServer(socketPath: socketPath, serverChannel: channel, handler: handler, logger: logger)
    }

    /// Serves until graceful shutdown or cancellation; then closes the listener and every
    /// connection (watchers included) and removes the socket file.
    public func run() async throws {
        defer { Self.removeSocketFile(socketPath) }
        do {
            try await cancelWhenGracefulShutdown { [self] in
                try await withThrowingDiscardingTaskGroup { group in
                    try await serverChannel.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                    // The listener is closed: end the connections still open.
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Shutdown.
        }
        logger.info("control socket closed", metadata: ["path": "\(socketPath)"])
    }

    /// Closes a server whose ``run()`` was never started (e.g. startup failed later on).
    public func close() async {
        try? await serverChannel.channel.close()
        Self.removeSocketFile(socketPath)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return "\(error)"
    }
}
