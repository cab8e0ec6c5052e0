import Frames

@testable import Meetings

/// Shared values for the meeting tests: a directory record, identities, hellos and SFrame-shaped frames.
enum Fixtures {
    static let meetingID = "123456789"
    static let passcode = "4321"
    static let start = MeetingInstant(nanoseconds: 1_000_000_000)

    static func record(
        mode: MeetingMode = .standard, locked: Bool = false, hostSigningKey: [UInt8]? = hostKey
    ) -> MeetingDirectoryRecord {
        MeetingDirectoryRecord(
            id: meetingID, passcode: passcode, mode: mode, locked: locked, hostName: "Alice", hostSigningKey: hostSigningKey)
    }

    static let hostKey = [UInt8](repeating: 0xA1, count: 32)

    static func identity(signingKey: [UInt8]) -> IdentityKeys {
        IdentityKeys(
            signingKey: signingKey, agreementKey: [UInt8](repeating: 0xB2, count: 32),
            agreementKeySignature: [UInt8](repeating: 0xC3, count: 64))
    }

    /// A guest identity distinct per `seed`.
    static func guestIdentity(_ seed: UInt8) -> IdentityKeys {
        identity(signingKey: [UInt8](repeating: seed, count: 32))
    }

    static func hello(
        name: String, role: ParticipantRole = .guest, passcode: String = passcode, meeting: String = meetingID,
        identity: IdentityKeys? = nil
    ) -> Hello {
        Hello(
            meeting: meeting, passcode: passcode, name: name, role: role,
            identity: identity ?? (role == .host ? Self.identity(signingKey: hostKey) : guestIdentity(0x10)))
    }

    /// An SFrame-shaped frame from sender index `sender` in `epoch` (RFC 9605 §4.3 header with
    /// its KID, CTR `counter`, then payload and a 16-byte "tag"); the hub never opens it, so the
    /// ciphertext need not be real.
    static func frame(sender: UInt64, epoch: UInt64 = 0, counter: UInt64 = 0, payload: [UInt8] = Array(0..<24)) -> [UInt8] {
        let keyID = try! SFrameKeyID(senderIndex: sender, epoch: epoch)
        return SFrameHeader(keyID: keyID.rawValue, counter: counter).encoded + payload + [UInt8](repeating: 0xEE, count: 16)
    }
}

/// A hub with people in it, and helpers to read what it did.
struct HubHarness {
    var hub: MeetingHub
    var nextConnection: UInt64 = 1

    init(record: MeetingDirectoryRecord = Fixtures.record(), settings: MeetingHub.Settings = MeetingHub.Settings()) {
        self.hub = MeetingHub(record: record, settings: settings)
    }

    /// Joins over a new connection; returns the actions and the participant (nil if refused).
    mutating func join(_ hello: Hello, record: MeetingDirectoryRecord? = Fixtures.record()) -> (
        actions: [MeetingHub.Action], id: ParticipantID?, connection: ConnectionID
    ) {
        let connection = ConnectionID(rawValue: nextConnection)
        nextConnection += 1
        let actions = hub.handle(.join(connection, hello, record, now: Fixtures.start))
        let id = actions.lazy.compactMap { action -> ParticipantID? in
            if case .admit(_, let id, _) = action { return id }
            return nil
        }.first
        return (actions, id, connection)
    }

    /// Joins and insists that it worked.
    mutating func admit(_ name: String, role: ParticipantRole = .guest, identity: IdentityKeys? = nil) -> ParticipantID {
        let result = join(Fixtures.hello(name: name, role: role, identity: identity))
        guard let id = result.id else { fatalError("\(name) was refused: \(result.actions)") }
        return id
    }

    mutating func phone(_ leg: PhoneLegID, name: String = "Phone ••• 1234", muted: Bool = false) -> ParticipantID? {
        let actions = hub.handle(.phoneJoin(leg, displayName: name, muted: muted, now: Fixtures.start))
        return actions.lazy.compactMap { action -> ParticipantID? in
            if case .admit(_, let id, _) = action { return id }
            return nil
        }.first
    }

    func senderIndex(of id: ParticipantID) -> SenderIndex {
        hub.roster.first { $0.id == id }!.senderIndex
    }
}

extension [MeetingHub.Action] {
    /// The messages sent to `id`, in order.
    func messages(to id: ParticipantID) -> [ParticipantMessage] {
        compactMap { action in
            if case .send(let message, let to) = action, to == id { return message }
            return nil
        }
    }

    /// The roster events sent to `id`.
    func rosterEvents(to id: ParticipantID) -> [RosterUpdate] {
        messages(to: id).compactMap { message in
            if case .roster(let update) = message { return update }
            return nil
        }
    }

    /// The epoch numbers started.
    var epochs: [UInt64] {
        compactMap { action in
            if case .startEpoch(let number, _) = action { return number }
            return nil
        }
    }

    /// Everyone a message went to.
    var recipients: Set<ParticipantID> {
        Set(
            compactMap { action in
                if case .send(_, let to) = action { return to }
                return nil
            })
    }
}
