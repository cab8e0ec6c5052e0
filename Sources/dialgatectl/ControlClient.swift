import ControlAPI
import Foundation
import NIOCore
import NIOPosix

/// One connection to the daemon's control socket: send requests, read reply lines.
struct ControlClient {
    /// Replies can be large (`history --limit 1000`); this only guards against a runaway peer.
    static let maxReplyLineLength = 64 * 1024 * 1024

    let socketPath: String
    private var reads: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var framer = ControlLineFramer(maxLineLength: ControlClient.maxReplyLineLength)
    private var nextID = 1

    /// Connects, runs `body`, and closes the connection.
    static func withConnection<Result>(
        socketPath: String, _ body: (inout ControlClient) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw CLIError.cannotConnect(path: socketPath, reason: describe(error))
        }
        return try await channel.executeThenClose { inbound, outbound in
            var client = ControlClient(socketPath: socketPath, reads: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&client)
        }
    }

    private init(
        socketPath: String, reads: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.socketPath = socketPath
        self.reads = reads
        self.outbound = outbound
    }

    /// Sends a command and returns its successful payload; an error reply throws ``CLIError/server(_:)``.
    mutating func request(_ command: ControlCommand) async throws -> ControlReplyPayload {
        let id = try await send(command)
        guard let reply = try await nextReply() else { throw CLIError.connectionClosed(path: socketPath) }
        guard reply.id == id || reply.id == nil else { throw CLIError.badReply("reply to request \(reply.id ?? 0), not \(id)") }
        return try reply.result.unwrapped()
    }

    /// Sends a command and returns its request id.
    mutating func send(_ command: ControlCommand) async throws -> Int {
        let id = nextID
        nextID += 1
        try await outbound.write(ByteBuffer(bytes: ControlWire.encode(ControlRequest(id: id, command: command))))
        return id
    }

    /// The next reply line; nil when the daemon closed the connection.
    mutating func nextReply() async throws -> ControlReply? {
        while true {
            let line: [UInt8]?
            do {
                line = try framer.nextLine()
            } catch {
                throw CLIError.badReply(error.message)
            }
            if let line {
                do {
                    return try ControlWire.decodeReply(line)
                } catch {
                    throw CLIError.badReply("\(error)")
                }
            }
            guard let buffer = try await reads.next() else { return nil }
            framer.append(buffer.readableBytesView)
        }
    }

    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOConnectionError, let first = error.connectionErrors.first {
            return describe(first.error)
        }
        if let error = error as? SocketAddressError, error == .unixDomainSocketPathTooLong {
            return "the path is too long for a Unix socket"
        }
        return "\(error)"
    }
}

extension Result where Failure == ControlError {
    /// The payload, or the error reply as a ``CLIError``.
    func unwrapped() throws(CLIError) -> Success {
        switch self {
        case .success(let value): value
        case .failure(let error): throw .server(error)
        }
    }
}
