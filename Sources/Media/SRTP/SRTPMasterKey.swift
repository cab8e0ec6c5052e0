/// SDES key material for one direction of an SRTP session: the master key followed by the
/// master salt, exactly as carried (base64) in an `a=crypto ... inline:` key parameter
/// (RFC 4568 §6.1). The base64 and the SDP syntax belong to the SDP module
/// (`SDPCryptoKeyParam(masterKeyAndSalt:)` and `.masterKeyAndSalt`); Media takes raw octets.
///
/// `description` never shows the key.
public struct SRTPMasterKey: Equatable, Sendable, CustomStringConvertible {
    /// The suite the material is sized for.
    public let suite: SRTPCryptoSuite
    /// Master key then master salt, `suite.masterKeyAndSaltLength` octets.
    public let masterKeyAndSalt: [UInt8]

    /// Wraps received key material (e.g. a peer's decoded `inline:` key), checking its length.
    public init(suite: SRTPCryptoSuite, masterKeyAndSalt: [UInt8]) throws(MediaError) {
        guard masterKeyAndSalt.count == suite.masterKeyAndSaltLength else {
            throw .srtpBadKeyLength(suite: suite.sdpName, expected: suite.masterKeyAndSaltLength, got: masterKeyAndSalt.count)
        }
        self.suite = suite
        self.masterKeyAndSalt = masterKeyAndSalt
    }

    /// Generates fresh key material for an offer or answer. RFC 4568 §6.1 and RFC 3711 §8.2
    /// require the master key and salt to be random and secret: pass a cryptographically
    /// secure generator (`SystemRandomNumberGenerator` in the adapter); tests may pass a
    /// seeded one.
    public static func generate(for suite: SRTPCryptoSuite, using generator: inout some RandomNumberGenerator) -> SRTPMasterKey {
        var bytes = [UInt8]()
        bytes.reserveCapacity(suite.masterKeyAndSaltLength)
        while bytes.count < suite.masterKeyAndSaltLength {
            var word = generator.next()
            for _ in 0..<min(8, suite.masterKeyAndSaltLength - bytes.count) {
                bytes.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return SRTPMasterKey(checked: suite, bytes)
    }

    private init(checked suite: SRTPCryptoSuite, _ masterKeyAndSalt: [UInt8]) {
        self.suite = suite
        self.masterKeyAndSalt = masterKeyAndSalt
    }

    /// The master key part.
    public var masterKey: ArraySlice<UInt8> { masterKeyAndSalt.prefix(suite.masterKeyLength) }
    /// The master salt part.
    public var masterSalt: ArraySlice<UInt8> { masterKeyAndSalt.suffix(suite.masterSaltLength) }

    public var description: String { "SRTPMasterKey(\(suite.sdpName), \(masterKeyAndSalt.count) octets, redacted)" }
}
