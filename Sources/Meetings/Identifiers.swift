/// A participant's id within one meeting: assigned by the ``MeetingHub`` in join order, starting at 1,
/// never reused within the meeting. On the wire it is a JSON number (`"participant": 3`).
public struct ParticipantID: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    public static func < (lhs: ParticipantID, rhs: ParticipantID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "participant \(rawValue)" }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(UInt32.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The index of one media sender in a meeting: the KID above its 8 epoch bits (Frames' `SFrameKeyID`, RFC 9605 §4.3),
/// so a receiver knows who sent a frame from the frame alone. Assigned from 1 upwards and never
/// reused within a meeting, so a KID never names two people (a reused KID would let the frames of
/// someone who left be attributed to whoever got the index next).
public struct SenderIndex: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    public static func < (lhs: SenderIndex, rhs: SenderIndex) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "sender \(rawValue)" }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(UInt32.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The participant server's handle for one WebSocket connection (the adapter picks the values).
/// The hub needs it only until the connection has joined; after that it speaks of participants.
public struct ConnectionID: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }
    public var description: String { "connection \(rawValue)" }
}

/// A phone leg in a meeting: the gateway's own short call id (what `dialgatectl calls` shows).
public struct PhoneLegID: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { "call \(rawValue)" }
}

/// An instant on the adapter's clock, in nanoseconds from an origin it chooses. The meeting core
/// never reads a clock (STYLE.md habit 3): instants come in with the events.
public struct MeetingInstant: Comparable, Hashable, Sendable {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The origin; tests usually start here.
    public static let zero = MeetingInstant(nanoseconds: 0)

    public static func < (lhs: MeetingInstant, rhs: MeetingInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Numbers an `admissionRequest` within its meeting, from 1, never reused, so the host's `admission`
/// names the caller it answers. On the wire a JSON number (`"request": 1`).
public struct AdmissionRequestID: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }
    public var description: String { "\(rawValue)" }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(UInt32.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
