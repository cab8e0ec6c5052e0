/// A whole SDP session description (RFC 8866 §5): the session-level lines, then the media sections.
///
/// Values are kept as written wherever the gateway has no reason to interpret them, so a parsed
/// description serializes back to an equal value. Typed views of attributes (rtpmap, fmtp,
/// direction, crypto, ...) are computed on demand by the accessors in `Attributes/`.
public struct SessionDescription: Hashable, Sendable {
    /// `v=`: always 0 (RFC 8866 §5.1); the parser refuses anything else.
    public var version: Int
    /// `o=`: who made this description and which version of it this is (RFC 8866 §5.2).
    public var origin: SDPOrigin
    /// `s=`: the session name. RFC 8866 §5.3 wants it non-empty, but every RFC 3264 example has an
    /// empty `s=`, so an empty name is accepted and kept.
    public var sessionName: String
    /// `i=` at session level (RFC 8866 §5.4).
    public var information: String?
    /// `u=` (RFC 8866 §5.5), kept verbatim.
    public var uri: String?
    /// `e=` lines (RFC 8866 §5.6), kept verbatim.
    public var emails: [String]
    /// `p=` lines (RFC 8866 §5.6), kept verbatim.
    public var phones: [String]
    /// Session-level `c=` (RFC 8866 §5.7); media sections without their own `c=` use this one.
    public var connection: SDPConnection?
    /// Session-level `b=` lines (RFC 8866 §5.8).
    public var bandwidths: [SDPBandwidth]
    /// `t=` lines, each with its `r=` lines (RFC 8866 §5.9, §5.10). At least one is required.
    public var timings: [SDPTiming]
    /// `z=` (RFC 8866 §5.11), kept verbatim.
    public var timeZones: String?
    /// `k=` at session level (RFC 8866 §5.12, obsolete), kept verbatim.
    public var encryptionKey: String?
    /// Session-level `a=` lines in order (RFC 8866 §5.13). Unknown attributes are kept verbatim.
    public var attributes: [SDPAttribute]
    /// The media sections in order; their position is their identity in offer/answer (RFC 3264 §6).
    public var media: [MediaDescription]

    public init(
        version: Int = 0,
        origin: SDPOrigin,
        sessionName: String = "-",
        information: String? = nil,
        uri: String? = nil,
        emails: [String] = [],
        phones: [String] = [],
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        timings: [SDPTiming] = [SDPTiming(start: 0, stop: 0)],
        timeZones: String? = nil,
        encryptionKey: String? = nil,
        attributes: [SDPAttribute] = [],
        media: [MediaDescription] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.timings = timings
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }
}

/// The `o=` line (RFC 8866 §5.2): `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>`.
public struct SDPOrigin: Hashable, Sendable {
    /// The originator's login, or `-` (RFC 8866 §5.2). Contains no spaces.
    public var username: String
    /// Stays the same for the life of the session (RFC 3264 §8).
    public var sessionID: UInt64
    /// Goes up by one each time the description changes (RFC 3264 §8).
    public var sessionVersion: UInt64
    /// `IN` for the Internet; other values are kept.
    public var netType: String
    public var addrType: SDPAddressType
    /// An IP address or a fully qualified domain name, as written.
    public var address: String

    public init(
        username: String = "-",
        sessionID: UInt64,
        sessionVersion: UInt64,
        netType: String = "IN",
        addrType: SDPAddressType,
        address: String
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.netType = netType
        self.addrType = addrType
        self.address = address
    }
}

/// The address type of `o=` and `c=` (RFC 8866 §5.2, §5.7).
public enum SDPAddressType: Hashable, Sendable, CustomStringConvertible {
    case ip4
    case ip6
    /// Any other token, kept as written (RFC 8866 §8.2.6 allows registering more).
    case other(String)

    public init(_ token: String) {
        switch token {
        case "IP4": self = .ip4
        case "IP6": self = .ip6
        default: self = .other(token)
        }
    }

    /// The type for a literal address: IPv6 literals are the ones containing a colon.
    public init(forAddress address: String) {
        self = address.contains(":") ? .ip6 : .ip4
    }

    public var description: String {
        switch self {
        case .ip4: "IP4"
        case .ip6: "IP6"
        case .other(let token): token
        }
    }
}

/// A `c=` line (RFC 8866 §5.7): `c=<nettype> <addrtype> <connection-address>`.
public struct SDPConnection: Hashable, Sendable {
    public var netType: String
    public var addrType: SDPAddressType
    /// The (base) address without any `/ttl` or `/count` suffix.
    public var address: String
    /// IPv4 multicast TTL (`224.2.1.1/127`); never present for IPv6 (RFC 8866 §5.7).
    public var ttl: UInt8?
    /// Number of consecutive multicast addresses (`/3` after the TTL for IPv4, alone for IPv6).
    public var numberOfAddresses: UInt32?

    public init(
        netType: String = "IN",
        addrType: SDPAddressType,
        address: String,
        ttl: UInt8? = nil,
        numberOfAddresses: UInt32? = nil
    ) {
        self.netType = netType
        self.addrType = addrType
        self.address = address
        self.ttl = ttl
        self.numberOfAddresses = numberOfAddresses
    }

    /// A unicast `IN` connection, with the address type taken from the literal.
    public init(unicast address: String) {
        self.init(addrType: SDPAddressType(forAddress: address), address: address)
    }

    /// RFC 3264 §8.4 (and RFC 2543 before it): `c=IN IP4 0.0.0.0` means "do not send to me",
    /// the old way to put a call on hold. `::` is the IPv6 spelling some stacks use.
    public var isHoldAddress: Bool {
        address == "0.0.0.0" || address == "::"
    }
}

/// A `b=<bwtype>:<bandwidth>` line (RFC 8866 §5.8), bandwidth in kilobits per second for CT/AS.
public struct SDPBandwidth: Hashable, Sendable {
    public var type: String
    public var value: UInt64

    public init(type: String, value: UInt64) {
        self.type = type
        self.value = value
    }
}

/// A `t=<start> <stop>` line with the `r=` lines that follow it (RFC 8866 §5.9, §5.10).
/// Unicast SIP sessions use `t=0 0` (RFC 3264 §5).
public struct SDPTiming: Hashable, Sendable {
    /// NTP seconds, 0 for unbounded.
    public var start: UInt64
    public var stop: UInt64
    /// `r=` values, kept verbatim.
    public var repeats: [String]

    public init(start: UInt64, stop: UInt64, repeats: [String] = []) {
        self.start = start
        self.stop = stop
        self.repeats = repeats
    }
}
