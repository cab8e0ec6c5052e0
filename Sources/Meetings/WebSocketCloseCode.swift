/// A WebSocket close status code (RFC 6455 §7.4.1) with which the gateway ends one connection.
/// The adapter puts it in the close frame with the one-line reason the hub or the decoder gives.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection is fulfilled (left, meeting ended).
    public static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    /// 1001: the gateway is going away (draining for shutdown).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: the peer broke the protocol (malformed JSON, unknown `type`, missing field, wrong order).
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1003: well-formed data the gateway cannot accept (an unsupported protocol version, media
    /// before the join).
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// 1007: a text message that is not UTF-8 (RFC 6455 §8.1).
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    /// 1008: refused by policy (wrong passcode or unknown meeting, locked, full, removed, bad values).
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message over the size limit.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)

    public var description: String { String(rawValue) }

    /// RFC 6455 §5.5: a control frame's payload is at most 125 bytes, two of which are the code.
    public static let maxReasonBytes = 123

    /// `reason` on one line and cut (at a character boundary) to fit a close frame.
    public static func closeReason(_ reason: String) -> String {
        var line = String(reason.map { $0.isNewline ? " " : $0 })
        while line.utf8.count > maxReasonBytes { line.removeLast() }
        return line
    }
}
