/// The media direction attributes (RFC 8866 §6.7; RFC 3264 §5.1 for their offer/answer meaning),
/// always from the point of view of the description's author.
public enum SDPDirection: String, Hashable, Sendable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    /// The direction an answer gives to an offer with this direction (RFC 3264 §6.1): the other
    /// side of the same stream.
    public var reversed: SDPDirection {
        switch self {
        case .sendrecv: .sendrecv
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .inactive: .inactive
        }
    }

    /// Whether the author will send media.
    public var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the author wants to receive media.
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The direction from the two flags.
    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    public var attribute: SDPAttribute { SDPAttribute(name: rawValue) }

    /// The last direction attribute in a list, if any (a list should hold at most one).
    static func find(in attributes: [SDPAttribute]) -> SDPDirection? {
        attributes.last { $0.value == nil && SDPDirection(rawValue: $0.name) != nil }
            .flatMap { SDPDirection(rawValue: $0.name) }
    }
}
