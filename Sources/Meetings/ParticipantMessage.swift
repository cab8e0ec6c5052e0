/// One control message of the participant protocol, version 2 (docs/participant-protocol.md): a
/// WebSocket text message holding one JSON object whose `"type"` says which message it is.
/// Media is not here: binary WebSocket messages are SFrame frames, forwarded untouched.
///
/// Decode with ``ParticipantProtocol/decode(_:from:)`` (size limit, nesting limit, typed errors with
/// a close code); encode with ``ParticipantProtocol/encode(_:)``.
public enum ParticipantMessage: Sendable, Hashable {
    // MARK: Client → gateway

    /// The first message on a connection: which meeting, the passcode, a name, a role, an identity.
    case hello(Hello)
    /// Mute or unmute a participant: anyone themselves; only the host others (and only to mute).
    case mute(participant: ParticipantID, muted: Bool)
    /// Host only: remove a participant (an app is disconnected, a phone caller hears a prompt and BYE).
    case remove(participant: ParticipantID)
    /// Host only: lock (nobody new but the host may join) or unlock the meeting.
    case lock(locked: Bool)
    /// Host only: end the meeting for everyone.
    case end
    /// Leave the meeting (the gateway closes the connection with 1000).
    case leave
    /// Before `hello`: create a meeting whose host is this identity (answered with `created`).
    case create(CreateMeeting)
    /// The key manager of an `e2ee` meeting (its host, or a co-host the host named) starts an epoch:
    /// the gateway relays the manifest and each sealed secret as an `epoch` to its recipient.
    case rekey(Rekey)
    /// The host answers an `admissionRequest`: let the phone caller in (for a downgrade, the host's
    /// client then signs a `standard` epoch with the gateway among the key holders) or not.
    case admission(request: AdmissionRequestID, accept: Bool)

    // MARK: Gateway → client

    /// The join succeeded: who you are, your sender index, the mode, who is here.
    case welcome(Welcome)
    /// Someone joined, left, was (un)muted, removed, or started or stopped speaking.
    case roster(RosterUpdate)
    /// A new key epoch: the signed manifest and the epoch secret sealed to the receiver.
    case epoch(EpochAnnouncement)
    /// The meeting's lock changed (or, to the host who asked, is already so).
    case locked(Bool)
    /// The meeting is over; the connection closes next.
    case ended(reason: String)
    /// A refusal or a protocol error; `reason` is one line for a person.
    case error(code: ParticipantErrorCode, reason: String)
    /// The meeting `create` asked for: its ID and passcode, to share with guests.
    case created(meeting: String, passcode: String, mode: MeetingMode)
    /// Something participants should know that is not a roster change (a phone caller refused).
    case notice(Notice)
    /// To the host of an `e2ee` meeting: a phone caller asks to join (policy `lobby` or `downgrade`).
    case admissionRequest(AdmissionRequest)
}

/// `create`: a host client makes a meeting (DESIGN.md §4: its host identity is fixed here).
///
/// ```json
/// {"type":"create","version":2,"name":"Alice","mode":"standard",
///  "identity":{"signingKey":"<base64>","agreementKey":"<base64>","agreementKeySignature":"<base64>"}}
/// ```
/// `meeting` and `passcode` are optional: the gateway picks a free 10-digit ID and 6 random digits.
public struct CreateMeeting: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var mode: MeetingMode
    public var meeting: String?
    public var passcode: String?
    public var identity: IdentityKeys

    public init(
        version: Int = ParticipantProtocol.version, name: String, mode: MeetingMode = .standard, meeting: String? = nil,
        passcode: String? = nil, identity: IdentityKeys
    ) {
        self.version = version
        self.name = name
        self.mode = mode
        self.meeting = meeting
        self.passcode = passcode
        self.identity = identity
    }
}

extension ParticipantMessage {
    /// The `"type"` of each message.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case hello, mute, remove, lock, end, leave, create, rekey, admission
        case welcome, roster, epoch, locked, ended, error, created, notice, admissionRequest

        /// Who sends this kind of message.
        public var direction: ParticipantProtocol.Direction {
            switch self {
            case .hello, .mute, .remove, .lock, .end, .leave, .create, .rekey, .admission: .fromClient
            case .welcome, .roster, .epoch, .locked, .ended, .error, .created, .notice, .admissionRequest: .fromGateway
            }
        }
    }

    public var kind: Kind {
        switch self {
        case .hello: .hello
        case .mute: .mute
        case .remove: .remove
        case .lock: .lock
        case .end: .end
        case .leave: .leave
        case .create: .create
        case .rekey: .rekey
        case .admission: .admission
        case .welcome: .welcome
        case .roster: .roster
        case .epoch: .epoch
        case .locked: .locked
        case .ended: .ended
        case .error: .error
        case .created: .created
        case .notice: .notice
        case .admissionRequest: .admissionRequest
        }
    }
}

/// `hello`: what a client sends first.
///
/// ```json
/// {"type":"hello","version":2,"meeting":"123456789","passcode":"4321","name":"Alice","role":"host",
///  "identity":{"signingKey":"<base64, 32 bytes>","agreementKey":"<base64, 32 bytes>",
///              "agreementKeySignature":"<base64, 64 bytes>"}}
/// ```
public struct Hello: Sendable, Hashable {
    public var version: Int
    /// The meeting ID, 9 to 11 digits.
    public var meeting: String
    /// 4 to 10 digits.
    public var passcode: String
    /// The name the client asks to be shown with; the hub sanitises and shortens it.
    public var name: String
    public var role: ParticipantRole
    public var identity: IdentityKeys

    public init(
        version: Int = ParticipantProtocol.version, meeting: String, passcode: String, name: String, role: ParticipantRole,
        identity: IdentityKeys
    ) {
        self.version = version
        self.meeting = meeting
        self.passcode = passcode
        self.name = name
        self.role = role
        self.identity = identity
    }
}

extension Hello: CustomStringConvertible {
    /// Never shows the passcode (a `hello` may end up in a log line).
    public var description: String {
        "hello(v\(version), meeting \(meeting), passcode <\(passcode.count) digits>, name \(name.debugDescription), \(role.rawValue))"
    }
}

/// A client's public identity (DESIGN.md §4): an Ed25519 signing key, an X25519 key agreement key,
/// and the signing key's signature over the agreement key. Only the sizes are checked here; the key
/// code verifies the signature and computes the fingerprint.
public struct IdentityKeys: Sendable, Hashable {
    /// Sizes after base64 decoding.
    public static let signingKeyLength = 32
    public static let agreementKeyLength = 32
    public static let signatureLength = 64

    public var signingKey: [UInt8]
    public var agreementKey: [UInt8]
    public var agreementKeySignature: [UInt8]

    public init(signingKey: [UInt8], agreementKey: [UInt8], agreementKeySignature: [UInt8]) {
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.agreementKeySignature = agreementKeySignature
    }
}

/// `welcome`: the gateway's answer to a `hello` that joined.
public struct Welcome: Sendable, Hashable {
    public var version: Int
    /// The receiver's own participant id.
    public var participant: ParticipantID
    /// The receiver's sender index: the KID it puts on its SFrame frames is this above 8 epoch bits.
    public var senderIndex: SenderIndex
    public var meeting: String
    public var mode: MeetingMode
    /// Everyone in the meeting, the receiver included, in join order.
    public var roster: [Participant]
    /// Whose signature `epoch` manifests carry: in a `standard` meeting the gateway's (it makes the
    /// epochs); in an `e2ee` meeting the host's, once the gateway has seen the host (the root of the
    /// meeting's keys, present or not: compare its fingerprint with the one the host shared).
    public var keyManager: IdentityKeys?
    /// The newest epoch number the meeting has had (absent before the first): a returning host
    /// starts above it.
    public var epoch: UInt64?
    /// `e2ee` only: the host's newest signed manifest (no secret), so a client that joins while the host
    /// is away learns which co-hosts the host named and can verify their epochs.
    public var delegation: SignedManifestCopy?

    public init(
        version: Int = ParticipantProtocol.version, participant: ParticipantID, senderIndex: SenderIndex, meeting: String,
        mode: MeetingMode, roster: [Participant], keyManager: IdentityKeys? = nil, epoch: UInt64? = nil,
        delegation: SignedManifestCopy? = nil
    ) {
        self.keyManager = keyManager
        self.epoch = epoch
        self.delegation = delegation
        self.version = version
        self.participant = participant
        self.senderIndex = senderIndex
        self.meeting = meeting
        self.mode = mode
        self.roster = roster
    }
}

/// `roster`: one change to the roster.
public struct RosterUpdate: Sendable, Hashable {
    public var event: RosterEvent
    /// The participant as they are after the event.
    public var participant: Participant
    /// For `speaking` events only: whether they started (true) or stopped (false).
    public var speaking: Bool?

    public init(event: RosterEvent, participant: Participant, speaking: Bool? = nil) {
        self.event = event
        self.participant = participant
        self.speaking = speaking
    }
}

/// `epoch`: a new key epoch (DESIGN.md §4). Opaque to the meeting core: the key manager makes the
/// signed manifest and seals the epoch secret to each key holder; this only carries the bytes.
public struct EpochAnnouncement: Sendable, Hashable {
    public var epoch: UInt64
    /// The epoch manifest as the key manager encoded it.
    public var manifest: [UInt8]
    /// The key manager's signature over `manifest`.
    public var signature: [UInt8]
    /// The epoch secret and manifest hash sealed to the receiver's agreement key (`crypto_box_seal`).
    public var sealedSecret: [UInt8]

    public init(epoch: UInt64, manifest: [UInt8], signature: [UInt8], sealedSecret: [UInt8]) {
        self.epoch = epoch
        self.manifest = manifest
        self.signature = signature
        self.sealedSecret = sealedSecret
    }
}

/// A signed epoch manifest without any secret (`welcome.delegation`).
public struct SignedManifestCopy: Sendable, Hashable {
    public var manifest: [UInt8]
    public var signature: [UInt8]

    public init(manifest: [UInt8], signature: [UInt8]) {
        self.manifest = manifest
        self.signature = signature
    }
}

/// `rekey`: an `e2ee` meeting's key manager starts an epoch (issue 6). The gateway checks the manifest
/// (the signer, the meeting, a greater epoch, no gateway among the key holders) and the recipients
/// (app participants in the roster, each a key holder), then relays each sealed secret, with the
/// manifest, as an `epoch` message. It cannot open any of them.
///
/// ```json
/// {"type":"rekey","epoch":4,"manifest":"<base64>","signature":"<base64>",
///  "sealed":[{"participant":2,"sealedSecret":"<base64>"},{"participant":3,"sealedSecret":"<base64>"}]}
/// ```
public struct Rekey: Sendable, Hashable {
    /// One key holder's copy of the epoch secret.
    public struct Delivery: Sendable, Hashable {
        public var participant: ParticipantID
        /// The secret and manifest hash sealed to the participant's agreement key (`crypto_box_seal`).
        public var sealedSecret: [UInt8]

        public init(participant: ParticipantID, sealedSecret: [UInt8]) {
            self.participant = participant
            self.sealedSecret = sealedSecret
        }
    }

    public var epoch: UInt64
    public var manifest: [UInt8]
    public var signature: [UInt8]
    public var sealed: [Delivery]
    /// A `standard` epoch of a downgraded `e2ee` meeting (issue 7): the secret sealed to the gateway,
    /// which the manifest names as a key holder, so it can mix for the phones. Absent otherwise.
    public var gatewaySealedSecret: [UInt8]?

    public init(epoch: UInt64, manifest: [UInt8], signature: [UInt8], sealed: [Delivery], gatewaySealedSecret: [UInt8]? = nil) {
        self.epoch = epoch
        self.manifest = manifest
        self.signature = signature
        self.sealed = sealed
        self.gatewaySealedSecret = gatewaySealedSecret
    }

    /// The `epoch` message for one delivery.
    public func announcement(for delivery: Delivery) -> EpochAnnouncement {
        EpochAnnouncement(epoch: epoch, manifest: manifest, signature: signature, sealedSecret: delivery.sealedSecret)
    }
}

/// `notice`: an event for the participants that is not a roster change.
///
/// ```json
/// {"type":"notice","event":"phoneRefused","name":"Phone ••• 4567","reason":"End-to-end encrypted meeting: phone callers cannot join"}
/// ```
public struct Notice: Sendable, Hashable {
    public enum Event: String, Codable, Sendable, Hashable, CaseIterable {
        /// Policy refused a phone caller from this meeting (it heard why, and the call ended).
        case phoneRefused
        /// The meeting is no longer end-to-end encrypted: the host consented (or the tier allows it
        /// without asking) to the gateway holding the key so a phone caller (`name`) can join.
        case downgraded
        /// The meeting is end-to-end encrypted again: the gateway holds no key of the new epoch.
        case upgraded
        /// An `admissionRequest` is over without the host's answer (the caller hung up, or it timed out).
        case admissionClosed
    }

    public var event: Event
    /// Who it is about, as participants would have seen them.
    public var name: String
    public var reason: String

    public init(event: Event, name: String, reason: String) {
        self.event = event
        self.name = name
        self.reason = reason
    }
}

/// `admissionRequest`: a phone caller asks to join the host's `e2ee` meeting (issue 7). The host's
/// client shows it and answers with `admission`; no answer within `timeout` seconds is a refusal.
///
/// ```json
/// {"type":"admissionRequest","request":1,"name":"Phone ••• 4567","kind":"downgrade","automatic":false,
///  "timeout":60,"reUpgrade":true,"gateway":{"signingKey":"<base64>","agreementKey":"<base64>",
///  "agreementKeySignature":"<base64>"}}
/// ```
/// `kind` `lobby`: the host lets the caller in or not; the meeting is downgraded first if it is still
/// `e2ee`. `downgrade`: the caller joins only if the host consents to the downgrade; `automatic`: the
/// tier allows it without asking, and the host's client signs the `standard` epoch without asking.
/// `gateway` is the identity the `standard` epoch must name as a key holder and seal its secret to;
/// `reUpgrade`: policy wants a new `e2ee` epoch when the last phone leaves.
public struct AdmissionRequest: Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case lobby, downgrade
    }

    public var request: AdmissionRequestID
    /// The caller as participants would see them (masked per policy).
    public var name: String
    public var kind: Kind
    public var automatic: Bool
    /// Seconds the caller waits for an answer.
    public var timeout: Int
    public var reUpgrade: Bool
    public var gateway: IdentityKeys

    public init(
        request: AdmissionRequestID, name: String, kind: Kind, automatic: Bool, timeout: Int, reUpgrade: Bool, gateway: IdentityKeys
    ) {
        self.request = request
        self.name = name
        self.kind = kind
        self.automatic = automatic
        self.timeout = timeout
        self.reUpgrade = reUpgrade
        self.gateway = gateway
    }
}
