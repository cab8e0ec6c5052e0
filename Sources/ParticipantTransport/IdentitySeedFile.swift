import Foundation
import Frames

/// The gateway's own identity (DESIGN.md §4: it signs `standard` epochs), kept as its 32-byte seed
/// in `STATE/gateway-identity.key`, owner-only, so its fingerprint survives restarts and clients
/// that pinned it keep trusting it.
enum GatewayIdentityFile {
    static let name = "gateway-identity.key"

    enum Failure: Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)

        var description: String {
            switch self {
            case .unreadable(let path, let reason): "cannot use the gateway identity \(path): \(reason)"
            }
        }
    }

    static func loadOrCreate(stateDirectory: String) throws -> ParticipantIdentity {
        let path = URL(fileURLWithPath: stateDirectory).appendingPathComponent(name).path
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), data.count == ParticipantIdentity.seedLength else {
                throw Failure.unreadable(
                    path: path, reason: "expected \(ParticipantIdentity.seedLength) octets; move it away to make a new identity")
            }
            return try ParticipantIdentity(seed: Array(data))
        }
        let identity = try ParticipantIdentity.generate()
        // Created owner-only from the start: the seed is never readable by others, even briefly.
        guard FileManager.default.createFile(atPath: path, contents: Data(identity.exportSeed()), attributes: [.posixPermissions: 0o600])
        else {
            throw Failure.unreadable(path: path, reason: "cannot create the file")
        }
        return identity
    }
}
