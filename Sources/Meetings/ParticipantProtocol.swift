import Foundation

/// The participant protocol's constants, decoder and encoder (docs/participant-protocol.md).
///
/// Decoding treats every input as hostile: the size is checked before anything is parsed, the
/// nesting depth before the JSON parser sees it, and every failure is a typed
/// ``ParticipantProtocolError`` that says how to close the connection. It never traps.
public enum ParticipantProtocol {
    /// The version this build speaks and sends in `welcome`.
    public static let version = 2
    /// The versions a gateway of this build accepts in `hello`. Version 2 added `rekey`, the
    /// roster's `role` and `identity`, and `welcome`'s `epoch` and `delegation` (e2ee meetings).
    public static let supportedVersions: Set<Int> = [2]

    /// The WebSocket path (`ws://127.0.0.1:8088/v1` by default; the path names the WebSocket
    /// service, the version is in `hello`).
    public static let path = "/v1"

    /// The longest text message a gateway reads from a client (128 KiB). A `hello` is about 400
    /// bytes; the largest client message is an `e2ee` host's `rekey`: about 280 bytes per
    /// participant (a manifest entry and a sealed secret), some 28 KiB for 100 participants.
    public static let maxClientMessageBytes = 128 * 1024
    /// The most deliveries one `rekey` carries.
    public static let maxRekeyDeliveries = 1024
    /// The longest text message a client reads from the gateway (1 MiB): a `welcome` lists the
    /// whole roster, up to a few hundred bytes per participant.
    public static let maxGatewayMessageBytes = 1024 * 1024
    /// The longest binary (SFrame) message: an Opus frame is at most 1275 bytes (RFC 6716 §3.2.1)
    /// plus the SFrame header (≤ 17 bytes) and tag (16 bytes); the rest is headroom.
    public static let maxFrameBytes = 4096
    /// The shortest SFrame frame: a one-byte header and the 16-byte tag of AES_256_GCM_SHA512_128.
    public static let minFrameBytes = 17
    /// The deepest JSON nesting of any message (`welcome` → `roster` → participant is 3).
    public static let maxNestingDepth = 8

    /// The longest `name` a client may send, in UTF-8 bytes (the hub then shortens it to
    /// ``MeetingHub/Settings/maxNameCharacters`` characters).
    public static let maxNameBytes = 256
    /// The longest free-text field (`reason`, `fingerprint`, error `code`) read from the gateway.
    public static let maxTextBytes = 1024
    /// Meeting IDs and passcodes (issue 5: meeting ID 9–11 digits, passcode 4–10 digits).
    public static let meetingIDDigits = 9...11
    public static let passcodeDigits = 4...10

    /// Which side sent a message.
    public enum Direction: String, Sendable, Hashable {
        case fromClient
        case fromGateway

        /// The longest text message this side may send.
        public var maxMessageBytes: Int {
            switch self {
            case .fromClient: ParticipantProtocol.maxClientMessageBytes
            case .fromGateway: ParticipantProtocol.maxGatewayMessageBytes
            }
        }
    }

    // MARK: Decoding

    /// Decodes one text message sent by `direction`'s side (the gateway decodes `.fromClient`, a
    /// client `.fromGateway`).
    public static func decode(
        _ bytes: some Collection<UInt8>, from direction: Direction
    ) throws(ParticipantProtocolError) -> ParticipantMessage {
        // Size first: nothing of an oversized message is looked at.
        guard bytes.count <= direction.maxMessageBytes else {
            throw .tooBig(size: bytes.count, limit: direction.maxMessageBytes)
        }
        let octets = Array(bytes)
        guard String(validating: octets, as: UTF8.self) != nil else { throw .notUTF8 }
        try checkShape(octets)

        let decoder = JSONDecoder()
        decoder.userInfo[directionKey] = direction
        do {
            return try decoder.decode(ParticipantMessage.self, from: Data(octets))
        } catch let error as ParticipantProtocolError {
            throw error
        } catch let error as DecodingError {
            throw ParticipantProtocolError(error, type: nil)
        } catch {
            throw .malformedJSON(String(describing: error).prefix(80).description)
        }
    }

    /// Decodes one text message given as a string.
    public static func decode(_ text: String, from direction: Direction) throws(ParticipantProtocolError) -> ParticipantMessage {
        try decode(Array(text.utf8), from: direction)
    }

    /// Checks a binary (media) message from a joined participant: its size only. The gateway never
    /// opens a frame; the hub reads its KID (``SFrameKeyID``) to check who it claims to be from.
    public static func checkFrame(_ frame: some Collection<UInt8>) throws(ParticipantProtocolError) {
        if frame.count > maxFrameBytes {
            throw .badFrame(size: frame.count, reason: "over the \(maxFrameBytes)-byte limit")
        }
        if frame.count < minFrameBytes {
            throw .badFrame(size: frame.count, reason: "shorter than an SFrame header and tag (\(minFrameBytes) bytes)")
        }
    }

    /// Before the JSON parser runs: the text must start (after white space) with `{` and must not
    /// nest deeper than ``maxNestingDepth``. Brackets inside strings do not count.
    static func checkShape(_ octets: [UInt8]) throws(ParticipantProtocolError) {
        guard let first = octets.first(where: { !isJSONWhitespace($0) }) else { throw .malformedJSON("empty message") }
        guard first == UInt8(ascii: "{") else {
            if first == UInt8(ascii: "[") || first == UInt8(ascii: "\"") || first == UInt8(ascii: "-")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "t")
                || first == UInt8(ascii: "f") || first == UInt8(ascii: "n")
            {
                throw .notAnObject
            }
            throw .malformedJSON("does not start with '{'")
        }
        var depth = 0
        var inString = false
        var escaped = false
        for byte in octets {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxNestingDepth { throw .tooDeep(limit: maxNestingDepth) }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static let directionKey = CodingUserInfoKey(rawValue: "dialgate.participant.direction")!

    // MARK: Encoding

    /// One message as the text of a WebSocket message: compact JSON with sorted keys.
    public static func encode(_ message: ParticipantMessage) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Nothing in a message can fail to encode (no floating point); the fallback is for safety only.
        guard let data = try? encoder.encode(message) else {
            return #"{"code":"protocolError","reason":"message could not be encoded","type":"error"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `encode(_:)` as UTF-8 bytes.
    public static func encodeBytes(_ message: ParticipantMessage) -> [UInt8] {
        Array(encode(message).utf8)
    }
}

extension ParticipantProtocolError {
    /// Maps the JSON decoder's error to the protocol's, naming the field by its path.
    /// `field` names the field being decoded, for errors whose path is empty.
    init(_ error: DecodingError, type: String?, field: String? = nil) {
        let type = type ?? "message"
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingField(type: type, field: Self.path(context.codingPath + [key]))
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            self = .invalidField(type: type, field: context.codingPath.isEmpty ? field ?? "?" : Self.path(context.codingPath))
        case .dataCorrupted(let context):
            if let field, context.codingPath.isEmpty {
                self = .invalidField(type: type, field: field)
            } else if context.codingPath.isEmpty {
                self = .malformedJSON(String(context.debugDescription.prefix(80)))
            } else {
                self = .invalidField(type: type, field: Self.path(context.codingPath))
            }
        @unknown default:
            self = .malformedJSON("undecodable")
        }
    }

    /// `identity.signingKey`, `roster[2].name`.
    static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return String(path.prefix(64))
    }
}
