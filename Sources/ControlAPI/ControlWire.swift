import Foundation

/// The control socket's wire format: newline-delimited JSON, one object per line, over a Unix
/// stream socket (docs/control-api.md). Requests and replies carry a protocol ``version``.
public enum ControlWire {
    /// The protocol version this build speaks and sends.
    public static let version = 1
    /// The versions a daemon of this build accepts.
    public static let supportedVersions: Set<Int> = [1]
    /// The longest request line a server reads (64 KiB, without the newline). A request is a few
    /// hundred bytes; anything longer is a broken or hostile client, and the connection is closed.
    public static let maxLineLength = 64 * 1024

    // MARK: Encoding

    /// A request as one line, newline included.
    public static func encode(_ request: ControlRequest) -> [UInt8] {
        (try? encodeLine(request)) ?? fallbackLine()
    }

    /// A reply as one line, newline included. A reply that cannot be encoded (a non-finite number
    /// sneaked into a payload) becomes an `internal` error reply rather than a broken line.
    public static func encode(_ reply: ControlReply) -> [UInt8] {
        if let line = try? encodeLine(reply) { return line }
        let error = ControlReply(id: reply.id, result: .failure(.internal("reply could not be encoded as JSON")))
        return (try? encodeLine(error)) ?? fallbackLine()
    }

    /// Any value as one compact JSON line (sorted keys, ISO 8601 dates), newline included.
    /// `dialgatectl --json` prints payloads with this.
    public static func encodeLine(_ value: some Encodable) throws -> [UInt8] {
        var bytes = Array(try makeEncoder().encode(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func fallbackLine() -> [UInt8] {
        Array(#"{"version":1,"error":{"code":"internal","message":"internal error: encoding failed","reason":"encoding failed"}}"#.utf8) + [
            UInt8(ascii: "\n")
        ]
    }

    // MARK: Decoding

    /// Reads one request line (without its newline). Never throws: every failure is a
    /// ``ControlRequestRejection`` whose ``ControlRequestRejection/reply`` the server sends back.
    public static func decodeRequest(_ line: some Collection<UInt8>) -> Result<ControlRequest, ControlRequestRejection> {
        let data = Data(line)
        let decoder = makeDecoder()
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: data)
        } catch {
            return .failure(ControlRequestRejection(id: nil, error: .badRequest(describe(error))))
        }
        guard let version = envelope.version else {
            return .failure(ControlRequestRejection(id: envelope.id, error: .badRequest("missing field 'version'")))
        }
        guard supportedVersions.contains(version) else {
            return .failure(ControlRequestRejection(id: envelope.id, error: .unsupportedVersion(version)))
        }
        guard let id = envelope.id else {
            return .failure(ControlRequestRejection(id: nil, error: .badRequest("missing or non-integer field 'id'")))
        }
        do {
            return .success(try decoder.decode(ControlRequest.self, from: data))
        } catch let error as ControlError {
            return .failure(ControlRequestRejection(id: id, error: error))
        } catch {
            return .failure(ControlRequestRejection(id: id, error: .badRequest(describe(error))))
        }
    }

    /// Reads one reply line (without its newline).
    public static func decodeReply(_ line: some Collection<UInt8>) throws -> ControlReply {
        try makeDecoder().decode(ControlReply.self, from: Data(line))
    }

    /// The JSON encoder of the wire: compact, sorted keys, ISO 8601 dates with milliseconds (UTC).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatISO8601(date))
        }
        return encoder
    }

    /// The JSON decoder of the wire: dates as ISO 8601, with or without fractional seconds.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseISO8601(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an ISO 8601 date and time: '\(text)'")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-26T19:46:19.123Z`.
    public static func formatISO8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses `2026-11-26T19:46:19Z`, `2026-11-26T19:46:19.123Z` or with an offset (`+01:00`).
    public static func parseISO8601(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// A one-line reason for a decoding failure, naming the field.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "malformed JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context.codingPath + [key]))'"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty { return "a request is one JSON object per line" }
            return "field '\(path(context.codingPath))': expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "field '\(path(context.codingPath))': null where \(typeName(type)) was expected"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "malformed JSON" }
            return "field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "malformed JSON"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            .joined(separator: ".")
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: "\(type)"
        }
    }

    /// The fields every request has, read leniently so that a broken request still gets a reply
    /// carrying its id.
    private struct Envelope: Decodable {
        var version: Int?
        var id: Int?

        private enum CodingKeys: String, CodingKey { case version, id }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try? container.decodeIfPresent(Int.self, forKey: .version)
            id = try? container.decodeIfPresent(Int.self, forKey: .id)
        }
    }
}
