/// Unprotects media frames from many senders (RFC 9605 §4.4.4): finds the key by the header's KID,
/// refuses replays with a per-KID `SFrameReplayWindow`, and verifies the tag over header || metadata.
///
/// A class so the replay windows cannot be copied (a copy would accept every frame again). Owned by
/// one event loop or actor; not `Sendable`. Keys are added per KID (one KID per sender, DESIGN.md §4)
/// and removed when an epoch ends.
public final class SFrameReceiver {
    /// The cipher suite of every key in this receiver.
    public let suite: SFrameCipherSuite

    private struct SenderState {
        let cipher: AES256GCM
        let salt: SFrameSalt
        var window = SFrameReplayWindow()
    }

    private var senders: [UInt64: SenderState] = [:]
    /// header || metadata, reused across frames.
    private var aadScratch: [UInt8] = []

    public init(suite: SFrameCipherSuite = .aes256GCMSHA512) {
        self.suite = suite
    }

    /// The KIDs that have a key.
    public var keyIDs: [UInt64] { Array(senders.keys) }

    /// Installs the keys of one KID; throws `duplicateKeyID` if it already has one (remove it first:
    /// silently replacing it would also reset its replay window).
    public func addKey(_ keys: SFrameKeys) throws(FramesError) {
        guard senders[keys.keyID] == nil else { throw .duplicateKeyID(keys.keyID) }
        senders[keys.keyID] = SenderState(cipher: try AES256GCM(key: keys.key), salt: SFrameSalt(keys.salt))
    }

    /// Installs `baseKey` for `keyID` (RFC 9605 §4.4.2 derives its key and salt).
    public func addKey(keyID: UInt64, baseKey: [UInt8]) throws(FramesError) {
        try addKey(SFrameKeys(baseKey: baseKey, keyID: keyID, suite: suite))
    }

    /// Forgets the key of `keyID` (and its replay window). Returns whether there was one.
    @discardableResult
    public func removeKey(keyID: UInt64) -> Bool {
        senders.removeValue(forKey: keyID) != nil
    }

    /// Verifies and decrypts one SFrame ciphertext, appends the plaintext to `output`, and returns the
    /// header (its KID says who sent the frame). On any error `output` is left as it was and the replay
    /// window does not move. `frame` and `metadata` must not point into `output`.
    @discardableResult
    public func unprotect(
        _ frame: UnsafeRawBufferPointer, metadata: UnsafeRawBufferPointer, into output: inout [UInt8]
    ) throws(FramesError) -> SFrameHeader {
        let (header, headerLength) = try SFrameHeader.decode(frame)
        let minimum = headerLength + suite.tagLength
        guard frame.count >= minimum else { throw .truncatedFrame(length: frame.count, minimum: minimum) }
        guard let index = senders.index(forKey: header.keyID) else { throw .unknownKeyID(header.keyID) }
        let state = senders.values[index]
        switch state.window.verdict(for: header.counter) {
        case .fresh: break
        case .replayed: throw .replayedFrame(keyID: header.keyID, counter: header.counter)
        case .tooOld:
            throw .counterTooOld(keyID: header.keyID, counter: header.counter, newest: state.window.newest ?? 0)
        }

        let headerBytes = UnsafeRawBufferPointer(rebasing: frame[0..<headerLength])
        let ciphertext = UnsafeRawBufferPointer(rebasing: frame[headerLength...])
        if !metadata.isEmpty {
            aadScratch.removeAll(keepingCapacity: true)
            aadScratch.append(contentsOf: headerBytes)
            aadScratch.append(contentsOf: metadata)
        }
        let useScratch = !metadata.isEmpty
        let start = output.count
        let plaintextLength = ciphertext.count - suite.tagLength
        // Room for the plaintext: the ciphertext octets serve as filler (a memcpy); open overwrites them.
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: ciphertext[0..<plaintextLength]))
        let authentic = state.salt.withNonce(counter: header.counter) { nonce in
            aadScratch.withUnsafeBytes { scratch in
                output.withUnsafeMutableBytes { out in
                    // RFC 9605 §4.4.4: AAD = header || metadata, the header as it came on the wire.
                    state.cipher.open(
                        ciphertext, aad: useScratch ? scratch : headerBytes, nonce: nonce,
                        into: UnsafeMutableRawBufferPointer(rebasing: out[start...]))
                }
            }
        }
        guard authentic else {
            output.removeLast(plaintextLength)
            throw .authenticationFailed(keyID: header.keyID, counter: header.counter)
        }
        senders.values[index].window.accept(header.counter)
        return header
    }

    /// `unprotect` for arrays, appending to `output`.
    @discardableResult
    public func unprotect(_ frame: [UInt8], metadata: [UInt8] = [], into output: inout [UInt8]) throws(FramesError) -> SFrameHeader {
        let result = frame.withUnsafeBytes { frame in
            metadata.withUnsafeBytes { metadata in
                Result { () throws(FramesError) in try unprotect(frame, metadata: metadata, into: &output) }
            }
        }
        return try result.get()
    }

    /// `unprotect` into a new array.
    public func unprotect(_ frame: [UInt8], metadata: [UInt8] = []) throws(FramesError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(frame.count)
        try unprotect(frame, metadata: metadata, into: &output)
        return output
    }
}
