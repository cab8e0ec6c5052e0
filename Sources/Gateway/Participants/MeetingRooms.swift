import Foundation
import Frames
import Logging
import Meetings
import NIOCore
import ParticipantTransport

/// The live meetings of app participants: one `MeetingHub` per meeting, the WebSocket sessions of
/// its participants, and the gateway's part as key manager of `standard` meetings (DESIGN.md §4:
/// a new epoch secret on every join and leave, a manifest signed with the gateway's identity, the
/// secret sealed to each participant). Frames pass through as they came (byte-identical): the
/// gateway opens none of them here.
actor MeetingRooms {
    private struct Connection {
        let session: WebSocketSession
        var meetingID: String?
        var participant: ParticipantID?
        var identity: PublicIdentity?
    }

    private struct Room {
        var hub: MeetingHub
        /// Public identities of app participants, for manifests and sealing.
        var identities: [ParticipantID: PublicIdentity] = [:]
        var endpoints: [ParticipantID: ConnectionID] = [:]
        var lastKeyHolderCount = 0
    }

    private let directory: MeetingDirectory
    private let identity: ParticipantIdentity
    private let logger: Logger
    private var connections: [ConnectionID: Connection] = [:]
    private var rooms: [String: Room] = [:]
    private var nextConnection: UInt64 = 1
    /// Frames forwarded and frames a slow receiver dropped, since start.
    private(set) var framesForwarded = 0

    init(directory: MeetingDirectory, identity: ParticipantIdentity, logger: Logger) {
        self.directory = directory
        self.identity = identity
        self.logger = logger
    }

    /// Serves one WebSocket connection until it closes; the participant then leaves its meeting.
    func serve(_ session: WebSocketSession) async {
        let id = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        connections[id] = Connection(session: session)
        await session.run { [weak self] message in
            await self?.received(message, on: id)
        }
        disconnected(id)
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
            publicIdentity = try PublicIdentity(
                signingKey: hello.identity.signingKey, agreementKey: hello.identity.agreementKey,
                agreementKeySignature: hello.identity.agreementKeySignature)
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
            rooms[hello.meeting] = Room(hub: MeetingHub(record: record.hubRecord))
        }
        let actions = handle(
            .join(id, hello, record.hubRecord, now: now, fingerprint: publicIdentity.fingerprint.description), in: hello.meeting)
        apply(actions, in: hello.meeting)
        if rooms[hello.meeting]?.hub.isEmpty == true { rooms[hello.meeting] = nil }
    }

    private func disconnected(_ id: ConnectionID) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        guard let meetingID = connection.meetingID, let participant = connection.participant else { return }
        rooms[meetingID]?.endpoints[participant] = nil
        apply(handle(.leave(participant), in: meetingID), in: meetingID)
        rooms[meetingID]?.identities[participant] = nil
        if let room = rooms[meetingID], room.hub.isEmpty || room.hub.isEnded { rooms[meetingID] = nil }
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
                }
            case .admit(.phoneLeg, _, _):
                break
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
            case .toPhoneMix:
                // The phone bridge (decode, mix, encode for phone legs) is not built yet.
                break
            case .startEpoch(let epoch, let holders):
                if let meetingID { startEpoch(epoch, holders: holders, in: meetingID) }
            case .pinHostIdentity:
                logger.info("host identity pinned for this meeting's life", metadata: ["meeting": "\(meetingID ?? "-")"])
            case .setPhoneMuted, .removePhoneLeg:
                break
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
        let reason: EpochManifest.Reason =
            room.lastKeyHolderCount == 0 ? .start : holderIdentities.count > room.lastKeyHolderCount ? .join : .leave
        rooms[meetingID]?.lastKeyHolderCount = holderIdentities.count
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
        MeetingDirectoryRecord(id: id, passcode: passcode, mode: mode == .e2ee ? .e2ee : .standard, locked: locked, hostName: host)
    }
}

extension IdentityKeys {
    init(_ identity: PublicIdentity) {
        self.init(
            signingKey: identity.signingKey, agreementKey: identity.agreementKey, agreementKeySignature: identity.agreementKeySignature)
    }
}
