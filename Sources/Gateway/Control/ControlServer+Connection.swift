import ControlAPI
import Logging
import NIOCore

extension ControlServer {
    /// One client connection: read lines, answer each in order; a `watchCalls` request turns the
    /// connection into a subscription until the client closes it.
    func serve(_ connection: Connection) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var framer = ControlLineFramer()
                var reads = inbound.makeAsyncIterator()
                while let buffer = try await reads.next() {
                    framer.append(buffer.readableBytesView)
                    while true {
                        let line: [UInt8]
                        do {
                            guard let next = try framer.nextLine() else { break }
                            line = next
                        } catch {
                            // The stream cannot be resynchronised after an over-long line: say why, close.
                            let reply = ControlReply(
                                id: nil, result: .failure(.badRequest((error as? ControlFramingError)?.message ?? "\(error)")))
                            try await outbound.write(ByteBuffer(bytes: ControlWire.encode(reply)))
                            logger.notice("control client sent an over-long line; closing", metadata: ["limit": "\(framer.maxLineLength)"])
                            return
                        }
                        switch ControlWire.decodeRequest(line) {
                        case .failure(let rejection):
                            try await outbound.write(ByteBuffer(bytes: ControlWire.encode(rejection.reply)))
                        case .success(let request) where request.command == .watchCalls:
                            await watch(request, connection: connection, reads: &reads, outbound: outbound)
                            return
                        case .success(let request):
                            let result = await handler.handle(request.command)
                            let reply = ControlReply(id: request.id, result: result)
                            try await outbound.write(ByteBuffer(bytes: ControlWire.encode(reply)))
                        }
                    }
                }
            }
        } catch is CancellationError {
            // Server shutdown.
        } catch {
            logger.debug("control connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// A `watchCalls` subscription: the live calls first (`watching`), then one `event` line per
    /// change. Ends when the client closes the connection (or sends anything: a watching
    /// connection takes no more requests), when the event stream ends, or at shutdown.
    private func watch(
        _ request: ControlRequest, connection: Connection,
        reads: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async {
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [handler] in
                defer { connection.channel.close(promise: nil) }
                // Subscribe before taking the snapshot, so no change falls between the two.
                let events = handler.callEvents()
                let snapshot = await handler.handle(.calls)
                let first: ControlReply =
                    switch snapshot {
                    case .success(.calls(let calls)): ControlReply(id: request.id, result: .success(.watching(calls)))
                    case .success: ControlReply(id: request.id, result: .failure(.internal("handler answered calls with another payload")))
                    case .failure(let error): ControlReply(id: request.id, result: .failure(error))
                    }
                try await outbound.write(ByteBuffer(bytes: ControlWire.encode(first)))
                guard case .success = first.result else { return }
                for await event in events {
                    let line = ControlWire.encode(ControlReply(id: request.id, result: .success(.event(event))))
                    try await outbound.write(ByteBuffer(bytes: line))
                }
            }
            // Reading side: anything but end-of-stream ends the subscription as well.
            _ = try? await reads.next()
            group.cancelAll()
            try? await group.waitForAll()
        }
    }
}
