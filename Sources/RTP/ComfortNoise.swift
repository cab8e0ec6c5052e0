/// An RFC 3389 comfort-noise payload (§3): a noise level and optional spectral information.
public struct ComfortNoise: Sendable, Hashable {
    /// RFC 3389 §3.1: the level is 7 bits, 0 to -127 dBov; the top bit is 0.
    public static let maximumNoiseLevel: UInt8 = 127
    /// A bound on reflection coefficients: RFC 3389 §3.2 lets the sender choose the model order; real
    /// senders use up to about 10–12. Longer payloads are rejected as hostile.
    public static let maximumCoefficients = 64

    /// Noise level as a positive number of -dBov (0...127).
    public var noiseLevel: UInt8
    /// RFC 3389 §3.2: quantized reflection coefficients, one octet each; empty means no spectral
    /// information (the receiver uses white noise or its own model).
    public var reflectionCoefficients: [UInt8]

    public init(noiseLevel: UInt8, reflectionCoefficients: [UInt8] = []) {
        self.noiseLevel = noiseLevel
        self.reflectionCoefficients = reflectionCoefficients
    }

    public init<C: Collection>(parsing bytes: C) throws(RTPError) where C.Element == UInt8 {
        guard let level = bytes.first else {
            throw .truncated(what: "comfort-noise payload", needed: 1, available: 0)
        }
        guard level <= Self.maximumNoiseLevel else {
            throw .malformedComfortNoise("noise level octet \(level) has the reserved top bit set")
        }
        guard bytes.count - 1 <= Self.maximumCoefficients else {
            throw .tooMany(what: "comfort-noise reflection coefficients", count: bytes.count - 1, limit: Self.maximumCoefficients)
        }
        self.init(noiseLevel: level, reflectionCoefficients: Array(bytes.dropFirst()))
    }

    /// The level in dBov (0 or negative).
    public var noiseLevelDBov: Int { -Int(noiseLevel) }

    public func serialize(into buffer: inout [UInt8]) throws(RTPError) {
        try checkField("comfort-noise level", Int(noiseLevel), limit: Int(Self.maximumNoiseLevel))
        try checkField("comfort-noise coefficient count", reflectionCoefficients.count, limit: Self.maximumCoefficients)
        buffer.append(noiseLevel)
        buffer.append(contentsOf: reflectionCoefficients)
    }
}
