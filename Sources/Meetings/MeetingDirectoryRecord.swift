/// What the meeting directory knows about one meeting, as the adapter looked it up for the hub.
public struct MeetingDirectoryRecord: Sendable, Hashable {
    /// The meeting ID, 9 to 11 digits.
    public var id: String
    /// 4 to 10 digits.
    public var passcode: String
    public var mode: MeetingMode
    /// A locked meeting admits nobody new but its host.
    public var locked: Bool
    /// The host's name, when the meeting was created with one.
    public var hostName: String?
    /// The host's Ed25519 signing key (32 bytes), fixed when the meeting was created (DESIGN.md §4).
    /// Nil when it was created without one (`dialgatectl meeting create --host NAME`): the first
    /// client to join as host then pins its key (``MeetingHub/Action/pinHostIdentity(signingKey:)``).
    public var hostSigningKey: [UInt8]?

    public init(
        id: String, passcode: String, mode: MeetingMode = .standard, locked: Bool = false, hostName: String? = nil,
        hostSigningKey: [UInt8]? = nil
    ) {
        self.id = id
        self.passcode = passcode
        self.mode = mode
        self.locked = locked
        self.hostName = hostName
        self.hostSigningKey = hostSigningKey
    }
}

extension MeetingDirectoryRecord: CustomStringConvertible {
    /// Never shows the passcode.
    public var description: String { "meeting \(id) (\(mode.rawValue)\(locked ? ", locked" : ""))" }
}
