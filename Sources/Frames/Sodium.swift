import CSodium

/// libsodium's process-wide initialisation (`sodium_init()` returns 0 the first time, 1 after, and
/// a negative value when the library cannot be used).
public enum Sodium {
    private static let initialized: Bool = sodium_init() >= 0

    /// Initialises libsodium; throws when it cannot be used on this machine.
    public static func ensureInitialized() throws(FramesError) {
        guard initialized else { throw .sodiumUnavailable }
    }

    /// AES-256-GCM in libsodium needs AES-NI and CLMUL; SFrame's cipher suite requires it
    /// (DESIGN.md §4), so the participant service refuses to start without it.
    public static var hasHardwareAESGCM: Bool {
        initialized && crypto_aead_aes256gcm_is_available() == 1
    }

    public static var version: String { String(cString: sodium_version_string()) }
}

/// What went wrong in the frame-protection core.
public enum FramesError: Error, Equatable, Sendable, CustomStringConvertible {
    case sodiumUnavailable

    public var description: String {
        switch self {
        case .sodiumUnavailable: "libsodium could not be initialised (sodium_init failed)"
        }
    }
}
