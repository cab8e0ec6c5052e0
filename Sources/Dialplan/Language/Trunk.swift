/// A source of calls: a carrier, an SBC, a PBX, or SIP phones.
public struct Trunk: Hashable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// Source addresses the trunk's calls come from (`from`).
    public var sources: [AddressRange] = []
    public var authentication: DigestAuthentication?
    public var srtp: SRTPPolicy = .optional
    /// Whether SDES keys may travel over UDP and TCP, not only TLS (RFC 4568 §8 says TLS).
    public var sdesOverInsecureTransports = false
    /// Whether the trunk's P-Asserted-Identity names the caller (RFC 3325 §9.1: only from a
    /// trusted network).
    public var trustAssertedIdentity = false
    /// Codecs in preference order.
    public var codecs: [Codec] = [.pcmu, .pcma, .opus]
    /// Most calls at once on this trunk; nil for no limit.
    public var maxCalls: Int?
    /// Longest call allowed; nil for no limit.
    public var maxCallDuration: Duration?
    /// Mutual TLS (`tls-client-cert required` with `tls-client-ca "PATH"`): the trunk's calls must
    /// come over TLS from a client whose certificate verifies against these authorities.
    public var clientCertificate: CertificateAuthorities?
    /// `register { ... }`: the gateway registers with the provider, whose registrar then counts as
    /// one of the trunk's sources.
    public var registration: TrunkRegistration?
}

/// `register { ... }` in a trunk: the gateway registers an address-of-record with the provider's
/// registrar (RFC 3261 §10), answering its digest challenge (RFC 7616, RFC 8760), refreshing before
/// the binding expires, so that the provider sends the number's calls here. Over UDP, TCP or TLS.
public struct TrunkRegistration: Hashable, Sendable {
    public var location: SourceLocation
    /// The registrar: an IP address or a host name (resolved by A/AAAA, not SRV), and its port.
    public var registrarHost: String
    public var registrarPort: Int = 5060
    /// How REGISTERs (and the provider's calls to our Contact) travel.
    public var transport: SIPTransportChoice = .udp
    /// With `transport tls`: the authorities the registrar's certificate must verify against
    /// (`tls-ca "PATH"`, relative to the plan file's folder); the system's trust store when nil.
    public var registrarAuthority: CertificateAuthorities?
    /// The user part of the address-of-record (`sip:USER@DOMAIN`).
    public var user: String
    /// The domain of the address-of-record; the registrar's host when not given.
    public var domain: String?
    /// The digest username, when the provider's differs from the address-of-record's user.
    public var authUser: String?
    public var password: String
    /// The binding's lifetime asked for (`Expires`); the registrar may grant less.
    public var expires: Duration = .seconds(3600)
    /// The user part of our Contact, which the provider puts in the Request-URI of the calls it
    /// sends; the address-of-record's user when not given.
    public var contactUser: String?

    public init(location: SourceLocation, registrarHost: String, user: String, password: String) {
        self.location = location
        self.registrarHost = registrarHost
        self.user = user
        self.password = password
    }

    public var aorDomain: String { domain ?? registrarHost }
    public var digestUser: String { authUser ?? user }
    public var contactUserPart: String { contactUser ?? user }
}

/// A PEM file of certificate authorities named in a plan: `tls-client-ca "PATH"` (mutual TLS,
/// RFC 5630 §3.2: the authority that must have issued a client's certificate) or a registration's
/// `tls-ca "PATH"` (the authority of the registrar's certificate).
public struct CertificateAuthorities: Hashable, Sendable {
    /// The PEM file of the certificate authorities, as written (a relative path is taken from the
    /// folder of the file that names it: see `resolvedAuthorityFile`).
    public var authorityFile: String
    public var location: SourceLocation

    public init(authorityFile: String, location: SourceLocation) {
        self.authorityFile = authorityFile
        self.location = location
    }

    /// The authority file's path: absolute as written, or relative to the dialplan file's folder.
    public var resolvedAuthorityFile: String {
        guard !authorityFile.hasPrefix("/") else { return authorityFile }
        let file = location.file
        guard let slash = file.lastIndex(of: "/") else { return authorityFile }
        return String(file[...slash]) + authorityFile
    }
}

/// A transport as the dialplan names it (`transport udp|tcp|tls`).
public enum SIPTransportChoice: String, Hashable, Sendable, CaseIterable {
    case udp, tcp, tls
}

public enum SRTPPolicy: String, Hashable, Sendable, CaseIterable {
    case forbidden, optional, mandatory
}

public enum Codec: String, Hashable, Sendable, CaseIterable {
    case pcmu, pcma, opus
}

/// `auth { ... }`: digest authentication (RFC 8760 SHA-256, RFC 2617 MD5) the trunk's calls must pass.
public struct DigestAuthentication: Hashable, Sendable {
    public enum Algorithm: String, Hashable, Sendable, CaseIterable {
        case sha256 = "sha-256"
        case md5
    }

    public struct Credential: Hashable, Sendable {
        public var user: String
        public var password: String
        public var location: SourceLocation
    }

    public var location: SourceLocation
    public var realm: String?
    /// Offered in this order (RFC 8760 §2.4: the server may offer several challenges).
    public var algorithms: [Algorithm] = [.sha256]
    public var credentials: [Credential] = []
}

/// An IPv4 or IPv6 address range: `192.0.2.0/24`, `2001:db8::/32`, `::1` (a single address).
public struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public var address: [UInt8]
    public var prefixLength: Int
    public var location: SourceLocation

    public var description: String { AddressRange.format(address) + "/\(prefixLength)" }

    public init(address: [UInt8], prefixLength: Int, location: SourceLocation) {
        self.address = address
        self.prefixLength = prefixLength
        self.location = location
    }

    /// Whether `bytes` (4 or 16 bytes) lies in the range.
    public func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var bits = prefixLength
        for (a, b) in zip(address, bytes) {
            if bits <= 0 { return true }
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(UInt8(0xFF) >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }
}
