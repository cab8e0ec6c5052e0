/// Why a byte stream could not be split into lines.
public enum ControlFramingError: Error, Sendable, Hashable {
    /// A line (or the unterminated rest of the stream) is longer than the limit.
    case lineTooLong(limit: Int)

    public var message: String {
        switch self {
        case .lineTooLong(let limit): "line longer than \(limit) bytes"
        }
    }
}

/// Splits a byte stream into newline-terminated lines: append bytes, then take lines until nil
/// ("need more bytes" is not an error). A trailing `\r` is dropped and blank lines are skipped, so
/// `socat`/`nc` users can type requests by hand.
public struct ControlLineFramer: Sendable {
    /// The longest line accepted, without its newline.
    public let maxLineLength: Int
    private var buffer: [UInt8] = []
    /// Start of the first unconsumed byte in `buffer`.
    private var start = 0
    /// Bytes before this index (from `start`) are known to hold no newline.
    private var scanned = 0

    public init(maxLineLength: Int = ControlWire.maxLineLength) {
        self.maxLineLength = max(1, maxLineLength)
    }

    /// Bytes received and not yet returned as lines.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line, nil when more bytes are needed. Throws when a line is over the limit;
    /// the stream cannot be resynchronised after that, so the caller should close it.
    public mutating func nextLine() throws(ControlFramingError) -> [UInt8]? {
        while true {
            let searchFrom = max(start, scanned)
            guard let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) else {
                scanned = buffer.count
                if buffer.count - start > maxLineLength { throw .lineTooLong(limit: maxLineLength) }
                compact()
                return nil
            }
            var end = newline
            if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let length = end - start
            let line = Array(buffer[start..<end])
            start = newline + 1
            scanned = start
            if length > maxLineLength { throw .lineTooLong(limit: maxLineLength) }
            if line.isEmpty { continue }
            compact()
            return line
        }
    }

    /// Drops consumed bytes once they are the larger part of the buffer, keeping appends amortised O(1).
    private mutating func compact() {
        guard start > 0, start * 2 >= buffer.count else { return }
        buffer.removeFirst(start)
        scanned -= start
        start = 0
    }
}
