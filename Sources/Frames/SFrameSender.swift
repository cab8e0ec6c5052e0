/// Protects the media frames of one sender: one KID, one key, one counter (RFC 9605 §4.4.3).
///
/// A class, not a struct, so the counter cannot be copied: two copies would reuse (KID, CTR) pairs and
/// with them AES-GCM nonces (RFC 9605 §9.1). Owned by one event loop or actor; not `Sendable`.
/// The counter starts at `firstCounter` and goes up by one per frame; when every value has been used,
/// `protect` throws `counterExhausted` instead of wrapping.
public final class SFrameSender {
    /// The KID written into every header.
    public let keyID: UInt64
    /// The cipher suite.
    public let suite: SFrameCipherSuite
    /// The CTR of the next frame, or nil when the counter is exhausted.
    public private(set) var nextCounter: UInt64?

    private let cipher: AES256GCM
    private let salt: SFrameSalt
    /// header || metadata, reused across frames (AES-GCM in libsodium 1.0.18 takes the AAD in one piece).
    private var aadScratch: [UInt8] = []

    /// A sender for `keys.keyID`.
    public init(keys: SFrameKeys, firstCounter: UInt64 = 0) throws(FramesError) {
        keyID = keys.keyID
        suite = keys.suite
        nextCounter = firstCounter
        cipher = try AES256GCM(key: keys.key)
        salt = SFrameSalt(keys.salt)
    }

    /// A sender for `keyID` whose keys are derived from `baseKey` (RFC 9605 §4.4.2).
    public convenience init(
        keyID: UInt64, baseKey: [UInt8], suite: SFrameCipherSuite = .aes256GCMSHA512, firstCounter: UInt64 = 0
    ) throws(FramesError) {
        try self.init(keys: SFrameKeys(baseKey: baseKey, keyID: keyID, suite: suite), firstCounter: firstCounter)
    }

    /// Appends the SFrame ciphertext `header || AEAD.Encrypt(key, nonce, header || metadata, plaintext)`
    /// to `output` and returns the header used. `output` may be reused across frames: it grows once to
    /// its working size and no other memory is allocated per frame (except when metadata outgrows the
    /// AAD scratch buffer). `plaintext` and `metadata` must not point into `output`.
    @discardableResult
    public func protect(
        _ plaintext: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer, into output: inout [UInt8]
    ) throws(FramesError) -> SFrameHeader {
        guard let counter = nextCounter else { throw .counterExhausted(keyID: keyID) }
        // Spend the counter before using it (RFC 9605 §9.1).
        nextCounter = counter == .max ? nil : counter + 1

        let header = SFrameHeader(keyID: keyID, counter: counter)
        let start = output.count
        let headerLength = header.encodedLength
        let bodyLength = plaintext.count + suite.tagLength
        output.reserveCapacity(start + headerLength + bodyLength)
        header.encode(into: &output)
        // Make room for ciphertext || tag by copying the plaintext in as filler (a memcpy; seal then
        // overwrites it) and 16 tag octets: no generic sequence copies, so no allocation even unoptimised.
        output.append(contentsOf: plaintext)
        for _ in 0..<suite.tagLength { output.append(0) }

        if !metadata.isEmpty {
            aadScratch.removeAll(keepingCapacity: true)
            header.encode(into: &aadScratch)
            aadScratch.append(contentsOf: metadata)
        }
        let useScratch = !metadata.isEmpty
        salt.withNonce(counter: counter) { nonce in
            aadScratch.withUnsafeBytes { scratch in
                output.withUnsafeMutableBytes { out in
                    // RFC 9605 §4.4.3: AAD = header || metadata; with no metadata it is the header just written.
                    let aad = useScratch ? scratch : UnsafeRawBufferPointer(rebasing: out[start..<start + headerLength])
                    let body = UnsafeMutableRawBufferPointer(rebasing: out[(start + headerLength)...])
                    cipher.seal(plaintext, aad: aad, nonce: nonce, into: body)
                }
            }
        }
        return header
    }

    /// `protect` for arrays, appending to `output`.
    @discardableResult
    public func protect(_ plaintext: [UInt8], metadata: [UInt8] = [], into output: inout [UInt8]) throws(FramesError) -> SFrameHeader {
        let result = plaintext.withUnsafeBytes { plaintext in
            metadata.withUnsafeBytes { metadata in
                Result { () throws(FramesError) in try protect(plaintext, metadata: metadata, into: &output) }
            }
        }
        return try result.get()
    }

    /// `protect` into a new array.
    public func protect(_ plaintext: [UInt8], metadata: [UInt8] = []) throws(FramesError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(SFrameHeader.maximumLength + plaintext.count + suite.tagLength)
        try protect(plaintext, metadata: metadata, into: &output)
        return output
    }
}
