/// A 16-bit RTP sequence number with serial number arithmetic (RFC 1982 §3, as RFC 3550 A.1 uses it).
///
/// Deliberately not `Comparable`: serial order is not transitive over the whole 16-bit circle
/// (a < b < c < a is possible), so sorting with it would be undefined. Use `isBefore(_:)`,
/// `isAfter(_:)` and `distance(to:)`, which are meaningful for numbers less than half the circle apart.
public struct RTPSequenceNumber: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Signed steps from `self` to `other` in -32768...32767: positive when `other` is later.
    /// RFC 1982 §3.2 leaves the exact half-way case undefined; it comes out as -32768 here.
    public func distance(to other: RTPSequenceNumber) -> Int {
        Int(Int16(bitPattern: other.rawValue &- rawValue))
    }

    /// The number `steps` later, wrapping at 65535.
    public func advanced(by steps: Int) -> RTPSequenceNumber {
        RTPSequenceNumber(rawValue &+ UInt16(truncatingIfNeeded: steps))
    }

    /// RFC 1982 §3.2: `self` comes before `other` when it is less than half the circle behind.
    public func isBefore(_ other: RTPSequenceNumber) -> Bool { distance(to: other) > 0 }

    /// RFC 1982 §3.2: `self` comes after `other`.
    public func isAfter(_ other: RTPSequenceNumber) -> Bool { other.isBefore(self) }

    public var description: String { String(rawValue) }
}
