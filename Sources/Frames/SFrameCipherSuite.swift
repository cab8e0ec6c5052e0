/// An SFrame cipher suite (RFC 9605 §4.5, IANA "SFrame Cipher Suites" §8.1).
///
/// dialgate uses one suite, AES_256_GCM_SHA512_128 (DESIGN.md §4), so this has one case; the raw
/// value is the IANA number that goes into the key-derivation labels (RFC 9605 §4.4.2).
public enum SFrameCipherSuite: UInt16, Sendable, CaseIterable {
    /// AES-256-GCM with a 128-bit tag; HKDF-SHA512. IANA value 0x0005.
    case aes256GCMSHA512 = 0x0005

    /// Nh: output size of the KDF's hash, in octets.
    public var hashLength: Int { 64 }
    /// Nk: AEAD key size, in octets.
    public var keyLength: Int { 32 }
    /// Nn: AEAD nonce size, in octets.
    public var nonceLength: Int { 12 }
    /// Nt: AEAD tag size, in octets.
    public var tagLength: Int { 16 }
}
