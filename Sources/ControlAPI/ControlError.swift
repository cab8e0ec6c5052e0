/// An error reply: what went wrong with one request. The connection stays usable afterwards
/// (except after an over-long line, which the server cannot resynchronise from).
public enum ControlError: Error, Sendable, Hashable {
    /// The daemon does not know this command name (an older daemon, or a typo).
    case unknownCommand(String)
    /// No call with this gateway call id, live or recorded.
    case notFound(String)
    /// No meeting with this ID in the meeting directory.
    case meetingNotFound(String)
    /// `meetingCreate` with an ID the directory already has.
    case meetingExists(String)
    /// The request was not valid: malformed JSON, a missing field, an out-of-range value.
    case badRequest(String)
    /// The request's protocol version is not one the daemon speaks.
    case unsupportedVersion(Int)
    /// The daemon failed while handling a valid request.
    case `internal`(String)
    /// An error code this client does not know (from a newer daemon), with the daemon's message.
    case other(code: String, message: String)

    /// The stable machine-readable code on the wire.
    public var code: String {
        switch self {
        case .unknownCommand: "unknownCommand"
        case .notFound: "notFound"
        case .meetingNotFound: "meetingNotFound"
        case .meetingExists: "meetingExists"
        case .badRequest: "badRequest"
        case .unsupportedVersion: "unsupportedVersion"
        case .internal: "internal"
        case .other(let code, _): code
        }
    }

    /// One line for a person.
    public var message: String {
        switch self {
        case .unknownCommand(let name): "unknown command '\(name)'"
        case .notFound(let id): "no call \(id)"
        case .meetingNotFound(let id): "no meeting \(id)"
        case .meetingExists(let id): "meeting \(id) already exists"
        case .badRequest(let reason): "bad request: \(reason)"
        case .unsupportedVersion(let version):
            "unsupported protocol version \(version) (this daemon speaks \(ControlWire.supportedVersions.map(String.init).joined(separator: ", ")))"
        case .internal(let reason): "internal error: \(reason)"
        case .other(_, let message): message
        }
    }
}

extension ControlError: CustomStringConvertible {
    public var description: String { message }
}

extension ControlError: Codable {
    private enum CodingKeys: String, CodingKey {
        case code, message, command, call, meeting, reason, version
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(String.self, forKey: .code)
        let message = try container.decodeIfPresent(String.self, forKey: .message) ?? code
        switch code {
        case "unknownCommand": self = .unknownCommand(try container.decode(String.self, forKey: .command))
        case "notFound": self = .notFound(try container.decode(String.self, forKey: .call))
        case "meetingNotFound": self = .meetingNotFound(try container.decode(String.self, forKey: .meeting))
        case "meetingExists": self = .meetingExists(try container.decode(String.self, forKey: .meeting))
        case "badRequest": self = .badRequest(try container.decode(String.self, forKey: .reason))
        case "unsupportedVersion": self = .unsupportedVersion(try container.decode(Int.self, forKey: .version))
        case "internal": self = .internal(try container.decode(String.self, forKey: .reason))
        default: self = .other(code: code, message: message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        switch self {
        case .unknownCommand(let name): try container.encode(name, forKey: .command)
        case .notFound(let id): try container.encode(id, forKey: .call)
        case .meetingNotFound(let id), .meetingExists(let id): try container.encode(id, forKey: .meeting)
        case .badRequest(let reason), .internal(let reason): try container.encode(reason, forKey: .reason)
        case .unsupportedVersion(let version): try container.encode(version, forKey: .version)
        case .other: break
        }
    }
}
