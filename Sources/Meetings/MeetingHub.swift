import Frames

/// The live roster of ONE meeting: who is in it, who may do what, which key epoch it is in, and
/// where each media frame goes. A pure state machine (STYLE.md habit 2): the participant server
/// and the phone bridge feed it events and carry out the actions it returns, in order. It owns no
/// socket, reads no clock and never opens a frame.
///
/// Rules it enforces:
/// - joining needs the meeting's passcode; a wrong passcode and an unknown meeting get the very
///   same answer (``refusalForUnknownMeeting(_:)``), so meeting IDs cannot be probed;
/// - a locked meeting admits only its host; the host role needs the meeting's host identity;
/// - the roster is bounded (``Settings/maxParticipants``), phone legs included;
/// - only the host mutes others, removes, locks and ends; anyone mutes or unmutes themselves,
///   and nobody but the participant unmutes them;
/// - every join and leave starts a new key epoch (DESIGN.md §4), numbered strictly upwards;
/// - each frame goes, byte-identical, to every other app participant, never back to its sender;
///   frames of a muted participant go nowhere; phone legs get app frames through the phone mix;
/// - participant ids and sender indexes are never reused within the meeting.
public struct MeetingHub: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Participants at most, app and phone together; joiners beyond it are refused.
        public var maxParticipants = 100
        /// Display names are cut to this many characters after sanitising (``DisplayName``).
        public var maxNameCharacters = 64
        /// Refuse frames whose SFrame KID does not carry the sender's own index (above the 8 epoch bits), so
        /// nobody's audio can be shown under someone else's name. On unless a test needs otherwise.
        public var checksFrameKeyID = true

        public init() {}
    }

    /// Where a participant is reached: a participant-protocol connection or a phone leg.
    public enum Endpoint: Sendable, Hashable {
        case connection(ConnectionID)
        case phoneLeg(PhoneLegID)
    }

    public enum Event: Sendable, Hashable {
        /// A connection sent `hello`. `record` is the directory's entry for `hello.meeting`, nil
        /// when there is none; `fingerprint` is the key code's fingerprint of `hello.identity`, if
        /// it has computed one.
        case join(ConnectionID, Hello, MeetingDirectoryRecord?, now: MeetingInstant, fingerprint: String? = nil)
        /// A phone caller passed the IVR for this meeting (its passcode already checked there);
        /// `admission` is what policy asked for should the meeting be `e2ee` (issue 7).
        case phoneJoin(PhoneLegID, displayName: String, muted: Bool, now: MeetingInstant, admission: PhoneAdmission = .direct)
        /// A phone caller waiting for the host's answer was not answered in time (the adapter's timer).
        case admissionExpired(PhoneLegID)
        /// A phone caller waiting for the host's answer hung up.
        case phoneWithdrew(PhoneLegID)
        /// A participant is gone: its connection closed, or its phone leg hung up.
        case leave(ParticipantID)
        /// A joined participant sent a control message (a phone leg's DTMF `*6` is a `mute` of itself).
        case command(from: ParticipantID, ParticipantMessage)
        /// A joined participant sent a media frame (for a phone leg: the gateway protected its audio).
        case frame(from: ParticipantID, [UInt8])
        /// Voice activity: the participant started (true) or stopped (false) speaking.
        case speaking(ParticipantID, Bool)
        /// The operator locked or unlocked the meeting (`dialgatectl meeting lock`).
        case operatorLock(Bool)
        /// The operator ended the meeting (`dialgatectl meeting end`).
        case operatorEnd(reason: String)
        /// Policy refused a phone caller from this meeting; the participants are told.
        case phoneRefused(displayName: String, reason: String)
    }

    public enum Action: Sendable, Hashable {
        /// Bind the endpoint to the participant it joined as (before anything is sent to it); the
        /// sender index is its SFrame KID above the 8 epoch bits.
        case admit(Endpoint, as: ParticipantID, senderIndex: SenderIndex)
        /// The meeting had no host identity: store this one in the directory as its host's.
        case pinHostIdentity(signingKey: [UInt8])
        /// Send a control message to an app participant.
        case send(ParticipantMessage, to: ParticipantID)
        /// A connection that did not join: send `message` (an `error`), then close with the code.
        case refuse(ConnectionID, ParticipantMessage, close: WebSocketCloseCode, reason: String)
        /// Close an app participant's connection (after the messages before it are sent).
        case close(ParticipantID, WebSocketCloseCode, reason: String)
        /// Send these bytes, unchanged, as a binary message to each of these app participants.
        case forward([UInt8], from: ParticipantID, to: [ParticipantID])
        /// A standard meeting with phone legs: decrypt this app frame (its KID names the sender),
        /// decode it at 8 kHz and feed it to the phone mix.
        case toPhoneMix([UInt8], from: ParticipantID)
        /// Ask the key manager for epoch `number`, sealed to these app participants (with the
        /// gateway itself in standard meetings); it sends each an `epoch` message.
        case startEpoch(UInt64, keyHolders: [ParticipantID])
        /// Mute or unmute a phone leg's audio into the meeting (and tell the caller with a tone).
        case setPhoneMuted(PhoneLegID, Bool)
        /// Play the caller a prompt saying why, then send BYE.
        case removePhoneLeg(PhoneLegID, reason: String)
        /// Policy keeps the caller out of the `e2ee` meeting (the host said no, did not answer, or
        /// re-keyed to `e2ee` while the caller was in): the end-to-end prompt, then BYE with Q.850 cause 21.
        case refusePhoneLeg(PhoneLegID, reason: String)
        /// The caller waits for the host's answer (a lobby prompt, then silence); after `timeout` the
        /// adapter sends `admissionExpired`.
        case holdPhoneLeg(PhoneLegID, timeout: Duration)
        /// A downgraded meeting's `standard` epoch: open `sealedSecret` with the gateway's identity and
        /// install the epoch in the phone bridge (the hub has verified the manifest).
        case installGatewayEpoch(VerifiedEpochManifest, sealedSecret: [UInt8])
        /// The meeting is `e2ee` again: forget every epoch secret the gateway was given.
        case dropGatewayEpochs
        /// Write an audit row for the meeting (admissions, mode changes); `leg` when it is about a call.
        case audit(kind: String, detail: String, leg: PhoneLegID?)
        /// The lock changed: store it in the directory.
        case lockChanged(Bool)
        /// The meeting is over and everyone is out: drop this hub.
        case meetingEnded(reason: String)
    }

    /// What the hub counted.
    public struct Statistics: Sendable, Hashable {
        /// Frames forwarded (once per frame, whatever the number of receivers).
        public var framesForwarded: UInt64 = 0
        /// Frames from muted participants, dropped.
        public var framesFromMuted: UInt64 = 0
        /// Joins refused (any reason).
        public var joinsRefused: UInt64 = 0
    }

    enum State: Sendable, Hashable {
        case open
        case ended(reason: String)
    }

    struct Member: Sendable, Hashable {
        var participant: Participant
        var endpoint: Endpoint
        var isHost: Bool
        var joinedAt: MeetingInstant
        var speaking = false
        /// App participants: the identity of their `hello` (verified), nil if it did not verify.
        var identity: PublicIdentity?

        var isApp: Bool { participant.kind == .app }
    }

    public let meetingID: String
    public let mode: MeetingMode
    public let settings: Settings
    /// Whether the meeting admits only its host.
    public internal(set) var locked: Bool
    /// The last epoch number handed out (0: none yet).
    public internal(set) var epoch: UInt64 = 0
    public internal(set) var statistics = Statistics()

    var state: State = .open
    var hostSigningKey: [UInt8]?
    /// The host's whole public identity, once the host has joined: the root of an `e2ee` meeting's keys.
    var hostIdentity: PublicIdentity?
    /// The gateway's own identity: an `e2ee` manifest that names it as a key holder is not relayed.
    let gatewayIdentity: PublicIdentity?
    /// `e2ee`: the manifests relayed so far, checked as a client checks them (`MeetingHub+Keys`).
    var keyVerifier: EpochManifestVerifier?
    /// `e2ee`: the host's newest relayed manifest, for `welcome.delegation`.
    var delegation: SignedManifestCopy?
    /// `e2ee`: set while the host has downgraded the meeting for phone callers (issue 7).
    var downgrade: Downgrade?
    /// `e2ee`, downgraded: the (at most two) newest epochs the gateway holds, whose frames may reach phones.
    var gatewayEpochs: [UInt64] = []
    /// `e2ee`: whether the current epoch's secret was sealed to the gateway (every `e2ee` epoch empties
    /// `gatewayEpochs`, and a `standard` one is relayed only with the gateway's copy).
    var gatewayHoldsKey: Bool { !gatewayEpochs.isEmpty }
    /// `e2ee`: phone callers waiting for the host's answer, in arrival order.
    var pending: [PendingPhone] = []
    var lastRequest: UInt32 = 0
    var members: [ParticipantID: Member] = [:]
    /// Participant ids in join order.
    var order: [ParticipantID] = [] {
        // Who receives whose frames changes only when someone joins or leaves.
        didSet { receiversBySender.removeAll() }
    }
    /// Per sender, the app participants its frames go to (``receivers(ofFramesFrom:)``), made on the
    /// sender's first frame after a join or leave and shared by every `.forward` until the next one, so
    /// forwarding a frame allocates no receiver list.
    var receiversBySender: [ParticipantID: [ParticipantID]] = [:]
    /// The last frame's actions, refilled in place by the next frame (`MeetingHub+Frames`): once the
    /// caller has let go of the previous result its storage is unique again and is reused, so a frame
    /// allocates no action list either. Holds the last frame's bytes until the next frame.
    var frameActions: [Action] = []
    var connections: [ConnectionID: ParticipantID] = [:]
    var phoneLegs: [PhoneLegID: ParticipantID] = [:]
    var senders: [SenderIndex: ParticipantID] = [:]
    var lastParticipantID: UInt32 = 0
    var lastSenderIndex: UInt32 = 0

    /// A hub for the meeting `record` describes (its mode, lock and host identity); `gateway` is the
    /// gateway's own identity, which no `e2ee` epoch may name as a key holder.
    public init(record: MeetingDirectoryRecord, settings: Settings = Settings(), gateway: PublicIdentity? = nil) {
        self.gatewayIdentity = gateway
        self.meetingID = record.id
        self.mode = record.mode
        self.locked = record.locked
        self.hostSigningKey = record.hostSigningKey
        self.settings = settings
    }

    /// Carries out one event; returns what the adapter must do, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (_, .join(let connection, let hello, let record, let now, let fingerprint)):
            return join(connection, hello: hello, record: record, now: now, fingerprint: fingerprint)
        case (.open, .phoneJoin(let leg, let name, let muted, let now, let admission)):
            guard phoneLegs[leg] == nil, !pending.contains(where: { $0.leg == leg }) else { return [] }
            if mode == .e2ee { return phoneAsks(leg, displayName: name, muted: muted, now: now, admission: admission) }
            return admitPhone(leg, displayName: name, muted: muted, now: now)
        case (.open, .admissionExpired(let leg)):
            return endWait(leg, timedOut: true)
        case (.open, .phoneWithdrew(let leg)):
            return endWait(leg, timedOut: false)
        case (.open, .leave(let id)):
            return depart(id, event: .left)
        case (.open, .command(let id, let message)):
            return command(from: id, message)
        case (.open, .frame(let id, let bytes)):
            return frame(from: id, bytes)
        case (.open, .speaking(let id, let speaking)):
            return setSpeaking(id, speaking)
        case (.open, .operatorLock(let locked)):
            return setLocked(locked, confirmTo: nil)
        case (.open, .operatorEnd(let reason)):
            return end(reason: reason)
        case (.open, .phoneRefused(let name, let reason)):
            let shown = DisplayName.sanitize(name, maxCharacters: settings.maxNameCharacters)
            return broadcast(.notice(Notice(event: .phoneRefused, name: shown, reason: WebSocketCloseCode.closeReason(reason))))

        case (.ended(let reason), .phoneJoin(let leg, _, _, _, _)):
            return [.removePhoneLeg(leg, reason: reason)]
        case (.ended, .leave), (.ended, .command), (.ended, .frame), (.ended, .speaking), (.ended, .operatorLock),
            (.ended, .operatorEnd), (.ended, .phoneRefused), (.ended, .admissionExpired), (.ended, .phoneWithdrew):
            // Everyone was closed or removed when the meeting ended; late events change nothing.
            return []
        }
    }

    // MARK: Reading the state

    /// Everyone in the meeting, in join order.
    public var roster: [Participant] { order.compactMap { members[$0]?.participant } }
    public var isEmpty: Bool { order.isEmpty }
    public var isEnded: Bool { if case .ended = state { true } else { false } }
    /// The participant a connection joined as.
    public func participant(for connection: ConnectionID) -> ParticipantID? { connections[connection] }
    /// The participant a phone leg joined as.
    public func participant(forPhoneLeg leg: PhoneLegID) -> ParticipantID? { phoneLegs[leg] }
    /// The participant who owns a sender index (from a frame's KID).
    public func participant(withSenderIndex index: SenderIndex) -> ParticipantID? { senders[index] }
    /// Whether `id` joined with the host's identity.
    public func isHost(_ id: ParticipantID) -> Bool { members[id]?.isHost ?? false }
    /// When `id` joined.
    public func joinedAt(_ id: ParticipantID) -> MeetingInstant? { members[id]?.joinedAt }

    /// App participants in join order, except `excluded`.
    func appParticipants(except excluded: ParticipantID? = nil) -> [ParticipantID] {
        order.filter { $0 != excluded && members[$0]?.isApp == true }
    }

    /// The app participants a frame of `sender` goes to: ``appParticipants(except:)``, kept per sender
    /// until the roster changes.
    mutating func receivers(ofFramesFrom sender: ParticipantID) -> [ParticipantID] {
        if let receivers = receiversBySender[sender] { return receivers }
        let receivers = appParticipants(except: sender)
        receiversBySender[sender] = receivers
        return receivers
    }

    var hasPhoneLegs: Bool { !phoneLegs.isEmpty }

    /// Whether an `e2ee` meeting is downgraded for phone callers now (the host consented).
    public var isDowngraded: Bool { downgrade != nil }
    /// The downgrade for a person: since which epoch, on whose consent.
    public var downgradeSummary: String? {
        downgrade.map {
            "standard since epoch \($0.sinceEpoch), consent: \($0.automatic ? "automatic (tier policy), signed by " : "")\($0.consentedBy)"
        }
    }
    /// Phone legs waiting for the host's answer.
    public var waitingPhoneLegs: [PhoneLegID] { pending.map(\.leg) }
    /// The same, with the name each will have in the roster.
    public var waitingPhones: [(leg: PhoneLegID, name: String)] { pending.map { ($0.leg, $0.name) } }

    /// The message `message`, to every app participant except `excluded`.
    func broadcast(_ message: ParticipantMessage, except excluded: ParticipantID? = nil) -> [Action] {
        appParticipants(except: excluded).map { .send(message, to: $0) }
    }

    /// A new epoch for the app participants, when there are any to hold its key. Only in `standard`
    /// meetings: an `e2ee` meeting's key manager (the host's client) starts its epochs with `rekey`.
    mutating func nextEpoch() -> [Action] {
        guard mode == .standard else { return [] }
        let holders = appParticipants()
        guard !holders.isEmpty else { return [] }
        epoch += 1
        return [.startEpoch(epoch, keyHolders: holders)]
    }
}
