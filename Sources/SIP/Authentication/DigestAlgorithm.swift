import Crypto

/// A digest algorithm this gateway computes (RFC 7616 §3.3 `algorithm`; RFC 8760 §2.1 brings
/// SHA-256 to SIP). The `-sess` variants are not supported.
public enum DigestAlgorithm: String, CaseIterable, Hashable, Sendable {
    case sha256 = "SHA-256"
    case md5 = "MD5"

    /// Parses an `algorithm` value case-insensitively (RFC 7616 §3.3); `nil` for anything else,
    /// including `SHA-256-sess` and `MD5-sess`.
    public init?(parsing text: some StringProtocol) {
        switch text.lowercased() {
        case "sha-256": self = .sha256
        case "md5": self = .md5
        default: return nil
        }
    }

    /// Strongest first: the order in which challenges are offered (RFC 8760 §2.3).
    var strength: Int {
        switch self {
        case .sha256: return 2
        case .md5: return 1
        }
    }

    /// `H(data)` as lowercase hex (RFC 7616 §3.4: `H`, with `KD(secret, data) = H(secret:data)`).
    func hash(_ text: String) -> String {
        let bytes = Array(text.utf8)
        switch self {
        case .sha256: return DigestEncoding.hex(SHA256.hash(data: bytes))
        case .md5: return DigestEncoding.hex(Insecure.MD5.hash(data: bytes))
        }
    }

    /// Length of `H(...)` in hex digits.
    var hexLength: Int {
        switch self {
        case .sha256: return 64
        case .md5: return 32
        }
    }
}

/// The quality of protection (RFC 7616 §3.3 `qop`). Only `auth` is supported: SIP bodies are not
/// integrity-protected by digest here (`auth-int`).
public enum DigestQop: String, Hashable, Sendable {
    case auth
}
