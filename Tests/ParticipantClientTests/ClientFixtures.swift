import Foundation
import Frames
import Meetings

@testable import ParticipantClient

/// A gateway made locally: its identity, and the `welcome` and `epoch` messages it would send
/// (the same construction as `MeetingRooms.startEpoch` in the gateway).
struct LocalGateway {
    static let meetingID = "123456789"

    let identity: ParticipantIdentity
    var epoch: UInt64 = 0

    init(seed: UInt8 = 7) throws {
        identity = try ParticipantIdentity(seed: (0..<32).map { seed &* 32 &+ $0 })
    }

    static func identity(_ seed: UInt8) throws -> ParticipantIdentity {
        try ParticipantIdentity(seed: (0..<32).map { seed &* 32 &+ $0 })
    }

    /// Wire form of the gateway's public identity, as `welcome.keyManager` carries it.
    var keyManager: IdentityKeys {
        let identity = identity.publicIdentity
        return IdentityKeys(
            signingKey: identity.signingKey, agreementKey: identity.agreementKey, agreementKeySignature: identity.agreementKeySignature)
    }

    func welcome(for participant: UInt32, members: [(ParticipantIdentity, String)], mode: MeetingMode = .standard) -> Welcome {
        let roster = members.enumerated().map { index, member in
            Participant(
                id: ParticipantID(rawValue: UInt32(index + 1)), name: member.1, kind: .app,
                senderIndex: SenderIndex(rawValue: UInt32(index + 1)),
                fingerprint: member.0.fingerprint.description)
        }
        return Welcome(
            participant: ParticipantID(rawValue: participant), senderIndex: SenderIndex(rawValue: participant), meeting: Self.meetingID,
            mode: mode, roster: roster, keyManager: mode == .standard ? keyManager : nil)
    }

    /// The next epoch: every member a key holder and a sender (index = position + 1), plus `phones`;
    /// one `epoch` message per member, its secret sealed to that member.
    mutating func nextEpoch(
        members: [ParticipantIdentity], phones: [UInt64] = [], signer: ParticipantIdentity? = nil
    ) throws -> [EpochAnnouncement] {
        epoch += 1
        let signer = signer ?? identity
        let secret = try EpochSecret.random()
        let senders =
            members.enumerated().map {
                EpochManifest.Sender(senderIndex: UInt64($0.offset + 1), source: .participant($0.element.fingerprint))
            }
            + phones.map { EpochManifest.Sender(senderIndex: $0, source: .phone) }
        let manifest = try EpochManifest(
            meetingID: Self.meetingID, epoch: epoch, mode: .standard, keyManager: signer.fingerprint,
            keyHolders: [identity.fingerprint] + members.map(\.fingerprint).filter { $0 != identity.fingerprint }, senders: senders,
            reason: epoch == 1 ? .start : .join, secret: secret)
        let signed = try SignedEpochManifest(signing: manifest, as: signer)
        return try members.map { member in
            let sealed = try SealedEpochSecret(sealing: secret, for: signed, to: member.publicIdentity)
            return EpochAnnouncement(
                epoch: epoch, manifest: signed.canonicalEncoding, signature: signed.signature, sealedSecret: sealed.encoded)
        }
    }
}

/// A temporary directory removed at the end of a test.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "participant-client-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// 20 ms of a sine at `frequency` Hz, 48 kHz, starting at sample `offset`.
func sineFrame(frequency: Double, amplitude: Double = 8000, offset: Int = 0) -> [Int16] {
    (0..<MeetingAudio.samplesPerFrame).map { index in
        Int16(amplitude * sin(2 * Double.pi * frequency * Double(offset + index) / Double(MeetingAudio.sampleRate)))
    }
}

/// The source directory of this test target, for fixtures read by path.
let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
