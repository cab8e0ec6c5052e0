/// The machine-readable `code` of an `error` message. An open set of strings: a newer gateway may
/// send a code an older client does not know, and the client still shows the `reason`.
public struct ParticipantErrorCode: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Unknown meeting or wrong passcode: one answer for both, so meeting IDs cannot be probed.
    public static let badCredentials: ParticipantErrorCode = "badCredentials"
    /// The meeting is locked and the joiner is not its host.
    public static let meetingLocked: ParticipantErrorCode = "meetingLocked"
    /// The roster has reached its limit.
    public static let meetingFull: ParticipantErrorCode = "meetingFull"
    /// The meeting has ended.
    public static let meetingEnded: ParticipantErrorCode = "meetingEnded"
    /// The joiner asked for the host role with an identity that is not the meeting's host.
    public static let notHost: ParticipantErrorCode = "notHost"
    /// Someone in the meeting already joined with this identity (one connection per identity, so
    /// every key holder and sender is one participant).
    public static let identityInUse: ParticipantErrorCode = "identityInUse"
    /// A command the sender may not give (host-only commands from a guest, unmuting someone else).
    public static let notAllowed: ParticipantErrorCode = "notAllowed"
    /// A `rekey` the gateway will not relay (not the key manager, a bad or stale manifest, a recipient
    /// who is not a key holder); the reason says which. The connection stays.
    public static let rekeyRefused: ParticipantErrorCode = "rekeyRefused"
    /// A command names a participant who is not in the meeting.
    public static let unknownParticipant: ParticipantErrorCode = "unknownParticipant"
    /// Malformed message: bad JSON, unknown `type`, missing or mistyped field, wrong order.
    public static let protocolError: ParticipantErrorCode = "protocolError"
    /// A field's value is out of bounds (key sizes, ID formats, lengths).
    public static let invalidValue: ParticipantErrorCode = "invalidValue"
    /// A `hello` in a protocol version the gateway does not speak.
    public static let unsupportedVersion: ParticipantErrorCode = "unsupportedVersion"
    /// A message over the size limit.
    public static let tooBig: ParticipantErrorCode = "tooBig"
}
