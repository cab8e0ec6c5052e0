import NIOCore

/// One whole WebSocket message (fragments already joined, RFC 6455 §5.4).
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message (UTF-8): the participant protocol's JSON control messages.
    case text(String)
    /// A binary message: one SFrame frame, forwarded without a copy to every receiver that shares it.
    case binary(ByteBuffer)
}

/// Why a connection was closed, as sent in the close frame (RFC 6455 §7.4).
public struct WebSocketClose: Sendable, Equatable, CustomStringConvertible {
    public var code: UInt16
    /// One line for the person at the other end; at most 123 bytes go on the wire (§5.5).
    public var reason: String

    public init(code: UInt16, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 1000: a normal end.
    public static let normal: UInt16 = 1000
    /// 1001: the server is going away (shutdown).
    public static let goingAway: UInt16 = 1001
    /// 1002: a protocol error.
    public static let protocolError: UInt16 = 1002
    /// 1003: data of a type the endpoint cannot take.
    public static let unacceptableData: UInt16 = 1003
    /// 1008: a message that violates the endpoint's policy.
    public static let policyViolation: UInt16 = 1008
    /// 1009: a message too big to process.
    public static let messageTooBig: UInt16 = 1009
    /// 1011: the server met an unexpected condition.
    public static let internalError: UInt16 = 1011

    public var description: String { "\(code) \(reason)" }

    /// The close frame's payload: the code, then the reason cut to fit a control frame.
    func payload(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 125)
        buffer.writeInteger(code)
        var reasonBytes = Array(reason.utf8.prefix(123))
        // Never cut a UTF-8 sequence in half (§5.5.1: the reason must be valid UTF-8).
        while !reasonBytes.isEmpty, String(validating: reasonBytes, as: UTF8.self) == nil { reasonBytes.removeLast() }
        buffer.writeBytes(reasonBytes)
        return buffer
    }

    /// Reads a close frame's payload; a frame without one means 1005, "no status" (§7.1.5).
    init(payload: ByteBuffer) {
        var payload = payload
        guard let code = payload.readInteger(as: UInt16.self) else {
            self.init(code: 1005, reason: "")
            return
        }
        self.init(code: code, reason: payload.readString(length: payload.readableBytes) ?? "")
    }
}
