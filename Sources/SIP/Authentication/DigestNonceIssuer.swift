import Crypto

/// Issues and checks stateless nonces (RFC 7616 §3.3 leaves the nonce's form to the server; §5.4
/// suggests a timestamp and a keyed hash). A nonce is base64url (RFC 4648 §5, unpadded) of
/// `time (8 octets, big-endian seconds) ‖ random (16 octets) ‖ HMAC-SHA256(secret, time ‖ random)[0..<16]`:
/// 54 characters, checkable with the secret alone, with no table of issued nonces.
///
/// Being stateless, it cannot see a nonce used twice: within the lifetime, a captured
/// Authorization can be replayed (`nc` is not tracked). `DigestVerifier` narrows that by
/// checking the digest `uri` against the Request-URI; a dialog's own checks do the rest.
public struct DigestNonceIssuer: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Required secret length in octets.
    public static let secretLength = 32
    static let macLength = 16
    static let nonceLength = 8 + 16 + macLength

    /// How a nonce checks out.
    public enum Validity: Hashable, Sendable {
        /// Ours, and issued at most `lifetime` seconds before now.
        case valid
        /// Ours, but too old (or, after the clock stepped back, from the future): answer with a
        /// fresh challenge and `stale=true` if the response was right.
        case stale
        /// Not ours: wrong MAC, wrong length, or not base64url.
        case invalid
    }

    private let secret: [UInt8]
    /// Seconds a nonce stays valid.
    public let lifetime: Int64

    /// `nil` unless `secret` is exactly `secretLength` octets and `lifetime` is positive.
    /// The secret must come from a cryptographically secure source; nonces survive a restart only
    /// if it does.
    public init?(secret: [UInt8], lifetime: Int64 = 300) {
        guard secret.count == Self.secretLength, lifetime > 0 else { return nil }
        self.secret = secret
        self.lifetime = lifetime
    }

    /// A fresh secret drawn from `random`, which must be cryptographically secure
    /// (`SystemRandomNumberGenerator` is); tests pass a seeded generator.
    public init(random: inout some RandomNumberGenerator, lifetime: Int64 = 300) {
        var secret: [UInt8] = []
        for _ in 0..<(Self.secretLength / 8) { secret += Self.bigEndian(random.next()) }
        self.secret = secret
        self.lifetime = max(1, lifetime)
    }

    /// A new nonce issued at `now`: seconds since any epoch the caller keeps for the secret's life
    /// (Unix time lets nonces survive a restart that keeps the secret).
    public func makeNonce(now: Int64, random: inout some RandomNumberGenerator) -> String {
        var body = Self.bigEndian(UInt64(bitPattern: now))
        body += Self.bigEndian(random.next())
        body += Self.bigEndian(random.next())
        return DigestEncoding.base64URL(body + mac(body))
    }

    /// Checks a nonce at `now` (same epoch as `makeNonce`). The MAC is compared in constant time.
    public func validate(_ nonce: String, now: Int64) -> Validity {
        guard nonce.utf8.count <= 64, let bytes = DigestEncoding.fromBase64URL(nonce), bytes.count == Self.nonceLength
        else { return .invalid }
        let body = Array(bytes[0..<(Self.nonceLength - Self.macLength)])
        guard DigestEncoding.constantTimeEquals(Array(bytes[body.count...]), mac(body)) else { return .invalid }
        var issued: UInt64 = 0
        for byte in body[0..<8] { issued = issued << 8 | UInt64(byte) }
        let (age, overflow) = now.subtractingReportingOverflow(Int64(bitPattern: issued))
        return !overflow && age >= 0 && age <= lifetime ? .valid : .stale
    }

    public var description: String { "DigestNonceIssuer(lifetime: \(lifetime)s, secret: redacted)" }
    public var debugDescription: String { description }
    /// Keeps the secret out of `dump` and debugger output.
    public var customMirror: Mirror { Mirror(self, children: ["lifetime": lifetime]) }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return Array(Array(code).prefix(Self.macLength))
    }

    private static func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }
}
