/// One entry of a meeting's roster as participants see it (`welcome.roster`, `roster.participant`).
///
/// ```json
/// {"id":2,"name":"Bob","kind":"app","muted":false,"senderIndex":2,"fingerprint":"3F7A 91C2 ..."}
/// ```
public struct Participant: Codable, Sendable, Hashable {
    public var id: ParticipantID
    /// The sanitised display name (``DisplayName``).
    public var name: String
    public var kind: ParticipantKind
    public var muted: Bool
    /// The low 32 bits of this participant's SFrame KID.
    public var senderIndex: SenderIndex
    /// The identity fingerprint the key code computes from the participant's public keys (what
    /// people compare aloud); absent for phone legs and until the key code has checked the keys.
    public var fingerprint: String?
    /// App participants: `host` for the meeting's host, `guest` for everyone else.
    public var role: ParticipantRole?
    /// App participants: the public identity they joined with, so an `e2ee` meeting's key manager can
    /// seal epoch secrets to them and everyone can check the key manager's signatures.
    public var identity: IdentityKeys?

    public init(
        id: ParticipantID, name: String, kind: ParticipantKind, muted: Bool = false, senderIndex: SenderIndex,
        fingerprint: String? = nil, role: ParticipantRole? = nil, identity: IdentityKeys? = nil
    ) {
        self.role = role
        self.identity = identity
        self.id = id
        self.name = name
        self.kind = kind
        self.muted = muted
        self.senderIndex = senderIndex
        self.fingerprint = fingerprint
    }
}

/// How a participant takes part.
public enum ParticipantKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// A client of the participant protocol: holds the epoch key, sends and receives SFrame frames.
    case app
    /// A phone caller bridged by the gateway; the gateway encodes and protects its audio.
    case phone
}

/// The role a client asks for in `hello`.
public enum ParticipantRole: String, Codable, Sendable, Hashable, CaseIterable {
    /// May mute others, remove, lock and end; must present the meeting's host identity.
    case host
    case guest
}

/// A meeting's security mode (DESIGN.md §1).
public enum MeetingMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// The gateway holds the media key too: it can decode for phone legs.
    case standard
    /// Only the participants' devices hold the key; the gateway forwards frames it cannot open.
    case e2ee
}

/// What happened to the participant a `roster` message carries.
public enum RosterEvent: String, Codable, Sendable, Hashable, CaseIterable {
    case joined
    case left
    case muted
    case unmuted
    /// The host removed the participant.
    case removed
    /// The participant started or stopped speaking (the message's `speaking` says which).
    case speaking
}
