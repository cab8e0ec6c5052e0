import Frames

/// Identities, secrets and manifests from fixed seeds, shared by the key-management tests.
enum KeyFixtures {
    static let meetingID = "123456789"

    /// Seeds 0x00...0x1f (host), 0x20...0x3f (guest), and so on: `identity(0)`, `identity(1)`, ...
    static func identity(_ number: UInt8) throws -> ParticipantIdentity {
        try ParticipantIdentity(seed: (0..<32).map { number &* 32 &+ $0 })
    }

    static var host: ParticipantIdentity { get throws { try identity(0) } }
    static var guest: ParticipantIdentity { get throws { try identity(1) } }
    static var gateway: ParticipantIdentity { get throws { try identity(7) } }

    /// The secret 0xa0...0xbf.
    static func secret(_ first: UInt8 = 0xA0) throws -> EpochSecret {
        try EpochSecret(bytes: (0..<32).map { first &+ $0 })
    }

    /// A manifest in which every identity is a key holder and a sender (index = position + 1).
    static func manifest(
        meetingID: String = meetingID, epoch: UInt64, mode: EpochManifest.Mode = .e2ee, keyManager: ParticipantIdentity,
        members: [ParticipantIdentity], phones: [UInt64] = [], coHosts: [ParticipantIdentity] = [],
        reason: EpochManifest.Reason = .join, secret: EpochSecret
    ) throws -> EpochManifest {
        let senders = members.enumerated().map { index, member in
            EpochManifest.Sender(senderIndex: UInt64(index + 1), source: .participant(member.fingerprint))
        }
        return try EpochManifest(
            meetingID: meetingID, epoch: epoch, mode: mode, keyManager: keyManager.fingerprint, keyHolders: members.map(\.fingerprint),
            coHosts: coHosts.map(\.fingerprint), senders: senders + phones.map { EpochManifest.Sender(senderIndex: $0, source: .phone) },
            reason: reason, secret: secret)
    }

    /// `manifest(...)` signed by its key manager.
    static func signed(
        epoch: UInt64, mode: EpochManifest.Mode = .e2ee, keyManager: ParticipantIdentity, members: [ParticipantIdentity],
        phones: [UInt64] = [], coHosts: [ParticipantIdentity] = [], meetingID: String = meetingID, secret: EpochSecret
    ) throws -> SignedEpochManifest {
        try SignedEpochManifest(
            signing: manifest(
                meetingID: meetingID, epoch: epoch, mode: mode, keyManager: keyManager, members: members, phones: phones,
                coHosts: coHosts, secret: secret),
            as: keyManager)
    }
}

/// Catches any typed error as `FramesError` for `#expect(framesError { ... } == ...)` with untyped bodies.
func keyError<T>(_ body: () throws -> T) -> FramesError? {
    do {
        _ = try body()
        return nil
    } catch let error as FramesError {
        return error
    } catch {
        return nil
    }
}

/// The case name of an error (for tests that accept any reason of one kind).
func caseName(_ error: FramesError?) -> String? {
    switch error {
    case nil: return nil
    case .sodiumUnavailable: return "sodiumUnavailable"
    case .aesGCMUnavailable: return "aesGCMUnavailable"
    case .badIdentitySignature: return "badIdentitySignature"
    case .badManifestSignature: return "badManifestSignature"
    case .sealingFailed: return "sealingFailed"
    case .sealedSecretUnopenable: return "sealedSecretUnopenable"
    case .manifestHashMismatch: return "manifestHashMismatch"
    case let error?: return Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }
}
