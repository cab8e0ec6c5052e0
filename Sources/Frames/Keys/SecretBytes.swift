import CSodium

/// Secret octets (a seed, a private key, an epoch secret) in memory this class owns, wiped with
/// `sodium_memzero` in `deinit`.
///
/// A class, not an array, so the secret is never copied by value semantics: one allocation, one wipe.
/// Immutable after `init`, hence `@unchecked Sendable` (it is only read). Copies a caller makes with
/// `withUnsafeBytes` are the caller's to wipe; `bytes` makes one, for the few APIs that take arrays, and
/// callers wipe it with `wipe(_:)` (best effort: Swift may have copied it meanwhile).
final class SecretBytes: @unchecked Sendable {
    let count: Int
    private let storage: UnsafeMutableRawPointer

    /// Takes `count` octets written by `fill` (which must write all of them).
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        precondition(count > 0)
        self.count = count
        storage = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        fill(UnsafeMutableRawBufferPointer(start: storage, count: count))
    }

    /// Copies `bytes`; the caller wipes its own copy.
    convenience init(copying bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
        }
    }

    /// `count` octets from libsodium's CSPRNG (`randombytes_buf`).
    static func random(count: Int) -> SecretBytes {
        SecretBytes(count: count) { randombytes_buf($0.baseAddress!, $0.count) }
    }

    deinit {
        sodium_memzero(storage, count)
        storage.deallocate()
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// A copy as an array (for HKDF and SFrameKeys, which take arrays). Wipe it with `wipe(_:)` after use.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Zeroes an array that held secret octets.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { sodium_memzero(base, $0.count) } }
    }
}
