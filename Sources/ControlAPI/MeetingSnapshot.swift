import Foundation

/// A meeting's security mode (DESIGN.md §1). An open set of strings, like ``CallState``: a newer
/// gateway may report a mode an older `dialgatectl` does not know, and that must not make the whole
/// reply unreadable. A daemon accepts only the modes it knows in `meetingCreate`.
public struct MeetingMode: OpenStringValue {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The server holds the media key: it can mix and transcode, so phones can join.
    public static let standard: MeetingMode = "standard"
    /// Only the participants' devices hold the key; phones join only as policy allows.
    public static let e2ee: MeetingMode = "e2ee"
}

/// One meeting of the gateway's meeting directory, as the control API shows it.
///
/// `passcode` is only sent where the operator asked for one meeting (`meeting ID`, and the reply
/// to `meetingCreate`, which may carry a passcode the gateway generated); the `meetings` list
/// never carries passcodes.
public struct MeetingSnapshot: Codable, Sendable, Hashable {
    /// The meeting ID callers dial, 9 to 11 digits.
    public var id: String
    /// 4 to 10 digits; nil in listings.
    public var passcode: String?
    public var mode: MeetingMode
    /// The host's account tier (`free`, `paid`, `enterprise`, ...), which policy looks at.
    public var tier: String
    /// The host's name, when one was given.
    public var host: String?
    public var createdAt: Date
    /// A locked meeting admits nobody new.
    public var locked: Bool
    /// Phone callers wait for the host; absent from replies of gateways before this setting (false).
    public var phonesWaitForHost: Bool?
    /// `meeting ID` only: the meeting's audit trail, newest first (policy decisions, the lobby's
    /// requests and answers, mode changes with who consented and the epochs).
    public var audit: [AuditRow]?
    /// `meeting ID` only, an `e2ee` meeting live now and downgraded for phone callers: what the host
    /// consented to (e.g. "standard since epoch 4, consent: Alice"); absent otherwise.
    public var downgrade: String?
    /// `meeting ID` only, a meeting live now: who is in it, in join order, then the phone callers
    /// waiting to enter (for the host, or for the host's answer).
    public var roster: [RosterMember]?
    /// `meeting ID` only, an `e2ee` meeting live now: the last key epoch its host handed out.
    public var epoch: UInt64?

    public init(
        id: String, passcode: String? = nil, mode: MeetingMode, tier: String, host: String? = nil, createdAt: Date,
        locked: Bool = false, phonesWaitForHost: Bool? = nil
    ) {
        self.phonesWaitForHost = phonesWaitForHost
        self.id = id
        self.passcode = passcode
        self.mode = mode
        self.tier = tier
        self.host = host
        self.createdAt = createdAt
        self.locked = locked
    }
}

/// One row of the audit trail (DESIGN.md §5): when, which call, what kind of event, and why.
public struct AuditRow: Codable, Sendable, Hashable {
    public var at: Date
    public var call: String?
    /// `policy.refused-e2ee`, `policy.admit`, ...
    public var kind: String
    public var detail: String

    public init(at: Date, call: String?, kind: String, detail: String) {
        self.at = at
        self.call = call
        self.kind = kind
        self.detail = detail
    }
}

/// One participant of a live meeting, as `meeting ID` shows it.
public struct RosterMember: Codable, Sendable, Hashable {
    /// The name others see (sanitised by the meeting side).
    public var name: String
    /// `app` or `phone`.
    public var kind: String
    /// `host` or `guest` for app participants.
    public var role: String?
    public var muted: Bool
    /// A phone caller's gateway call id (what `call ID` takes).
    public var call: String?
    /// An app participant's identity fingerprint (what people compare aloud in an `e2ee` meeting).
    public var fingerprint: String?
    /// True for a phone caller not let in yet (waiting for the host, or for the host's answer).
    public var waiting: Bool

    public init(
        name: String, kind: String, role: String? = nil, muted: Bool, call: String? = nil, fingerprint: String? = nil, waiting: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.role = role
        self.muted = muted
        self.call = call
        self.fingerprint = fingerprint
        self.waiting = waiting
    }
}
