import CSodium

/// One AES-256-GCM key, expanded once with libsodium's precomputation interface
/// (`crypto_aead_aes256gcm_beforenm`) so each frame costs no key schedule.
///
/// Owns the C state: allocated 16-byte aligned (libsodium's `CRYPTO_ALIGN(16)`), wiped and freed in
/// `deinit`. No C type leaves this class.
final class AES256GCM {
    static let keyLength = Int(crypto_aead_aes256gcm_KEYBYTES)
    static let nonceLength = Int(crypto_aead_aes256gcm_NPUBBYTES)
    static let tagLength = Int(crypto_aead_aes256gcm_ABYTES)

    private let state: UnsafeMutableRawPointer
    private let stateSize: Int

    init(key: [UInt8]) throws(FramesError) {
        try Sodium.ensureInitialized()
        guard Sodium.hasHardwareAESGCM else { throw .aesGCMUnavailable }
        guard key.count == Self.keyLength else { throw .keyTooShort(minimum: Self.keyLength, actual: key.count) }
        stateSize = crypto_aead_aes256gcm_statebytes()
        state = UnsafeMutableRawPointer.allocate(byteCount: stateSize, alignment: 16)
        let context = state.bindMemory(to: crypto_aead_aes256gcm_state.self, capacity: 1)
        key.withNonNullPointer { _ = crypto_aead_aes256gcm_beforenm(context, $0) }
    }

    deinit {
        sodium_memzero(state, stateSize)
        state.deallocate()
    }

    private var context: UnsafePointer<crypto_aead_aes256gcm_state> {
        UnsafePointer(state.assumingMemoryBound(to: crypto_aead_aes256gcm_state.self))
    }

    /// Writes `plaintext.count + tagLength` octets (ciphertext || tag) at `output`.
    func seal(
        _ plaintext: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(output.count == plaintext.count + Self.tagLength && nonce.count == Self.nonceLength)
        var written: UInt64 = 0
        _ = crypto_aead_aes256gcm_encrypt_afternm(
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            aad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(aad.count), nil,
            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self), context)
    }

    /// Verifies and decrypts `ciphertext` (ciphertext || tag) into `output` (`ciphertext.count - tagLength`
    /// octets). Returns false when the tag does not verify; `output` then holds zeros.
    func open(
        _ ciphertext: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(ciphertext.count >= Self.tagLength && output.count == ciphertext.count - Self.tagLength)
        precondition(nonce.count == Self.nonceLength)
        // An empty plaintext may come with no output address; libsodium still gets a valid one.
        var empty: UInt8 = 0
        return withUnsafeMutablePointer(to: &empty) { empty in
            var written: UInt64 = 0
            let status = crypto_aead_aes256gcm_decrypt_afternm(
                output.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty, &written, nil,
                ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
                aad.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(aad.count),
                nonce.baseAddress!.assumingMemoryBound(to: UInt8.self), context)
            return status == 0
        }
    }
}
