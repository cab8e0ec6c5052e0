import Foundation
import NIOCore

/// Every SFrame frame a client sends and receives, byte for byte, one JSON line each:
/// `{"direction":"sent","frame":"<base64>"}`. With the logs of all participants, a test (or a person)
/// can check that every frame the gateway delivered is exactly one a sender sent.
final class FrameLog {
    enum Direction: String { case sent, received }

    private let handle: FileHandle
    private var pending = Data()

    init(path: String) throws(ParticipantClientError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .recording(path: path, reason: "cannot create the frame log")
        }
        self.handle = handle
    }

    func record(_ frame: ByteBuffer, _ direction: Direction) {
        pending.append(contentsOf: #"{"direction":""#.utf8)
        pending.append(contentsOf: direction.rawValue.utf8)
        pending.append(contentsOf: #"","frame":""#.utf8)
        pending.append(Data(frame.readableBytesView).base64EncodedData())
        pending.append(contentsOf: "\"}\n".utf8)
        if pending.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered; false once a write has failed (the log stops there).
    @discardableResult
    func flush() -> Bool {
        guard !failed, !pending.isEmpty else { return !failed }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            failed = true
        }
        pending.removeAll(keepingCapacity: true)
        return !failed
    }

    private var failed = false
}
