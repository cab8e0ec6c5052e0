/// A KID built from a sender index and the low bits of the epoch, after RFC 9605 §5.2:
/// ```
/// KID = (senderIndex << E) | (epoch & (2^E - 1)),   E = 8
/// ```
/// One KID per sender (DESIGN.md §4), and the epoch bits keep the KIDs of consecutive epochs apart, so
/// a receiver can hold the current and the previous epoch's keys at once (late frames still open).
/// With E = 8, epochs 256 apart share KIDs; `EpochKeyRing` never keeps two such epochs.
public struct SFrameKeyID: Hashable, Sendable, CustomStringConvertible {
    /// E: epoch bits in the KID.
    public static let epochBits = 8
    /// The largest sender index that fits in a 64-bit KID beside the epoch bits.
    public static let maximumSenderIndex: UInt64 = .max >> UInt64(epochBits)

    /// The sender's index within the meeting (the manifest's `senderIndex`).
    public let senderIndex: UInt64
    /// The low `epochBits` bits of the epoch.
    public let epochBitsValue: UInt8

    /// The KID of `senderIndex` in `epoch`; throws when the index does not fit.
    public init(senderIndex: UInt64, epoch: UInt64) throws(FramesError) {
        guard senderIndex <= Self.maximumSenderIndex else { throw .senderIndexOutOfRange(senderIndex) }
        self.senderIndex = senderIndex
        self.epochBitsValue = UInt8(truncatingIfNeeded: epoch)
    }

    /// Splits a KID from a frame header. Every 64-bit value is some KID.
    public init(rawValue: UInt64) {
        senderIndex = rawValue >> UInt64(Self.epochBits)
        epochBitsValue = UInt8(truncatingIfNeeded: rawValue)
    }

    /// The KID as carried in the SFrame header.
    public var rawValue: UInt64 { senderIndex << UInt64(Self.epochBits) | UInt64(epochBitsValue) }

    /// Whether this KID carries `epoch`'s low bits.
    public func matches(epoch: UInt64) -> Bool { epochBitsValue == UInt8(truncatingIfNeeded: epoch) }

    public var description: String { "KID \(rawValue) (sender \(senderIndex), epoch bits \(epochBitsValue))" }
}
