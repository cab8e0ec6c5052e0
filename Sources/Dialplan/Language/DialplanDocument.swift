/// Everything a set of dialplan files says, with includes expanded where they were written.
///
/// Routes keep the order in which they appear (a call takes the first route that matches); the
/// other declarations are looked up by name.
public struct DialplanDocument: Hashable, Sendable {
    /// Every file read, in the order it was first read.
    public var files: [String] = []
    public var includes: [Include] = []
    public var variables: [Variable] = []
    public var trunks: [Trunk] = []
    public var routes: [Route] = []
    public var policies: [PolicyProfile] = []
    public var tiers: [Tier] = []

    public init() {}

    public func route(named name: String) -> Route? { routes.first { $0.name == name } }
    public func trunk(named name: String) -> Trunk? { trunks.first { $0.name == name } }
    public func policy(named name: String) -> PolicyProfile? { policies.first { $0.name == name } }
    public func tier(named name: String) -> Tier? { tiers.first { $0.name == name } }
}

/// One top-level statement of a file, in file order.
public enum Declaration: Hashable, Sendable {
    case include(Include)
    case variable(Variable)
    case trunk(Trunk)
    case route(Route)
    case policy(PolicyProfile)
    case tier(Tier)
}

/// One file's declarations, as the parser read them (includes not yet followed).
public struct DialplanFile: Hashable, Sendable {
    public var path: String
    public var declarations: [Declaration]
}

/// `include "other.dialplan"`: the path is relative to the including file.
public struct Include: Hashable, Sendable {
    public var path: String
    public var location: SourceLocation
}

/// `set NAME = VALUE`: a variable (top level: for every call; in a route: a step).
public struct Variable: Hashable, Sendable {
    public var name: String
    public var value: Value
    public var location: SourceLocation
}

/// A value as written: text (may hold `${name}` references), or another variable.
public enum Value: Hashable, Sendable {
    case text(String)
    case variable(String)

    /// The `${name}` (and `$name` for `.variable`) references inside it.
    public var references: [String] {
        switch self {
        case .variable(let name): [name]
        case .text(let text): Value.interpolations(in: text)
        }
    }

    static func interpolations(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            names.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}

/// A name used somewhere (a prompt, a route, a trunk, a policy), where it is written.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var location: SourceLocation

    public init(_ name: String, at location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var description: String { name }
}

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

/// `route NAME { match ...; steps }`.
public struct Route: Hashable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// All must hold. No `match` at all: the route runs only through `goto`.
    public var conditions: [MatchCondition] = []
    public var steps: [Step] = []
    /// `on-failure { ... }`: where a failed step outside `tries` goes.
    public var onFailure: [Step]?

    /// Whether calls can select this route (it has `match` lines), rather than only `goto`.
    public var isMatchable: Bool { !conditions.isEmpty }
}

/// One `match` line.
public struct MatchCondition: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Any call (`match any`).
        case any
        /// The called number: the Request-URI user (the DID).
        case called([NumberPattern])
        /// The caller's number (From, or P-Asserted-Identity from a trusted trunk).
        case caller([NumberPattern])
        /// The caller's display name.
        case callerName([NumberPattern])
        case trunk([Reference])
        /// A SIP header's value (name compared without regard to case).
        case header(name: String, [NumberPattern])
        /// Days of the week and a time of day, in a time zone (nil: the gateway's).
        case time(TimeWindow)
    }

    public var kind: Kind
    /// `match not ...`.
    public var negated: Bool
    public var location: SourceLocation
}

/// `match time mon-fri 09:00-17:00 [zone "Europe/Berlin"]`.
public struct TimeWindow: Hashable, Sendable {
    /// 1 = Monday ... 7 = Sunday (ISO 8601).
    public var weekdays: Set<Int>
    /// Minutes after midnight; `end` before `start` wraps past midnight. Nil: all day.
    public var start: Int?
    public var end: Int?
    public var timeZone: String?

    public init(weekdays: Set<Int>, start: Int? = nil, end: Int? = nil, timeZone: String? = nil) {
        self.weekdays = weekdays
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// Whether a moment given as ISO weekday and minutes after midnight (local to `timeZone`) falls
    /// in the window. The days name the day of the moment itself, so `mon-fri 18:00-08:00` means
    /// "on weekdays, outside 08:00 to 18:00" (Monday 03:00 is in, Saturday 03:00 is not).
    public func contains(weekday: Int, minute: Int) -> Bool {
        guard weekdays.contains(weekday) else { return false }
        guard let start, let end else { return true }
        if start <= end { return minute >= start && minute < end }
        return minute >= start || minute < end
    }
}

/// A `Reason` header (RFC 3326): a protocol and cause, and optional text.
public struct ReasonHeader: Hashable, Sendable {
    public enum ReasonProtocol: String, Hashable, Sendable {
        case sip = "SIP"
        case q850 = "Q.850"
    }

    public var reasonProtocol: ReasonProtocol
    public var cause: Int
    public var text: String?

    /// The header value, e.g. `Q.850;cause=16;text="Normal call clearing"`.
    public var headerValue: String {
        var value = "\(reasonProtocol.rawValue);cause=\(cause)"
        if let text { value += ";text=\"\(String(text.map { $0 == "\"" ? "'" : $0 }))\"" }
        return value
    }
}

/// `collect VAR ...`: digits from the caller.
public struct Collect: Hashable, Sendable {
    public var variable: String
    public var prompt: Reference?
    public var minDigits = 1
    public var maxDigits = 20
    /// Ends entry early; nil for none.
    public var terminator: Character? = "#"
    public var firstDigitTimeout: Duration = .seconds(10)
    public var interDigitTimeout: Duration = .seconds(5)
    public var tries = 1
    /// Whether a digit stops the prompt (the caller may type ahead).
    public var bargeIn = true
}

/// `join [MEETING] [role R] [muted] [name "..."]`.
public struct Join: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, CaseIterable {
        case participant, host, listener
    }

    /// The meeting: a literal ID or `$variable`; nil joins the meeting `lookup` found.
    public var meeting: Value?
    public var role: Role = .participant
    public var muted = false
    /// The name other participants see; `${caller.masked}` gives "Phone ••• 1234".
    public var displayName: Value = .text("Phone ${caller.masked}")
}

/// One step of a route.
public struct Step: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        /// 200 OK.
        case answer
        /// 180 Ringing for a while.
        case ring(Duration)
        /// 183 Session Progress with a prompt as early media (before answering).
        case earlyMedia(prompt: Reference)
        case play([Reference])
        /// A sine tone (frequency in Hz).
        case tone(hertz: Int, duration: Duration)
        /// Silence.
        case pause(Duration)
        case collect(Collect)
        /// Find the meeting by ID; fails when there is none.
        case lookup(Value)
        /// Compare with the looked-up meeting's passcode; fails when wrong or no meeting was found.
        case checkPasscode(Value)
        case join(Join)
        case reject(status: Int, phrase: String?, reason: ReasonHeader?)
        case hangup(reason: ReasonHeader?)
        case goto(Reference)
        case set(Variable)
        case echo
        /// Apply a named policy profile to this call.
        case policy(Reference)
        /// Run the inner steps up to `count` times; a failed step starts the next try (after
        /// `retryPrompt`); when every try failed, the steps after the block run.
        case tries(count: Int, retryPrompt: Reference?, steps: [Step])
    }

    public var action: Action
    public var location: SourceLocation

    /// The keyword as written, for messages.
    public var keyword: String {
        switch action {
        case .answer: "answer"
        case .ring: "ring"
        case .earlyMedia: "early-media"
        case .play: "play"
        case .tone: "tone"
        case .pause: "pause"
        case .collect: "collect"
        case .lookup: "lookup"
        case .checkPasscode: "check-passcode"
        case .join: "join"
        case .reject: "reject"
        case .hangup: "hangup"
        case .goto: "goto"
        case .set: "set"
        case .echo: "echo"
        case .policy: "policy"
        case .tries: "tries"
        }
    }

    /// Whether nothing after this step in the same block can run.
    public var endsBlock: Bool {
        switch action {
        case .join, .reject, .hangup, .goto, .echo: true
        default: false
        }
    }
}

/// `policy NAME { setting value ... }`: a named set of policy settings (DESIGN.md §1).
public struct PolicyProfile: Hashable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var settings: [PolicySetting] = []
}

/// `tier NAME { [policy PROFILE] settings... }`: defaults for meetings of an account tier.
public struct Tier: Hashable, Sendable {
    /// The tiers every deployment has; operators may define more.
    public static let bundled = ["free", "paid", "enterprise", "nonprofit"]

    public var name: String
    public var location: SourceLocation
    public var basePolicy: Reference?
    public var settings: [PolicySetting] = []
}

/// One typed policy setting.
public struct PolicySetting: Hashable, Sendable {
    public enum Value: Hashable, Sendable {
        /// `e2ee-creation allow|deny`: may meetings be created end-to-end encrypted.
        case e2eeCreation(Bool)
        case phoneJoin(PhoneJoin)
        case lobbyTimeout(Duration)
        /// `re-upgrade yes|no`: may the host re-key to e2ee when the last phone leaves.
        case reUpgrade(Bool)
        case callerIDDisplay(CallerIDDisplay)
        /// `phones-before-host yes|no`: may phones join before the host.
        case phonesBeforeHost(Bool)
        case requireSRTP(Bool)
    }

    public enum PhoneJoin: String, Hashable, Sendable, CaseIterable {
        case refuse, lobby, downgrade
        case downgradeAuto = "downgrade-auto"
    }

    public enum CallerIDDisplay: String, Hashable, Sendable, CaseIterable {
        case full, masked, hidden
    }

    public var value: Value
    public var location: SourceLocation

    /// The setting names the language knows.
    public static let names = [
        "e2ee-creation", "phone-join", "lobby-timeout", "re-upgrade", "caller-id-display", "phones-before-host", "require-srtp",
    ]

    public var name: String {
        switch value {
        case .e2eeCreation: "e2ee-creation"
        case .phoneJoin: "phone-join"
        case .lobbyTimeout: "lobby-timeout"
        case .reUpgrade: "re-upgrade"
        case .callerIDDisplay: "caller-id-display"
        case .phonesBeforeHost: "phones-before-host"
        case .requireSRTP: "require-srtp"
        }
    }
}
