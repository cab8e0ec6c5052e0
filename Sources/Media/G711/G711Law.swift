/// Which G.711 companding law a leg uses, chosen from the negotiated RTP payload type.
public enum G711Law: Sendable, Hashable, CaseIterable {
    /// μ-law, PCMU, static payload type 0 (RFC 3551 §6).
    case muLaw
    /// A-law, PCMA, static payload type 8 (RFC 3551 §6).
    case aLaw

    /// The static RTP payload type (RFC 3551 Table 4).
    public var payloadType: UInt8 { self == .muLaw ? 0 : 8 }

    /// The law for a static payload type, or nil for any other.
    public init?(payloadType: UInt8) {
        switch payloadType {
        case 0: self = .muLaw
        case 8: self = .aLaw
        default: return nil
        }
    }

    /// The code for silence that an idle channel sends (μ-law `0xff` = +0, A-law `0xd5` = +8).
    public var silenceCode: UInt8 { self == .muLaw ? 0xFF : 0xD5 }

    /// Encodes one sample.
    @inline(__always)
    public func encode(_ sample: Int16) -> UInt8 { self == .muLaw ? MuLaw.encode(sample) : ALaw.encode(sample) }

    /// Decodes one code.
    @inline(__always)
    public func decode(_ code: UInt8) -> Int16 { self == .muLaw ? MuLaw.decode(code) : ALaw.decode(code) }

    /// Encodes `min(samples.count, codes.count)` samples into the caller's buffer; returns the count.
    @discardableResult
    public func encode(_ samples: UnsafeBufferPointer<Int16>, into codes: UnsafeMutableBufferPointer<UInt8>) -> Int {
        self == .muLaw ? MuLaw.encode(samples, into: codes) : ALaw.encode(samples, into: codes)
    }

    /// Decodes `min(codes.count, samples.count)` codes into the caller's buffer; returns the count.
    @discardableResult
    public func decode(_ codes: UnsafeBufferPointer<UInt8>, into samples: UnsafeMutableBufferPointer<Int16>) -> Int {
        self == .muLaw ? MuLaw.decode(codes, into: samples) : ALaw.decode(codes, into: samples)
    }
}
