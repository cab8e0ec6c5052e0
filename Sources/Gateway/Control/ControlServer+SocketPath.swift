import Foundation
import NIOCore
import NIOPosix

extension ControlServer {
    /// Makes `path` free for bind: creates the parent directory; an existing socket is removed only
    /// if nothing answers on it (a crashed daemon's leftover); anything else is refused.
    static func prepareSocketPath(_ path: String, eventLoopGroup: any EventLoopGroup) async throws(ControlServerError) {
        let fileManager = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotBind(path: path, reason: "cannot create directory \(directory): \(describe(error))")
            }
        }
        guard let attributes = try? fileManager.attributesOfItem(atPath: path) else { return }
        guard attributes[.type] as? FileAttributeType == .typeSocket else { throw .notASocket(path: path) }
        if await somethingAnswers(at: path, eventLoopGroup: eventLoopGroup) { throw .alreadyRunning(path: path) }
        do {
            try fileManager.removeItem(atPath: path)
        } catch {
            throw .cannotBind(path: path, reason: "cannot remove stale socket: \(describe(error))")
        }
    }

    private static func somethingAnswers(at path: String, eventLoopGroup: any EventLoopGroup) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: eventLoopGroup)
                .connect(unixDomainSocketPath: path).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// Removes the socket file, if it is still a socket (never a file someone put there since).
    static func removeSocketFile(_ path: String) {
        let fileManager = FileManager.default
        guard let attributes = try? fileManager.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType == .typeSocket
        else { return }
        try? fileManager.removeItem(atPath: path)
    }
}
