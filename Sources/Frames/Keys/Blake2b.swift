import CSodium

/// BLAKE2b through libsodium's `crypto_generichash`, 32-octet output: the hash behind fingerprints,
/// manifest hashes, secret commitments and security codes.
public enum Blake2b {
    public static let length = Int(crypto_generichash_BYTES)  // 32

    /// BLAKE2b-256 of the concatenated `parts` (no key). Callers make the concatenation unambiguous:
    /// a fixed label first, then fixed-length fields or a canonical encoding.
    public static func hash(_ parts: [UInt8]...) -> [UInt8] {
        hash(key: nil, parts)
    }

    /// BLAKE2b-256 of the concatenated `parts`, keyed with `key` (16–64 octets).
    static func hash(key: UnsafeRawBufferPointer?, _ parts: [[UInt8]]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: length)
        digest.withUnsafeMutableBytes { hash(key: key, parts, into: $0) }
        return digest
    }

    /// BLAKE2b-256 of the concatenated `parts`, keyed with `key`, written into `output` (32 octets), so
    /// a derived secret can go straight into memory that is wiped later.
    static func hash(key: UnsafeRawBufferPointer?, _ parts: [[UInt8]], into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count == length)
        // The state is 64-byte aligned in C (CRYPTO_ALIGN(64)), which Swift imports as opaque: allocate it.
        let stateSize = crypto_generichash_statebytes()
        let state = UnsafeMutableRawPointer.allocate(byteCount: stateSize, alignment: 64)
        defer {
            sodium_memzero(state, stateSize)
            state.deallocate()
        }
        let context = OpaquePointer(state)
        _ = crypto_generichash_init(context, key?.baseAddress?.assumingMemoryBound(to: UInt8.self), key?.count ?? 0, length)
        for part in parts {
            part.withUnsafeBufferPointer { _ = crypto_generichash_update(context, $0.baseAddress, UInt64($0.count)) }
        }
        _ = crypto_generichash_final(context, output.baseAddress!.assumingMemoryBound(to: UInt8.self), length)
    }
}
