/// Why a participant protocol message was refused, and what that means for the connection: every
/// case has the WebSocket close code to end the connection with (RFC 6455 §7.4.1), the `error`
/// code and a one-line reason. A refused message affects its own connection only.
public enum ParticipantProtocolError: Error, Sendable, Hashable {
    /// A text message over the limit (checked before any parsing).
    case tooBig(size: Int, limit: Int)
    /// A text message that is not UTF-8 (RFC 6455 §8.1).
    case notUTF8
    /// Not JSON at all (the parser's words).
    case malformedJSON(String)
    /// JSON nested deeper than any message of the protocol.
    case tooDeep(limit: Int)
    /// JSON, but not an object.
    case notAnObject
    /// An object without a string `"type"`.
    case missingType
    /// A `"type"` the protocol does not have.
    case unknownType(String)
    /// A message the other side sends (a client sent `welcome`, a gateway sent `hello`).
    case wrongDirection(String)
    /// A required field is missing (`field` is a path such as `identity.signingKey`).
    case missingField(type: String, field: String)
    /// A field of the wrong JSON type, or a value outside its fixed set (a `role` of `"admin"`).
    case invalidField(type: String, field: String)
    /// A well-typed value outside its bounds (a 31-byte key, a meeting ID of 5 digits, an over-long name).
    case invalidValue(type: String, field: String, reason: String)
    /// A `hello` (or `welcome`) in a version this build does not speak.
    case unsupportedVersion(Int)
    /// A valid message at the wrong time (a second `hello`).
    case unexpectedMessage(type: String, reason: String)
    /// A binary (media) message before the connection joined.
    case unexpectedBinary
    /// A binary (media) message over the frame limit, or too short to be an SFrame frame.
    case badFrame(size: Int, reason: String)

    /// The WebSocket close code the connection ends with.
    public var closeCode: WebSocketCloseCode {
        switch self {
        case .tooBig: .messageTooBig
        case .notUTF8: .invalidPayload
        case .malformedJSON, .tooDeep, .notAnObject, .missingType, .unknownType, .wrongDirection, .missingField, .invalidField,
            .unexpectedMessage:
            .protocolError
        case .invalidValue: .policyViolation
        case .unsupportedVersion, .unexpectedBinary: .unsupportedData
        case .badFrame(let size, _): size > ParticipantProtocol.maxFrameBytes ? .messageTooBig : .protocolError
        }
    }

    /// The `code` of the `error` message sent before closing.
    public var errorCode: ParticipantErrorCode {
        switch self {
        case .tooBig: .tooBig
        case .invalidValue: .invalidValue
        case .unsupportedVersion: .unsupportedVersion
        case .badFrame(let size, _): size > ParticipantProtocol.maxFrameBytes ? .tooBig : .protocolError
        case .notUTF8, .malformedJSON, .tooDeep, .notAnObject, .missingType, .unknownType, .wrongDirection, .missingField,
            .invalidField, .unexpectedMessage, .unexpectedBinary:
            .protocolError
        }
    }

    /// One line for a person (and for the close frame, cut to fit).
    public var reason: String {
        let text =
            switch self {
            case .tooBig(let size, let limit): "message of \(size) bytes is over the \(limit)-byte limit"
            case .notUTF8: "text message is not UTF-8"
            case .malformedJSON(let detail): "not JSON: \(detail)"
            case .tooDeep(let limit): "JSON nested deeper than \(limit) levels"
            case .notAnObject: "message is not a JSON object"
            case .missingType: "message has no string field 'type'"
            case .unknownType(let type): "unknown message type '\(type.prefix(32))'"
            case .wrongDirection(let type): "'\(type)' is not a message this side accepts"
            case .missingField(let type, let field): "\(type): missing field '\(field)'"
            case .invalidField(let type, let field): "\(type): field '\(field)' has the wrong type or an unknown value"
            case .invalidValue(let type, let field, let reason): "\(type): field '\(field)' \(reason)"
            case .unsupportedVersion(let version):
                "unsupported protocol version \(version) (this gateway speaks \(ParticipantProtocol.supportedVersions.sorted().map(String.init).joined(separator: ", ")))"
            case .unexpectedMessage(let type, let reason): "unexpected '\(type)': \(reason)"
            case .unexpectedBinary: "media before the join"
            case .badFrame(let size, let reason): "frame of \(size) bytes: \(reason)"
            }
        return WebSocketCloseCode.closeReason(text)
    }

    /// The `error` message to send before closing the connection.
    public var errorMessage: ParticipantMessage { .error(code: errorCode, reason: reason) }
}

extension ParticipantProtocolError: CustomStringConvertible {
    public var description: String { reason }
}
