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

extension Array where Element == UInt8 {
    /// Calls `body` with a non-null pointer to the elements (libsodium's `nonnull` parameters reject
    /// the nil base address an empty array may have; the length passed alongside is then 0).
    func withNonNullPointer<R>(_ body: (UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { return body(base) }
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { body($0) }
        }
    }
}
