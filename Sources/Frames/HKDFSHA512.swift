import CSodium

/// HKDF (RFC 5869) over HMAC-SHA512, built on libsodium's `crypto_auth_hmacsha512_*` because
/// libsodium 1.0.18 has no HKDF. This is the KDF of SFrame's AES_256_GCM_SHA512_128 suite (RFC 9605 §4.5).
///
/// Named for its hash so it does not shadow swift-crypto's generic `HKDF<H>` in files that import both.
public enum HKDFSHA512 {
    /// HashLen: the HMAC-SHA512 output size (Nh of the suite).
    public static let hashLength = 64
    /// RFC 5869 §2.3: L ≤ 255 × HashLen.
    public static let maximumOutputLength = 255 * hashLength

    /// HKDF-Extract(salt, IKM) = HMAC-Hash(salt, IKM) (RFC 5869 §2.2). An empty salt is the same as
    /// HashLen zero octets (HMAC pads the key with zeros to the block size).
    public static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) throws(FramesError) -> [UInt8] {
        try Sodium.ensureInitialized()
        var prk = [UInt8](repeating: 0, count: hashLength)
        salt.withNonNullPointer { saltBytes in
            inputKeyMaterial.withUnsafeBufferPointer { ikm in
                prk.withUnsafeMutableBufferPointer { out in
                    var state = crypto_auth_hmacsha512_state()
                    _ = crypto_auth_hmacsha512_init(&state, saltBytes, salt.count)
                    _ = crypto_auth_hmacsha512_update(&state, ikm.baseAddress, UInt64(ikm.count))
                    _ = crypto_auth_hmacsha512_final(&state, out.baseAddress!)
                    sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha512_state>.size)
                }
            }
        }
        return prk
    }

    /// HKDF-Expand(PRK, info, L) (RFC 5869 §2.3): T(i) = HMAC-Hash(PRK, T(i-1) || info || i), output the
    /// first L octets of T(1) || T(2) || ....
    public static func expand(pseudoRandomKey prk: [UInt8], info: [UInt8], length: Int) throws(FramesError) -> [UInt8] {
        try Sodium.ensureInitialized()
        guard length >= 0, length <= maximumOutputLength else {
            throw .hkdfOutputTooLong(requested: length, maximum: maximumOutputLength)
        }
        var okm = [UInt8](repeating: 0, count: length)
        prk.withNonNullPointer { prkBytes in
            info.withUnsafeBufferPointer { info in
                okm.withUnsafeMutableBufferPointer { okm in
                    var block = (
                        UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0)
                    )
                    withUnsafeMutableBytes(of: &block) { previous in
                        let previous = previous.bindMemory(to: UInt8.self)
                        var state = crypto_auth_hmacsha512_state()
                        var written = 0
                        var index: UInt8 = 1
                        while written < length {
                            _ = crypto_auth_hmacsha512_init(&state, prkBytes, prk.count)
                            if index > 1 { _ = crypto_auth_hmacsha512_update(&state, previous.baseAddress, UInt64(hashLength)) }
                            _ = crypto_auth_hmacsha512_update(&state, info.baseAddress, UInt64(info.count))
                            _ = crypto_auth_hmacsha512_update(&state, &index, 1)
                            _ = crypto_auth_hmacsha512_final(&state, previous.baseAddress!)
                            let take = min(hashLength, length - written)
                            for offset in 0..<take { okm[written + offset] = previous[offset] }
                            written += take
                            index &+= 1
                        }
                        sodium_memzero(&state, MemoryLayout<crypto_auth_hmacsha512_state>.size)
                        sodium_memzero(previous.baseAddress, hashLength)
                    }
                }
            }
        }
        return okm
    }
}
