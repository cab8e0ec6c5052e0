import Foundation
import Frames

/// An identity kept as its 32-byte seed in a file, owner-only: the gateway's (`STATE/gateway-identity.key`,
/// DESIGN.md §4: it signs `standard` epochs) and a participant's (`dialgate-participant --identity`, so a
/// host comes back as the same host). The fingerprint survives restarts, so whoever pinned it keeps
/// trusting it.
public enum IdentitySeedFile {
    public enum Failure: Error, CustomStringConvertible {
        case unusable(path: String, reason: String)

        public var description: String {
            switch self {
            case .unusable(let path, let reason): "cannot use the identity in \(path): \(reason)"
            }
        }
    }

    /// The identity in `path`, or a new one written there (mode 0600) when the file does not exist.
    public static func loadOrCreate(path: String) throws -> ParticipantIdentity {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), data.count == ParticipantIdentity.seedLength else {
                throw Failure.unusable(
                    path: path, reason: "expected \(ParticipantIdentity.seedLength) octets; move it away to make a new identity")
            }
            return try ParticipantIdentity(seed: Array(data))
        }
        let identity = try ParticipantIdentity.generate()
        // Created owner-only from the start: the seed is never readable by others, even briefly.
        guard FileManager.default.createFile(atPath: path, contents: Data(identity.exportSeed()), attributes: [.posixPermissions: 0o600])
        else {
            throw Failure.unusable(path: path, reason: "cannot create the file")
        }
        return identity
    }
}
