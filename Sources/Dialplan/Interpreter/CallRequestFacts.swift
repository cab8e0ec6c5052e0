import Foundation

/// What the dialplan may look at about a new call: who called whom, over which trunk, with which
/// headers, and when. The call adapter builds it from the INVITE; the interpreter never sees SIP.
public struct CallRequestFacts: Equatable, Sendable {
    /// The called number: the Request-URI's user part (the DID), already %-decoded.
    public var called: String
    /// The caller's number: From, or P-Asserted-Identity from a trunk that is trusted (RFC 3325).
    public var caller: String
    public var callerDisplayName: String?
    /// The trunk the call came in on.
    public var trunk: String
    /// The INVITE's header values by lower-cased name, for `match header`.
    public var headers: [String: [String]]
    /// The caller asked that the number be hidden (`Privacy: id`, RFC 3323 §4.2, RFC 3325 §9.3):
    /// the adapter then gives `anonymous` as `caller`, and `caller.masked` is `•••`.
    public var privacy: Bool
    /// When the call arrived, for `match time`.
    public var arrival: Date
    /// The gateway's time zone, for `match time` lines without `zone`.
    public var timeZone: TimeZone
    /// The digest username the caller proved (a trunk with `auth`), empty otherwise.
    public var authenticatedUser: String?

    public init(
        called: String, caller: String, callerDisplayName: String? = nil, trunk: String, headers: [String: [String]] = [:],
        privacy: Bool = false, arrival: Date = Date(timeIntervalSince1970: 0), timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.called = called
        self.caller = caller
        self.callerDisplayName = callerDisplayName
        self.trunk = trunk
        self.headers = headers
        self.privacy = privacy
        self.arrival = arrival
        self.timeZone = timeZone
    }

    /// The caller's number as participants see it: `••• 1234` (the last four digits), `•••` alone
    /// when the number is shorter than six digits or the caller asked for privacy.
    public var maskedCaller: String { Self.masked(caller, privacy: privacy) }

    /// `number` as participants see a masked caller.
    public static func masked(_ number: String, privacy: Bool = false) -> String {
        if privacy { return "•••" }
        let digits = number.filter(\.isNumber)
        guard digits.count >= 6 else { return "•••" }
        return "••• " + digits.suffix(4)
    }

    /// The variables every call has (DialplanChecker.builtinVariables).
    var builtinVariables: [String: String] {
        [
            "called": called, "caller": caller, "caller.name": callerDisplayName ?? "",
            "caller.last4": String(caller.filter(\.isNumber).suffix(4)), "caller.masked": maskedCaller, "trunk": trunk,
            "auth.user": authenticatedUser ?? "",
        ]
    }
}

/// A meeting as the directory knows it, for `lookup` and `check-passcode`.
public struct MeetingEntry: Equatable, Sendable {
    public var id: String
    public var passcode: String
    /// `standard` or `e2ee` (DESIGN.md §1).
    public var mode: String
    /// The host's account tier (`free`, `paid`, ...), for policy.
    public var tier: String

    public init(id: String, passcode: String, mode: String = "standard", tier: String = "free") {
        self.id = id
        self.passcode = passcode
        self.mode = mode
        self.tier = tier
    }
}
