import Calls
import ControlAPI
import Dialplan
import Foundation
import Frames
import LegMedia
import Logging
import Meetings
import NIOCore
import NIOPosix
import ParticipantTransport

/// The live meetings of app participants: one `MeetingHub` per meeting, the WebSocket sessions of
/// its participants, and the gateway's part as key manager of `standard` meetings (DESIGN.md §4:
/// a new epoch secret on every join and leave, a manifest signed with the gateway's identity, the
/// secret sealed to each participant). Frames pass through as they came (byte-identical): the
/// gateway opens none of them here.
actor MeetingRooms {
    private struct Connection {
        let session: WebSocketSession
        /// This connection already created a meeting (one per connection).
        var createdMeeting = false
        var meetingID: String?
        var participant: ParticipantID?
        var identity: PublicIdentity?
    }

    private struct Room {
        var hub: MeetingHub
        /// Phone callers wait until the host is in (the directory's setting for the meeting).
        var phonesWaitForHost = false
        /// Phone legs waiting for the host, in arrival order.
        var waiting: [WaitingPhone] = []
        /// Public identities of app participants, for manifests and sealing.
        var identities: [ParticipantID: PublicIdentity] = [:]
        var endpoints: [ParticipantID: ConnectionID] = [:]
        var lastRosterCount = 0
        /// The epoch the gateway made last, for a bridge created after it.
        var currentEpoch: (manifest: VerifiedEpochManifest, secret: EpochSecret)?
        /// Phone legs: their calls, sender indexes and ports to the leg media.
        var phones: [ParticipantID: PhoneLeg] = [:]
        /// Decrypts and mixes for the phone legs, on a media loop; exists while the meeting has any.
        var bridge: MediaLoopBridge?
        /// Who the bridge last heard talking, for roster `speaking` events.
        var speaking: Set<ParticipantID> = []

        init(_ record: MeetingRecord, gateway: PublicIdentity) {
            hub = MeetingHub(record: record.hubRecord, gateway: gateway)
            phonesWaitForHost = record.phonesWaitForHost
        }
    }

    private struct WaitingPhone {
        let call: GatewayCallID
        let displayName: String
        let muted: Bool
        let admission: PhoneAdmission
        let port: ConferencePort
    }

    /// A phone leg the meeting side knows but that is not in the roster yet: being admitted now, or
    /// waiting for the host's answer (`MeetingHub` holds it in the lobby).
    private struct ArrivingPhone {
        let call: GatewayCallID
        let meetingID: String
        let muted: Bool
        let port: ConferencePort
    }

    private struct PhoneLeg {
        let call: GatewayCallID
        let senderIndex: SenderIndex
        let port: ConferencePort
        var muted: Bool
    }

    private let directory: MeetingDirectory
    private let identity: ParticipantIdentity
    private let logger: Logger
    private var connections: [ConnectionID: Connection] = [:]
    private var rooms: [String: Room] = [:]
    private var nextConnection: UInt64 = 1
    /// Phone legs by call, to find their meeting when they hang up.
    private var phoneMeetings: [GatewayCallID: (meetingID: String, participant: ParticipantID)] = [:]
    /// Phone legs waiting for their meeting's host, by call.
    private var waitingMeetings: [GatewayCallID: String] = [:]
    /// Phone legs on their way into a meeting's roster (admitted now, or held for the host's answer).
    private var arriving: [PhoneLegID: ArrivingPhone] = [:]
    /// Where the hub's audit rows go (the call records' audit table).
    private let audit: @Sendable (AuditEntry) -> Void
    /// What a phone leg's caller must hear or have done (set by the application).
    private var notifyPhoneLeg: @Sendable (GatewayCallID, PhoneLegNotice) -> Void = { _, _ in }
    /// The media loop a meeting's phone bridge runs on, given the call of the phone that starts it.
    private let bridgeLoop: @Sendable (GatewayCallID) -> MediaLoop

    /// What the meeting side tells a phone leg's call.
    enum PhoneLegNotice: Sendable, Equatable {
        /// The host removed the caller: a prompt, then BYE.
        case removed(String)
        /// The meeting ended: goodbye, then BYE.
        case meetingEnded(String)
        /// The caller's own mute changed (`*6`, or the host).
        case muted(Bool)
        /// How many are in the meeting (`*#`).
        case participants(Int)
        /// The meeting's phone callers wait for its host.
        case waitingForHost
        /// The caller waits for the host's answer to join an `e2ee` meeting (issue 7).
        case lobby
        /// Policy keeps the caller out of an `e2ee` meeting (the host said no or did not answer, or the
        /// meeting became `e2ee` again): the end-to-end prompt, then BYE with Q.850 cause 21.
        case refused(String)
        /// The caller is in the meeting's roster now (at once, or let in from waiting).
        case admitted
        /// Someone joined or left: a short rising or falling tone.
        case someoneJoined
        case someoneLeft

        var isRemoval: Bool { if case .removed = self { true } else { false } }

        /// Whether the notice ends the call.
        var endsCall: Bool {
            switch self {
            case .removed, .meetingEnded, .refused: true
            default: false
            }
        }

        /// What the caller hears for the notices that do not end the call.
        var announcement: [PlaybackItem] {
            switch self {
            case .removed, .meetingEnded, .refused, .admitted: []
            case .muted(let muted): [.prompt(muted ? "muted" : "unmuted")]
            case .waitingForHost: [.prompt("waiting-for-host")]
            case .lobby: [.prompt("lobby"), .prompt("waiting-for-host")]
            case .participants(let count):
                [.prompt("participant-count")] + String(count).map { .prompt("digit-\($0)") }
            case .someoneJoined: [.tone(hertz: 660, duration: .milliseconds(90)), .tone(hertz: 880, duration: .milliseconds(120))]
            case .someoneLeft: [.tone(hertz: 880, duration: .milliseconds(90)), .tone(hertz: 660, duration: .milliseconds(120))]
            }
        }
    }
    /// Frames forwarded and frames a slow receiver dropped, since start.
    private(set) var framesForwarded = 0

    /// Bounds against hostile clients: connections open at once, and how long one may stay
    /// without joining (a connection that never says `hello` would otherwise be kept forever).
    struct Limits: Sendable {
        var connections = 4096
        var helloTimeout: Duration = .seconds(10)
    }

    private let limits: Limits

    /// Whether meetings of a tier may be `e2ee` (the plan's `e2ee-creation`), for the protocol's `create`.
    private let e2eeCreationAllowed: @Sendable (String) async -> Bool

    init(
        directory: MeetingDirectory, identity: ParticipantIdentity, logger: Logger, limits: Limits = Limits(),
        e2eeCreationAllowed: @escaping @Sendable (String) async -> Bool = { !MeetingRecord.tiersWithoutE2EE.contains($0) },
        audit: @escaping @Sendable (AuditEntry) -> Void = { _ in },
        bridgeLoop: @escaping @Sendable (GatewayCallID) -> MediaLoop = { _ in
            MediaLoop(loop: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "dialgate.media"))
        }
    ) {
        self.bridgeLoop = bridgeLoop
        self.e2eeCreationAllowed = e2eeCreationAllowed
        self.audit = audit
        self.directory = directory
        self.identity = identity
        self.logger = logger
        self.limits = limits
    }

    /// Connections being served, joined to a meeting or not.
    var openConnections: Int { connections.count }

    /// Serves one WebSocket connection until it closes; the participant then leaves its meeting.
    func serve(_ session: WebSocketSession) async {
        guard connections.count < limits.connections else {
            // RFC 6455 §7.4.1 1013: try again later.
            session.outbox.close(WebSocketClose(code: 1013, reason: "too many connections, try again later"))
            await session.run { _ in }
            logger.warning("participant connection refused: limit reached", metadata: ["remote": "\(session.remoteAddress)"])
            return
        }
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        connections[id] = Connection(session: session)
        let helloTimeout = limits.helloTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: helloTimeout)
            await self?.closeIfNotJoined(id)
        }
        await session.run { [weak self] message in
            await self?.received(message, on: id)
        }
        timer.cancel()
        disconnected(id)
    }

    private func closeIfNotJoined(_ id: ConnectionID) {
        guard let connection = connections[id], connection.meetingID == nil, !Task.isCancelled else { return }
        close(id, .policyViolation, "no hello within \(limits.helloTimeout)")
    }

    func onPhoneLegNotice(_ notify: @escaping @Sendable (GatewayCallID, PhoneLegNotice) -> Void) {
        notifyPhoneLeg = notify
    }

    /// A phone caller's `*6` or `*#`.
    func phoneControl(call: GatewayCallID, _ control: MeetingControl) {
        guard let (meetingID, participant) = phoneMeetings[call], let phone = rooms[meetingID]?.phones[participant] else { return }
        switch control {
        case .toggleMute:
            // The hub answers with `.setPhoneMuted`, which tells the caller (as when the host mutes).
            apply(handle(.command(from: participant, .mute(participant: participant, muted: !phone.muted)), in: meetingID), in: meetingID)
        case .announceParticipants:
            notifyPhoneLeg(call, .participants(rooms[meetingID]?.hub.roster.count ?? 0))
        }
    }

    /// Join and leave tones for the phone legs of a meeting, except `excluded`.
    private func tellPhones(in meetingID: String, _ notice: PhoneLegNotice, except excluded: ParticipantID? = nil) {
        for (participant, phone) in rooms[meetingID]?.phones ?? [:] where participant != excluded {
            notifyPhoneLeg(phone.call, notice)
        }
    }

    // MARK: - Phone legs

    /// A phone caller passed the IVR into a meeting. In a `standard` meeting it becomes a participant,
    /// the meeting rekeys (the gateway sends for the leg under its own KID), and the bridge mixes for
    /// it; an `e2ee` meeting does what `admission` (policy) says: refuse, or hold the caller for the
    /// host's answer and let them in once the host's client has downgraded the meeting (issue 7).
    func phoneJoin(
        call: GatewayCallID, meetingID: String, displayName: String, muted: Bool, waitsForHost: Bool = false,
        admission: PhoneAdmission = .direct, port: ConferencePort
    ) async {
        if rooms[meetingID] == nil {
            guard let record = try? await directory.meeting(id: meetingID) else {
                notifyPhoneLeg(call, .meetingEnded("the meeting is no longer in the directory"))
                return
            }
            if rooms[meetingID] == nil { rooms[meetingID] = Room(record, gateway: identity.publicIdentity) }
        }
        // The meeting's own setting, or policy (`phones-before-host no`), holds phones until the host is in.
        if let room = rooms[meetingID], room.phonesWaitForHost || waitsForHost, !hostIsIn(room) {
            rooms[meetingID]?.waiting.append(
                WaitingPhone(call: call, displayName: displayName, muted: muted, admission: admission, port: port))
            waitingMeetings[call] = meetingID
            notifyPhoneLeg(call, .waitingForHost)
            logger.info("phone leg waits for the host", metadata: ["call": "\(call)", "meeting": "\(meetingID)"])
            return
        }
        admitPhone(call: call, meetingID: meetingID, displayName: displayName, muted: muted, admission: admission, port: port)
    }

    private func admitPhone(
        call: GatewayCallID, meetingID: String, displayName: String, muted: Bool, admission: PhoneAdmission, port: ConferencePort
    ) {
        let leg = PhoneLegID(rawValue: "\(call)")
        let now = MeetingInstant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds))
        arriving[leg] = ArrivingPhone(call: call, meetingID: meetingID, muted: muted, port: port)
        let actions = handle(.phoneJoin(leg, displayName: displayName, muted: muted, now: now, admission: admission), in: meetingID)
        apply(actions, in: meetingID)
        // A leg the hub refused (locked, full, e2ee) was never admitted, so `apply` cannot find it:
        // it hears why and its call ends here, never left silent.
        if phoneMeetings[call] == nil, arriving[leg] != nil,
            !actions.contains(where: { if case .holdPhoneLeg = $0 { true } else { false } })
        {
            arriving[leg] = nil
            for case .removePhoneLeg(let refused, let reason) in actions where refused == leg {
                notifyPhoneLeg(call, .removed(reason))
            }
        }
        logger.info(
            "phone leg joined meeting",
            metadata: [
                "call": "\(call)", "meeting": "\(meetingID)", "admitted": "\(phoneMeetings[call] != nil)",
                "held": "\(arriving[leg] != nil)",
            ])
    }

    /// The hub put a phone leg in the roster (at once, or after the host's answer and the downgrade).
    private func phoneAdmitted(_ leg: PhoneLegID, as participant: ParticipantID, senderIndex: SenderIndex) {
        guard let phone = arriving.removeValue(forKey: leg) else { return }
        phoneMeetings[phone.call] = (phone.meetingID, participant)
        let leg = PhoneLeg(call: phone.call, senderIndex: senderIndex, port: phone.port, muted: phone.muted)
        rooms[phone.meetingID]?.phones[participant] = leg
        startBridge(in: phone.meetingID, adding: leg)
        notifyPhoneLeg(phone.call, .admitted)
        tellPhones(in: phone.meetingID, .someoneJoined, except: participant)
    }

    /// The host did not answer a held caller in time.
    private func admissionExpired(_ leg: PhoneLegID) {
        guard let phone = arriving[leg] else { return }
        apply(handle(.admissionExpired(leg), in: phone.meetingID), in: phone.meetingID)
    }

    /// Policy refused a phone caller: the meeting's app participants hear of it (issue 7: never a
    /// silent refusal), if anyone is in the meeting.
    func phoneRefused(meetingID: String, displayName: String, reason: String) {
        guard rooms[meetingID] != nil else { return }
        apply(handle(.phoneRefused(displayName: displayName, reason: reason), in: meetingID), in: meetingID)
    }

    /// Frames dropped for receivers that fell behind, on connections already closed.
    private var framesDroppedByClosed = 0

    /// What the live meetings add up to, for a metrics scrape.
    func census() -> MeetingCensus {
        var census = MeetingCensus()
        for room in rooms.values where !room.hub.isEnded {
            let mode = room.hub.mode == .standard ? "standard" : room.hub.isDowngraded ? "downgraded" : "e2ee"
            census.meetingsByMode[mode, default: 0] += 1
            for participant in room.hub.roster {
                if participant.kind == .app { census.appParticipants += 1 } else { census.phoneParticipants += 1 }
            }
            census.phonesWaiting += room.waiting.count + room.hub.waitingPhoneLegs.count
        }
        census.framesForwarded = framesForwarded
        census.framesDropped = framesDroppedByClosed + connections.values.reduce(0) { $0 + $1.session.outbox.droppedFrames }
        return census
    }

    /// A live `e2ee` meeting's downgrade for phone callers, for `dialgatectl meeting ID`.
    /// `meeting ID`: who is in a live meeting, then the phones waiting to enter; nil when not live.
    func roster(of meetingID: String) -> (members: [RosterMember], epoch: UInt64?)? {
        guard let room = rooms[meetingID], !room.hub.isEnded else { return nil }
        var members = room.hub.roster.map { participant in
            RosterMember(
                name: participant.name, kind: participant.kind.rawValue, role: participant.role?.rawValue, muted: participant.muted,
                call: room.phones[participant.id].map { "\($0.call)" }, fingerprint: participant.fingerprint)
        }
        members += room.waiting.map {
            RosterMember(name: $0.displayName, kind: "phone", muted: $0.muted, call: "\($0.call)", waiting: true)
        }
        members += room.hub.waitingPhones.compactMap { waiting in
            arriving[waiting.leg].map {
                RosterMember(name: waiting.name, kind: "phone", muted: $0.muted, call: "\($0.call)", waiting: true)
            }
        }
        return (members, room.hub.mode == .e2ee && room.hub.epoch > 0 ? room.hub.epoch : nil)
    }

    func downgrade(of meetingID: String) -> String? {
        rooms[meetingID]?.hub.downgradeSummary
    }

    /// Whether the meeting's host is in it now (`policyExplain`).
    func hostIsPresent(in meetingID: String) -> Bool {
        rooms[meetingID].map(hostIsIn) ?? false
    }

    /// Whether a host app participant is in the meeting.
    private func hostIsIn(_ room: Room) -> Bool {
        room.hub.roster.contains { $0.kind == .app && room.hub.isHost($0.id) }
    }

    /// The host arrived: the phones waiting for it join, in the order they came.
    private func admitWaitingPhones(in meetingID: String) {
        guard let waiting = rooms[meetingID]?.waiting, !waiting.isEmpty else { return }
        rooms[meetingID]?.waiting = []
        for phone in waiting {
            waitingMeetings[phone.call] = nil
            admitPhone(
                call: phone.call, meetingID: meetingID, displayName: phone.displayName, muted: phone.muted, admission: phone.admission,
                port: phone.port)
        }
    }

    /// The phone leg's call ended.
    func phoneLeave(call: GatewayCallID) {
        let leg = PhoneLegID(rawValue: "\(call)")
        if let held = arriving.removeValue(forKey: leg) {
            // Hung up while waiting for the host's answer: the host's request is withdrawn.
            apply(handle(.phoneWithdrew(leg), in: held.meetingID), in: held.meetingID)
            dropIfIdle(held.meetingID)
            return
        }
        if let meetingID = waitingMeetings.removeValue(forKey: call) {
            rooms[meetingID]?.waiting.removeAll { $0.call == call }
            dropIfIdle(meetingID)
            return
        }
        guard let (meetingID, participant) = phoneMeetings.removeValue(forKey: call) else { return }
        if let phone = rooms[meetingID]?.phones.removeValue(forKey: participant) {
            rooms[meetingID]?.bridge?.send(.removePhoneLeg(phone.senderIndex))
        }
        apply(handle(.leave(participant), in: meetingID), in: meetingID)
        tellPhones(in: meetingID, .someoneLeft)
        stopBridgeIfIdle(in: meetingID)
        dropIfIdle(meetingID)
    }

    private func startBridge(in meetingID: String, adding phone: PhoneLeg) {
        guard var room = rooms[meetingID] else { return }
        if room.bridge == nil {
            let bridge = MediaLoopBridge(
                meetingID: meetingID, gatewayIdentity: identity.fingerprint, on: bridgeLoop(phone.call), logger: logger,
                speakingChanged: { [weak self] sources in Task { await self?.speakingChanged(sources, in: meetingID) } })
            bridge.start()
            if let current = room.currentEpoch { bridge.send(.install(current.manifest, current.secret)) }
            room.bridge = bridge
            rooms[meetingID] = room
            updateBridgeReceivers(in: meetingID)
        }
        room.bridge?.send(.addPhoneLeg(phone.senderIndex, phone.port, muted: phone.muted))
    }

    private func stopBridgeIfIdle(in meetingID: String) {
        guard let room = rooms[meetingID], room.phones.isEmpty else { return }
        stopBridge(in: meetingID)
    }

    private func stopBridge(in meetingID: String) {
        rooms[meetingID]?.bridge?.stop()
        rooms[meetingID]?.bridge = nil
    }

    /// The bridge sends the phones' frames to the meeting's app participants: told again whenever
    /// the roster or the connections may have changed.
    private func updateBridgeReceivers(in meetingID: String) {
        guard let room = rooms[meetingID], let bridge = room.bridge else { return }
        let receivers = room.hub.roster.filter { $0.kind == .app }.compactMap { room.endpoints[$0.id] }.compactMap {
            connections[$0]?.session.outbox
        }
        bridge.send(.receivers(receivers))
    }

    /// Who the bridge hears talking becomes roster `speaking` events (on change only).
    private func speakingChanged(_ sources: Set<SenderIndex>, in meetingID: String) {
        guard let room = rooms[meetingID], room.bridge != nil else { return }
        let now = Set(room.hub.roster.filter { sources.contains($0.senderIndex) }.map(\.id))
        guard now != room.speaking else { return }
        rooms[meetingID]?.speaking = now
        for participant in now.symmetricDifference(room.speaking) {
            apply(handle(.speaking(participant, now.contains(participant)), in: meetingID), in: meetingID)
        }
    }

    /// The operator's `meeting lock`: applied to the live meeting, if it has participants.
    func lock(meetingID: String, _ locked: Bool) {
        apply(handle(.operatorLock(locked), in: meetingID), in: meetingID)
    }

    /// The operator's `meeting end`: everyone is told and disconnected.
    func end(meetingID: String, reason: String) {
        apply(handle(.operatorEnd(reason: reason), in: meetingID), in: meetingID)
    }

    /// Closes every connection with 1001 (going away), as the gateway stops.
    func closeAll(reason: String) {
        for connection in connections.values {
            connection.session.outbox.close(WebSocketClose(code: WebSocketClose.goingAway, reason: reason))
        }
    }

    /// How many meetings have participants now, and how many participants.
    var counts: (meetings: Int, participants: Int) {
        (rooms.count, rooms.values.reduce(0) { $0 + $1.hub.roster.count })
    }

    // MARK: - Input

    private func received(_ message: WebSocketMessage, on id: ConnectionID) async {
        guard let connection = connections[id] else { return }
        switch message {
        case .binary(let buffer):
            guard let meetingID = connection.meetingID, let participant = connection.participant else {
                close(id, .unsupportedData, "media before joining a meeting")
                return
            }
            apply(handle(.frame(from: participant, Array(buffer.readableBytesView)), in: meetingID), in: meetingID, frame: buffer)
        case .text(let text):
            let decoded: ParticipantMessage
            do throws(ParticipantProtocolError) {
                decoded = try ParticipantProtocol.decode(text, from: .fromClient)
            } catch {
                connection.session.outbox.send(text: ParticipantProtocol.encode(error.errorMessage))
                close(id, error.closeCode, error.reason)
                return
            }
            if case .hello(let hello) = decoded {
                await join(hello, on: id)
            } else if case .create(let request) = decoded, connection.meetingID == nil {
                await create(request, on: id)
            } else if let meetingID = connection.meetingID, let participant = connection.participant {
                apply(handle(.command(from: participant, decoded), in: meetingID), in: meetingID)
            } else {
                close(id, .policyViolation, "send hello first")
            }
        }
    }

    private func join(_ hello: Hello, on id: ConnectionID) async {
        guard connections[id]?.meetingID == nil else {
            close(id, .policyViolation, "hello sent twice")
            return
        }
        let publicIdentity: PublicIdentity
        do throws(FramesError) {
            publicIdentity = try PublicIdentity(hello.identity)
        } catch {
            refuse(id, code: .policyViolation, reason: "identity: \(error)")
            return
        }
        // The directory answers unknown meetings with nil; the hub answers both the same way.
        let record = try? await directory.meeting(id: hello.meeting)
        guard connections[id] != nil else { return }  // gone while the directory answered
        connections[id]?.identity = publicIdentity
        let now = MeetingInstant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds))
        guard let record else {
            apply(MeetingHub.refusalForUnknownMeeting(id), in: nil)
            return
        }
        if rooms[hello.meeting] == nil {
            rooms[hello.meeting] = Room(record, gateway: identity.publicIdentity)
        }
        let actions = handle(
            .join(id, hello, record.hubRecord, now: now, fingerprint: publicIdentity.fingerprint.description), in: hello.meeting)
        apply(actions, in: hello.meeting)
        if let participant = connections[id]?.participant {
            tellPhones(in: hello.meeting, .someoneJoined)
            if rooms[hello.meeting]?.hub.isHost(participant) == true { admitWaitingPhones(in: hello.meeting) }
        }
        dropIfIdle(hello.meeting)
    }

    /// Meetings a host client created over the protocol, per source address in the last hour.
    private var creations: [String: [ContinuousClock.Instant]] = [:]
    static let creationsPerHour = 20

    /// `create`: a meeting whose host key is the creator's (DESIGN.md §4), tier `free`. One per
    /// connection and `creationsPerHour` per source address, so a client cannot fill the directory.
    private func create(_ request: CreateMeeting, on id: ConnectionID) async {
        guard let connection = connections[id], !connection.createdMeeting else {
            refuse(id, code: .policyViolation, reason: "one meeting per connection")
            return
        }
        let source = Self.hostPart(of: connection.session.remoteAddress)
        let now = ContinuousClock.now
        var recent = (creations[source] ?? []).filter { now - $0 < .seconds(3600) }
        guard recent.count < Self.creationsPerHour else {
            refuse(id, code: .policyViolation, reason: "too many meetings created from \(source) in the last hour")
            return
        }
        if creations.count >= 65536 { creations.removeAll() }
        recent.append(now)
        creations[source] = recent
        connections[id]?.createdMeeting = true
        let host: PublicIdentity
        do throws(FramesError) {
            host = try PublicIdentity(request.identity)
        } catch {
            refuse(id, code: .policyViolation, reason: "identity: \(error)")
            return
        }
        // The protocol has no accounts: its meetings are of the default tier, which the directory
        // does not let have e2ee meetings (`MeetingRecord.tiersWithoutE2EE`).
        let mode: MeetingRecord.Mode = request.mode == .e2ee ? .e2ee : .standard
        var lastError: (code: ParticipantErrorCode, reason: String) = (.invalidValue, "")
        let allowed = await e2eeCreationAllowed(MeetingRecord.defaultTier)
        for attempt in 0..<5 {
            let meetingID = request.meeting ?? Self.randomMeetingID()
            do throws(MeetingDirectoryError) {
                let record = try await directory.create(
                    id: meetingID, passcode: request.passcode, mode: mode, host: request.name, hostSigningKey: host.signingKey,
                    e2eeAllowed: allowed)
                connections[id]?.session.outbox.send(
                    text: ParticipantProtocol.encode(.created(meeting: record.id, passcode: record.passcode, mode: request.mode)))
                logger.info(
                    "meeting created by a host client",
                    metadata: ["meeting": "\(record.id)", "remote": "\(source)", "host": "\(host.fingerprint)"])
                return
            } catch {
                if case .e2eeNotAllowed = error { lastError.code = .notAllowed }
                lastError.reason = error.description
                if case .duplicateID = error, request.meeting == nil, attempt < 4 { continue }
                break
            }
        }
        connections[id]?.session.outbox.send(text: ParticipantProtocol.encode(.error(code: lastError.code, reason: lastError.reason)))
    }

    /// A free-looking 10-digit meeting ID (the directory refuses a duplicate; the caller retries).
    static func randomMeetingID() -> String {
        String((0..<10).map { index in Character(String(Int.random(in: index == 0 ? 1...9 : 0...9))) })
    }

    /// `127.0.0.1` of `127.0.0.1:5060`, `::1` of `[::1]:5060`.
    static func hostPart(of address: String) -> String {
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        return address.split(separator: ":").first.map(String.init) ?? address
    }

    private func disconnected(_ id: ConnectionID) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        framesDroppedByClosed += connection.session.outbox.droppedFrames
        guard let meetingID = connection.meetingID, let participant = connection.participant else { return }
        rooms[meetingID]?.endpoints[participant] = nil
        if let senderIndex = rooms[meetingID]?.hub.roster.first(where: { $0.id == participant })?.senderIndex {
            rooms[meetingID]?.bridge?.send(.removeAppSender(senderIndex))
        }
        apply(handle(.leave(participant), in: meetingID), in: meetingID)
        updateBridgeReceivers(in: meetingID)
        rooms[meetingID]?.identities[participant] = nil
        tellPhones(in: meetingID, .someoneLeft)
        dropIfIdle(meetingID)
    }

    private func handle(_ event: MeetingHub.Event, in meetingID: String) -> [MeetingHub.Action] {
        rooms[meetingID]?.hub.handle(event) ?? []
    }

    // MARK: - Output

    /// Carries out the hub's actions. `frame` is the received buffer, shared by every receiver
    /// (ByteBuffer is copy-on-write: N receivers, no copy).
    private func apply(_ actions: [MeetingHub.Action], in meetingID: String?, frame: ByteBuffer? = nil) {
        for action in actions {
            switch action {
            case .admit(.connection(let id), let participant, _):
                connections[id]?.meetingID = meetingID
                connections[id]?.participant = participant
                if let meetingID {
                    rooms[meetingID]?.endpoints[participant] = id
                    rooms[meetingID]?.identities[participant] = connections[id]?.identity
                    updateBridgeReceivers(in: meetingID)
                }
            case .admit(.phoneLeg(let leg), let participant, let senderIndex):
                phoneAdmitted(leg, as: participant, senderIndex: senderIndex)
            case .send(var message, let participant):
                if case .welcome(var welcome) = message, welcome.mode == .standard {
                    welcome.keyManager = IdentityKeys(identity.publicIdentity)
                    message = .welcome(welcome)
                }
                session(of: participant, in: meetingID)?.outbox.send(text: ParticipantProtocol.encode(message))
            case .refuse(let id, let message, let code, let reason):
                connections[id]?.session.outbox.send(text: ParticipantProtocol.encode(message))
                close(id, code, reason)
            case .close(let participant, let code, let reason):
                if let meetingID, let id = rooms[meetingID]?.endpoints[participant] { close(id, code, reason) }
            case .forward(let bytes, _, let receivers):
                let shared = frame ?? ByteBuffer(bytes: bytes)
                for receiver in receivers { session(of: receiver, in: meetingID)?.outbox.send(frame: shared) }
                framesForwarded += 1
            case .toPhoneMix(let bytes, _):
                if let meetingID { rooms[meetingID]?.bridge?.send(.appFrame(bytes)) }
            case .startEpoch(let epoch, let holders):
                if let meetingID { startEpoch(epoch, holders: holders, in: meetingID) }
            case .pinHostIdentity(let key):
                // Trust on first use, made durable: later hosts must hold the same key.
                logger.info("host identity pinned", metadata: ["meeting": "\(meetingID ?? "-")"])
                if let meetingID {
                    let directory = directory
                    Task { try? await directory.pinHostSigningKey(id: meetingID, key) }
                }
            case .setPhoneMuted(let leg, let muted):
                if let meetingID, let (participant, phone) = phone(leg, in: meetingID) {
                    rooms[meetingID]?.phones[participant]?.muted = muted
                    rooms[meetingID]?.bridge?.send(.setMuted(phone.senderIndex, muted))
                    notifyPhoneLeg(phone.call, .muted(muted))
                }
            case .removePhoneLeg(let leg, let reason):
                if let meetingID, let call = call(of: leg, in: meetingID) {
                    let ending: PhoneLegNotice = rooms[meetingID]?.hub.isEnded == true ? .meetingEnded(reason) : .removed(reason)
                    notifyPhoneLeg(call, ending)
                }
            case .refusePhoneLeg(let leg, let reason):
                if let meetingID, let call = call(of: leg, in: meetingID) {
                    arriving[leg] = nil
                    notifyPhoneLeg(call, .refused(reason))
                }
            case .holdPhoneLeg(let leg, let timeout):
                if let phone = arriving[leg] {
                    notifyPhoneLeg(phone.call, .lobby)
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        await self?.admissionExpired(leg)
                    }
                }
            case .installGatewayEpoch(let verified, let sealed):
                if let meetingID { installGatewayEpoch(verified, sealed: sealed, in: meetingID) }
            case .dropGatewayEpochs:
                // The bridge goes with the keys: nothing of an e2ee epoch can be opened for a phone.
                if let meetingID {
                    rooms[meetingID]?.currentEpoch = nil
                    stopBridge(in: meetingID)
                }
            case .audit(let kind, let detail, let leg):
                let callID = meetingID.flatMap { meetingID in leg.flatMap { self.call(of: $0, in: meetingID) } }
                audit(AuditEntry(at: Date(), callID: callID?.rawValue, meetingID: meetingID, kind: kind, detail: detail))
                logger.info("meeting audit", metadata: ["meeting": "\(meetingID ?? "-")", "kind": "\(kind)", "detail": "\(detail)"])
            case .lockChanged(let locked):
                logger.info("meeting lock changed", metadata: ["meeting": "\(meetingID ?? "-")", "locked": "\(locked)"])
            case .meetingEnded(let reason):
                logger.info("meeting ended", metadata: ["meeting": "\(meetingID ?? "-")", "reason": "\(reason)"])
            }
        }
    }

    /// A `standard` meeting's new epoch: a fresh secret, a manifest signed by the gateway naming
    /// every key holder and sender, the secret sealed to each holder (DESIGN.md §4). `e2ee`
    /// meetings are keyed by their host's client (the end-to-end issue), never here.
    private func startEpoch(_ epoch: UInt64, holders: [ParticipantID], in meetingID: String) {
        guard let room = rooms[meetingID], room.hub.mode == .standard else { return }
        let holderIdentities = holders.compactMap { participant in room.identities[participant].map { (participant, $0) } }
        let rosterCount = room.hub.roster.count
        let reason: EpochManifest.Reason = room.lastRosterCount == 0 ? .start : rosterCount > room.lastRosterCount ? .join : .leave
        rooms[meetingID]?.lastRosterCount = rosterCount
        let senders = room.hub.roster.map { participant -> EpochManifest.Sender in
            let source: EpochManifest.Sender.Source =
                room.identities[participant.id].map { .participant($0.fingerprint) } ?? .phone
            return EpochManifest.Sender(senderIndex: UInt64(participant.senderIndex.rawValue), source: source)
        }
        do throws(FramesError) {
            let secret = try EpochSecret.random()
            let manifest = try EpochManifest(
                meetingID: meetingID, epoch: epoch, mode: .standard, keyManager: identity.fingerprint,
                keyHolders: [identity.fingerprint] + holderIdentities.map(\.1.fingerprint), senders: senders, reason: reason,
                secret: secret)
            let signed = try SignedEpochManifest(signing: manifest, as: identity)
            let verified = try VerifiedEpochManifest(ownManifest: signed, keyManager: identity)
            rooms[meetingID]?.currentEpoch = (verified, secret)
            rooms[meetingID]?.bridge?.send(.install(verified, secret))
            for (participant, publicIdentity) in holderIdentities {
                let sealed = try SealedEpochSecret(sealing: secret, for: signed, to: publicIdentity)
                let announcement = EpochAnnouncement(
                    epoch: epoch, manifest: signed.canonicalEncoding, signature: signed.signature, sealedSecret: sealed.encoded)
                session(of: participant, in: meetingID)?.outbox.send(text: ParticipantProtocol.encode(.epoch(announcement)))
            }
            logger.info(
                "epoch started",
                metadata: [
                    "meeting": "\(meetingID)", "epoch": "\(epoch)", "keyHolders": "\(holderIdentities.count + 1)", "reason": "\(reason)",
                ])
        } catch {
            logger.error("cannot start an epoch", metadata: ["meeting": "\(meetingID)", "epoch": "\(epoch)", "error": "\(error)"])
        }
    }

    /// A downgraded `e2ee` meeting's `standard` epoch, made by the host's client: the secret sealed to
    /// the gateway opens with its identity, and the phone bridge takes the epoch (issue 7).
    private func installGatewayEpoch(_ verified: VerifiedEpochManifest, sealed: [UInt8], in meetingID: String) {
        do throws(FramesError) {
            let secret = try SealedEpochSecret(encoded: sealed).open(with: identity, for: verified)
            rooms[meetingID]?.currentEpoch = (verified, secret)
            rooms[meetingID]?.bridge?.send(.install(verified, secret))
            logger.info(
                "gateway holds a downgraded meeting's epoch",
                metadata: ["meeting": "\(meetingID)", "epoch": "\(verified.manifest.epoch)", "signer": "\(verified.signer.fingerprint)"])
        } catch {
            logger.error(
                "cannot open the host's epoch",
                metadata: ["meeting": "\(meetingID)", "epoch": "\(verified.manifest.epoch)", "error": "\(error)"])
        }
    }

    /// Forgets a meeting's live state once it is over, or nobody is in it and no phone waits for it
    /// (for its host, or for the host's answer: their timers still need the hub).
    private func dropIfIdle(_ meetingID: String) {
        guard let room = rooms[meetingID] else { return }
        if room.hub.isEnded || (room.hub.isEmpty && room.waiting.isEmpty && room.hub.waitingPhoneLegs.isEmpty) {
            room.bridge?.stop()
            rooms[meetingID] = nil
        }
    }

    /// The call of a phone leg in the meeting's roster or on its way in.
    private func call(of leg: PhoneLegID, in meetingID: String) -> GatewayCallID? {
        phone(leg, in: meetingID)?.1.call ?? arriving[leg]?.call
    }

    private func phone(_ leg: PhoneLegID, in meetingID: String) -> (ParticipantID, PhoneLeg)? {
        rooms[meetingID]?.phones.first { "\($0.value.call)" == leg.rawValue }.map { ($0.key, $0.value) }
    }

    private func session(of participant: ParticipantID, in meetingID: String?) -> WebSocketSession? {
        guard let meetingID, let id = rooms[meetingID]?.endpoints[participant] else { return nil }
        return connections[id]?.session
    }

    private func refuse(_ id: ConnectionID, code: WebSocketCloseCode, reason: String) {
        connections[id]?.session.outbox.send(text: ParticipantProtocol.encode(.error(code: .invalidValue, reason: reason)))
        close(id, code, reason)
    }

    private func close(_ id: ConnectionID, _ code: WebSocketCloseCode, _ reason: String) {
        connections[id]?.session.outbox.close(WebSocketClose(code: code.rawValue, reason: reason))
    }
}

extension MeetingRecord {
    /// What the hub needs of a directory entry.
    var hubRecord: MeetingDirectoryRecord {
        MeetingDirectoryRecord(
            id: id, passcode: passcode, mode: mode == .e2ee ? .e2ee : .standard, locked: locked, hostName: host,
            hostSigningKey: hostSigningKey)
    }
}
