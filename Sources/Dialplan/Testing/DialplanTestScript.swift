import Foundation

/// A `.dialtest` script: unit tests for dialplans (`dialgate dialplan test`, docs/dialplan.md
/// "Testing a plan").
///
/// The script names the plan files, a meeting directory fixture and scripted calls (who calls
/// which number over which trunk, which digits they press and when) with the outcome each call
/// must have. It is written in the dialplan language's own syntax (comments, strings, durations,
/// blocks), read by the same lexer and `SyntaxParser`, so every error reads `file:line:column: message`.
public struct DialplanTestScript: Sendable, Equatable {
    /// The script's path as given (plan paths are relative to its folder).
    public var path: String
    /// `plan "PATH"`: dialplan files or folders, loaded together as one set, in order.
    public var plans: [PlanReference] = []
    /// `meeting ID passcode P ...`: the meeting directory the calls see.
    public var meetings: [MeetingFixture] = []
    /// `zone "Area/City"`: the gateway's time zone, for `match time` lines without a zone (UTC).
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// `at "ISO-8601"`: when calls arrive unless their `from` line says otherwise.
    public var arrival: Date = DialplanTestScript.defaultArrival
    public var calls: [ScriptedCall] = []

    /// Monday 2026-01-05 12:00 UTC: a weekday noon, when a script says nothing.
    public static let defaultArrival = Date(timeIntervalSince1970: 1_767_614_400)

    public init(path: String) { self.path = path }

    /// The meeting directory: the fixture's meetings by ID.
    public var directory: [String: MeetingEntry] {
        Dictionary(meetings.map { ($0.entry.id, $0.entry) }, uniquingKeysWith: { first, _ in first })
    }
}

/// `plan "PATH"`: a dialplan file or folder, relative to the script's folder.
public struct PlanReference: Sendable, Equatable {
    public var path: String
    public var location: SourceLocation

    public init(path: String, location: SourceLocation) {
        self.path = path
        self.location = location
    }

    /// The path from where the command runs: the script's folder joined with `path`, with `.` and
    /// `a/..` collapsed (pure string work; nothing is read).
    public func resolved(fromScript script: String) -> String {
        guard !path.hasPrefix("/") else { return DialplanSource.normalizedPath(path) }
        let folder = script.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if folder.isEmpty { return DialplanSource.normalizedPath(script.hasPrefix("/") ? "/" + path : path) }
        return DialplanSource.normalizedPath(folder + "/" + path)
    }
}

/// `meeting ID passcode P [mode standard|e2ee] [tier TIER]`.
public struct MeetingFixture: Sendable, Equatable {
    public var entry: MeetingEntry
    public var location: SourceLocation

    public init(entry: MeetingEntry, location: SourceLocation) {
        self.entry = entry
        self.location = location
    }
}

/// `call "NAME" { from ...; press ...; expect ... }`: one scripted call and what it must do.
public struct ScriptedCall: Sendable, Equatable {
    public var name: String
    public var location: SourceLocation
    /// The caller's number as the INVITE's From gives it.
    public var caller = ""
    public var callerName: String?
    /// `pai NUMBER`: a P-Asserted-Identity; it names the caller when the trunk trusts it (RFC 3325).
    public var assertedIdentity: String?
    /// The called number (the Request-URI user, the DID).
    public var called = ""
    /// `trunk NAME`: the trunk the call comes in on.
    public var trunk: Reference?
    /// `source ADDRESS`: the trunk is found by this address, as the daemon does. Neither this nor
    /// `trunk`: the call comes from 127.0.0.1.
    public var source: SourceAddress?
    /// `header NAME "VALUE"`, by lower-cased name.
    public var headers: [String: [String]] = [:]
    /// `privacy`: the caller asked for `Privacy: id` (RFC 3323): the gateway sees `anonymous`.
    public var privacy = false
    /// `at "ISO-8601"` on the from line; nil: the script's.
    public var arrival: Date?
    public var presses: [Press] = []
    public var expectations: [Expectation] = []

    /// Where the `from` line is (nil until one is read).
    public var fromLocation: SourceLocation?

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }
}

/// An address a call comes from, as written.
public struct SourceAddress: Sendable, Equatable {
    public var text: String
    public var bytes: [UInt8]
    public var location: SourceLocation

    public init(text: String, bytes: [UInt8], location: SourceLocation) {
        self.text = text
        self.bytes = bytes
        self.location = location
    }
}

/// `press "DIGITS" (at T | after D | on PROMPT | after-prompt PROMPT) [after D] [gap D]`.
public struct Press: Sendable, Equatable {
    public enum Start: Sendable, Equatable {
        /// This long after the call started.
        case at(Duration)
        /// This long after the previous press's last digit (after the start for the first press).
        case after(Duration)
        /// When PROMPT starts playing (or, `atEnd`, when it has played to its end), plus `delay`;
        /// the first such playback after the previous press.
        case prompt(Reference, atEnd: Bool, delay: Duration)
    }

    public var digits: [Character]
    public var start: Start
    /// Between two digits of the press.
    public var gap: Duration
    public var location: SourceLocation

    public init(digits: [Character], start: Start, gap: Duration = Press.defaultGap, location: SourceLocation) {
        self.digits = digits
        self.start = start
        self.gap = gap
        self.location = location
    }

    /// A caller's usual pace: a DTMF tone of about 100 ms and a pause as long (RFC 4733 §2.5.1.2
    /// puts no limit on it; ITU-T Q.24 wants at least 40 ms each).
    public static let defaultGap: Duration = .milliseconds(200)

    /// How the press is written in messages: `press "4321#" at 12s`.
    public var summary: String {
        let when: String
        switch start {
        case .at(let t): when = "at \(DialplanParser.format(t))"
        case .after(let d): when = "after \(DialplanParser.format(d))"
        case .prompt(let prompt, let atEnd, let delay):
            when = (atEnd ? "after-prompt " : "on ") + prompt.name + (delay == .zero ? "" : " after \(DialplanParser.format(delay))")
        }
        return "press \"\(String(digits))\" \(when)"
    }
}

/// `expect ...`: one thing the call must do.
public struct Expectation: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// 200 OK was sent (`no-answer`: never).
        case answer(Bool)
        /// 180 Ringing was sent.
        case ring
        /// 183 with early media was sent.
        case earlyMedia
        /// The route the call took.
        case route(String)
        /// A `goto` led to this route.
        case goto(String)
        /// The prompt played (`times`: exactly that often).
        case prompt(String, times: Int?)
        case noPrompt(String)
        /// A tone of this frequency played.
        case tone(Int)
        /// The call joined a meeting (nil: any); the rest must match when given.
        case join(meeting: String?, name: String?, role: Join.Role?, muted: Bool?, policy: String?)
        /// A final response refused the call.
        case reject(status: Int, phrase: String?, cause: Int?)
        /// The answered call ended with BYE.
        case hangup(cause: Int?, text: String?)
        case echo
        /// A variable's value when the run ended.
        case variable(String, value: String)
        /// Wrong meeting IDs and passcodes, counted for the entry guard.
        case entryFailures(Int)
        /// The call ended before this long (`under`), or lasted longer (`over`).
        case durationUnder(Duration)
        case durationOver(Duration)
        /// A line of the run's journal contains this text.
        case journal(String)
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    /// What was expected, for `expected ..., ...` messages.
    public var summary: String {
        switch kind {
        case .answer(true): return "answer"
        case .answer(false): return "no answer"
        case .ring: return "ring"
        case .earlyMedia: return "early media"
        case .route(let name): return "route \(name)"
        case .goto(let name): return "goto \(name)"
        case .prompt(let name, let times):
            return "prompt \(name)" + (times.map { " \($0) time\($0 == 1 ? "" : "s")" } ?? "")
        case .noPrompt(let name): return "no prompt \(name)"
        case .tone(let hertz): return "a \(hertz) Hz tone"
        case .join(let meeting, let name, let role, let muted, let policy):
            var text = "join" + (meeting.map { " \($0)" } ?? "")
            if let role { text += " as \(role.rawValue)" }
            if let muted { text += muted ? ", muted" : ", unmuted" }
            if let name { text += " named \"\(name)\"" }
            if let policy { text += " with policy \(policy)" }
            return text
        case .reject(let status, let phrase, let cause):
            return "reject \(status)" + (phrase.map { " \($0)" } ?? "") + (cause.map { " with Q.850 cause \($0)" } ?? "")
        case .hangup(let cause, let text):
            return "hangup" + (cause.map { " with cause \($0)" } ?? "") + (text.map { " \"\($0)\"" } ?? "")
        case .echo: return "echo"
        case .variable(let name, let value): return "variable \(name) \"\(value)\""
        case .entryFailures(let count): return "\(count) entry failure\(count == 1 ? "" : "s")"
        case .durationUnder(let d): return "the call to end before \(DialplanParser.format(d))"
        case .durationOver(let d): return "the call to last longer than \(DialplanParser.format(d))"
        case .journal(let text): return "a journal line containing \"\(text)\""
        }
    }
}
