import Foundation
import Frames
import Meetings
import ParticipantClient

/// Prints what happens: with `--events`, one JSON object per line on stdout (keys sorted, written
/// straight to the descriptor: `print` is block-buffered into a pipe); otherwise one line a person
/// reads, on stderr. Failures always go to stderr as one line.
struct EventOutput: Sendable {
    let json: Bool

    /// One `--events` line; absent fields are left out.
    struct Line: Encodable {
        var event: String
        var fingerprint: String?
        var signingKey: String?
        var name: String?
        var participant: ParticipantLine?
        var change: String?
        var speaking: Bool?
        var senderIndex: UInt32?
        var meeting: String?
        var roster: [ParticipantLine]?
        var epoch: UInt64?
        var keyHolders: Int?
        var keyHolderFingerprints: [String]?
        var coHosts: [String]?
        var senders: Int?
        var securityCode: String?
        var keyManagerHoldsKey: Bool?
        /// Key holders that are not app participants here (the gateway, in a downgraded meeting).
        var keyHoldersOutsideRoster: [String]?
        var request: UInt32?
        var kind: String?
        var automatic: Bool?
        var timeout: Int?
        var reUpgrade: Bool?
        var answer: String?
        var signer: String?
        var mode: String?
        var reason: String?
        var code: String?
        var locked: Bool?
        var policy: String?
        var passcode: String?
        var closeCode: UInt16?
        var statistics: [String: Int]?

        init(event: String) { self.event = event }
    }

    struct ParticipantLine: Encodable {
        var id: UInt32
        var name: String
        var kind: String
        var muted: Bool
        var senderIndex: UInt32
        var fingerprint: String?
        var role: String?

        init(_ participant: Participant) {
            role = participant.role?.rawValue
            id = participant.id.rawValue
            name = participant.name
            kind = participant.kind.rawValue
            muted = participant.muted
            senderIndex = participant.senderIndex.rawValue
            fingerprint = participant.fingerprint
        }
    }

    func identity(_ identity: ParticipantIdentity) {
        var line = Line(event: "identity")
        line.fingerprint = identity.fingerprint.description
        line.signingKey = Data(identity.publicIdentity.signingKey).base64EncodedString()
        emit(line, human: "our fingerprint: \(identity.fingerprint) (signing key \(line.signingKey ?? ""))")
    }

    func created(_ meeting: CreatedMeeting) {
        var line = Line(event: "created")
        line.meeting = meeting.meeting
        line.passcode = meeting.passcode
        line.mode = meeting.mode.rawValue
        emit(line, human: "created meeting \(meeting.meeting), passcode \(meeting.passcode) (\(meeting.mode.rawValue))")
    }

    func consent(_ policy: String) {
        var line = Line(event: "consent")
        line.policy = policy
        emit(line, human: "consent answer: \(policy)")
    }

    func event(_ event: MeetingEvent) {
        switch event {
        case .joined(let welcome):
            var line = Line(event: "joined")
            line.participant = welcome.roster.first { $0.id == welcome.participant }.map(ParticipantLine.init)
            line.senderIndex = welcome.senderIndex.rawValue
            line.meeting = welcome.meeting
            line.mode = welcome.mode.rawValue
            line.roster = welcome.roster.map(ParticipantLine.init)
            emit(
                line,
                human: "joined meeting \(welcome.meeting) as participant \(welcome.participant.rawValue), \(welcome.roster.count) here")
        case .roster(let update):
            var line = Line(event: "roster")
            line.change = update.event.rawValue
            line.participant = ParticipantLine(update.participant)
            line.speaking = update.speaking
            emit(line, human: "\(update.participant.name) (\(update.participant.id.rawValue)): \(update.event.rawValue)")
        case .epoch(let info):
            var line = Line(event: "epoch")
            line.epoch = info.epoch
            line.keyHolders = info.keyHolders
            line.keyHolderFingerprints = info.keyHolderFingerprints.map(\.description)
            line.coHosts = info.coHosts.isEmpty ? nil : info.coHosts.map(\.description)
            line.senders = info.senders
            line.securityCode = info.securityCode.description
            line.keyManagerHoldsKey = info.keyManagerHoldsKey
            line.keyHoldersOutsideRoster = info.keyHoldersOutsideRoster.map(\.description)
            line.signer = info.signer.description
            line.mode = info.mode.rawValue
            line.reason = info.reason
            emit(
                line,
                human: "epoch \(info.epoch) (\(info.mode.rawValue), \(info.keyHolders) key holders): security code \(info.securityCode)")
        case .epochRefused(let epoch, let reason):
            var line = Line(event: "epochRefused")
            line.epoch = epoch
            line.reason = reason
            emit(line, human: "epoch \(epoch) refused: \(reason)")
        case .waitingForKeys(let reason):
            var line = Line(event: "waitingForKeys")
            line.reason = reason
            emit(line, human: "keys: \(reason)")
        case .mode(let mode, let reason):
            var line = Line(event: "mode")
            line.mode = mode.rawValue
            line.reason = reason
            emit(line, human: "meeting mode: \(mode.rawValue) (\(reason))")
        case .notice(let notice):
            var line = Line(event: "notice")
            line.change = notice.event.rawValue
            line.name = notice.name
            line.reason = notice.reason
            emit(line, human: "\(notice.name): \(notice.event.rawValue) (\(notice.reason))")
        case .admissionRequest(let request, let answer):
            var line = Line(event: "admissionRequest")
            line.request = request.request.rawValue
            line.name = request.name
            line.kind = request.kind.rawValue
            line.automatic = request.automatic
            line.timeout = request.timeout
            line.reUpgrade = request.reUpgrade
            line.answer = answer.rawValue
            emit(
                line,
                human:
                    "\(request.name) asks to join (\(request.kind.rawValue)\(request.automatic ? ", automatic" : "")): \(answer.rawValue)")
        case .locked(let locked):
            var line = Line(event: "locked")
            line.locked = locked
            emit(line, human: locked ? "the meeting is locked" : "the meeting is unlocked")
        case .ended(let reason):
            var line = Line(event: "ended")
            line.reason = reason
            emit(line, human: "the meeting ended: \(reason)")
        case .error(let code, let reason):
            var line = Line(event: "error")
            line.code = code.rawValue
            line.reason = reason
            emit(line, human: "error \(code): \(reason)")
        case .closed(let close):
            var line = Line(event: "closed")
            line.closeCode = close?.code
            line.reason = close?.reason
            emit(line, human: "connection closed" + (close.map { ": \($0)" } ?? ""))
        }
    }

    func statistics(_ statistics: MeetingClient.Statistics) {
        var line = Line(event: "statistics")
        line.statistics = [
            "framesSent": statistics.framesSent, "framesNotSentWithoutKeys": statistics.framesNotSentWithoutKeys,
            "framesReceived": statistics.framesReceived, "framesDroppedWithoutKey": statistics.framesDroppedWithoutKey,
            "framesRefused": statistics.framesRefused, "framesDroppedByOutbox": statistics.framesDroppedByOutbox,
            "framesDroppedFromRecording": statistics.framesDroppedFromRecording,
        ]
        emit(
            line,
            human:
                "sent \(statistics.framesSent) frames, received \(statistics.framesReceived), dropped without key \(statistics.framesDroppedWithoutKey), refused \(statistics.framesRefused)"
        )
    }

    /// One line on stderr, then exit 1.
    func fatal(_ reason: String) -> Never {
        FileHandle.standardError.write(Data("dialgate-participant: \(reason)\n".utf8))
        exit(1)
    }

    private func emit(_ line: Line, human: String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(line) else { return }
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardError.write(Data("dialgate-participant: \(human)\n".utf8))
        }
    }
}
