/// sframe_salt held as two integers, so each frame's nonce is built on the stack.
///
/// RFC 9605 §4.4.3: nonce = sframe_salt XOR encode_big_endian(CTR, Nn). CTR is at most 64 bits, so with
/// Nn = 12 only the last 8 octets of the salt change.
struct SFrameSalt: Sendable {
    /// Octets 0–3 of the salt, big-endian.
    let high: UInt32
    /// Octets 4–11 of the salt, big-endian.
    let low: UInt64

    init(_ salt: [UInt8]) {
        precondition(salt.count == 12, "SFrame salt must be Nn = 12 octets")
        high = salt[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        low = salt[4..<12].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Calls `body` with the 12-octet nonce for `counter`.
    func withNonce<R>(counter: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var storage = (UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: high.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: (low ^ counter).bigEndian, toByteOffset: 4, as: UInt64.self)
            return body(UnsafeRawBufferPointer(rebasing: raw[0..<12]))
        }
    }
}

extension SFrameKeys {
    /// The AEAD nonce for `counter` (RFC 9605 §4.4.3), as a new array; for inspection and tests.
    /// The per-frame path builds it on the stack instead.
    public func nonce(counter: UInt64) -> [UInt8] {
        SFrameSalt(salt).withNonce(counter: counter) { Array($0) }
    }
}
