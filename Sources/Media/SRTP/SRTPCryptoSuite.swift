/// An SRTP crypto suite as named in SDES `a=crypto` lines (RFC 4568 §6.2, RFC 6188 §7.1,
/// RFC 7714 §14.2), with the sizes a caller needs to size keys and packet buffers.
///
/// The raw value is the SDP name, so `SRTPCryptoSuite(rawValue: crypto.suite)` maps a parsed
/// `a=crypto` line; whether this process can actually run the suite is `isAvailable`.
public enum SRTPCryptoSuite: String, CaseIterable, Sendable {
    /// RFC 4568 §6.2.1: AES-128 counter mode, HMAC-SHA1 with an 80-bit tag. The mandatory suite.
    case aesCM128HMACSHA1Tag80 = "AES_CM_128_HMAC_SHA1_80"
    /// RFC 4568 §6.2.2: as above with a 32-bit SRTP tag; SRTCP still uses an 80-bit tag.
    case aesCM128HMACSHA1Tag32 = "AES_CM_128_HMAC_SHA1_32"
    /// RFC 6188 §7.1: AES-256 counter mode, HMAC-SHA1 with an 80-bit tag.
    case aesCM256HMACSHA1Tag80 = "AES_256_CM_HMAC_SHA1_80"
    /// RFC 6188 §7.1: AES-256 counter mode, 32-bit SRTP tag, 80-bit SRTCP tag.
    case aesCM256HMACSHA1Tag32 = "AES_256_CM_HMAC_SHA1_32"
    /// RFC 7714 §14.2: AES-128 in GCM, 16-octet tag for SRTP and SRTCP.
    case aeadAES128GCM = "AEAD_AES_128_GCM"
    /// RFC 7714 §14.2: AES-256 in GCM, 16-octet tag for SRTP and SRTCP.
    case aeadAES256GCM = "AEAD_AES_256_GCM"

    /// The name used in `a=crypto` lines.
    public var sdpName: String { rawValue }

    /// Whether the suite is an AEAD (GCM) suite, which needs libsrtp2 built with a crypto backend.
    public var isAEAD: Bool {
        switch self {
        case .aeadAES128GCM, .aeadAES256GCM: true
        default: false
        }
    }

    /// Master key length in octets (RFC 4568 §6.2: 128 bits; RFC 6188 / RFC 7714: 128 or 256 bits).
    public var masterKeyLength: Int {
        switch self {
        case .aesCM128HMACSHA1Tag80, .aesCM128HMACSHA1Tag32, .aeadAES128GCM: 16
        case .aesCM256HMACSHA1Tag80, .aesCM256HMACSHA1Tag32, .aeadAES256GCM: 32
        }
    }

    /// Master salt length in octets: 112 bits for the counter-mode suites (RFC 3711 §8.2),
    /// 96 bits for GCM (RFC 7714 §12).
    public var masterSaltLength: Int { isAEAD ? 12 : 14 }

    /// Length of the SDES `inline:` key material, the master key followed by the salt
    /// (RFC 4568 §6.1): 30, 46, 28 or 44 octets.
    public var masterKeyAndSaltLength: Int { masterKeyLength + masterSaltLength }

    /// SRTP authentication tag length in octets.
    public var rtpAuthTagLength: Int {
        switch self {
        case .aesCM128HMACSHA1Tag80, .aesCM256HMACSHA1Tag80: 10
        case .aesCM128HMACSHA1Tag32, .aesCM256HMACSHA1Tag32: 4
        case .aeadAES128GCM, .aeadAES256GCM: 16
        }
    }

    /// SRTCP authentication tag length in octets. RFC 4568 §6.2.2 (and RFC 6188 §7.1 for
    /// AES-256): the `_32` suites still use an 80-bit tag for SRTCP.
    public var rtcpAuthTagLength: Int { isAEAD ? 16 : 10 }

    /// How many octets `protectRTP` adds to a packet: the tag (no MKI is used).
    public var rtpOverhead: Int { rtpAuthTagLength }

    /// How many octets `protectRTCP` adds: the 32-bit E flag and SRTCP index word plus the tag
    /// (RFC 3711 §3.4, RFC 7714 §9).
    public var rtcpOverhead: Int { SRTPCryptoSuite.srtcpIndexLength + rtcpAuthTagLength }

    /// RFC 3711 §3.4: the E flag and 31-bit SRTCP index travel in one 32-bit word.
    public static let srtcpIndexLength = 4

    /// The largest `rtpOverhead` or `rtcpOverhead` of any suite: a buffer with this much room
    /// after the packet can be protected whatever suite was negotiated.
    public static let maximumOverhead = 20

    /// Whether the linked libsrtp2 can run this suite. The counter-mode suites are always
    /// built in; GCM needs libsrtp2 built with OpenSSL, NSS or mbedTLS. Found out once per
    /// process by creating a session with the suite (Debian 12's libsrtp2 2.5.0 is built with
    /// NSS, so GCM is available there).
    public var isAvailable: Bool { SRTPLibrary.supportedSuites.contains(self) }
}
