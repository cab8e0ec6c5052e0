/// What `dialgate dialplan test` found for one script: each call's path and whether its
/// expectations held.
public struct DialplanTestReport: Sendable, Equatable {
    /// The script's path.
    public var script: String
    public var calls: [CallReport]

    public init(script: String, calls: [CallReport]) {
        self.script = script
        self.calls = calls
    }

    public var passed: Bool { calls.allSatisfy(\.passed) }
    public var failedCalls: Int { calls.filter { !$0.passed }.count }

    /// The report as printed: each call's timeline, then `PASS call "NAME"` or one
    /// `FAIL call "NAME": file:line:column: message` per failed expectation. `quiet` leaves out
    /// the timelines and the passing calls.
    public func lines(quiet: Bool = false) -> [String] {
        var lines: [String] = []
        for call in calls {
            if !quiet {
                lines.append("call \"\(call.name)\"  (\(call.location))")
                lines += call.timeline.map(\.description)
            }
            if call.passed {
                if !quiet { lines.append("PASS call \"\(call.name)\"") }
            } else {
                lines += call.failures.map { "FAIL call \"\(call.name)\": \($0.location): \($0.message)" }
            }
            if !quiet { lines.append("") }
        }
        return lines
    }
}

/// One scripted call: what happened, when, and which expectations failed.
public struct CallReport: Sendable, Equatable {
    public var name: String
    public var location: SourceLocation
    /// The call's path on the virtual clock: the plan's journal, the caller's presses and what the
    /// gateway did (playback lengths, penalties, the end).
    public var timeline: [TimelineEntry]
    public var outcome: CallOutcome
    /// When the call ended (nil: it did not, within the safety limit).
    public var endedAt: Duration?
    /// The route the call took (nil: none matched, or it never reached the dialplan).
    public var route: String?
    /// Failed expectations (and presses that never happened, a run that never ended), each at
    /// its own line in the script.
    public var failures: [DialplanDiagnostic]

    public var passed: Bool { failures.isEmpty }
}

/// How a scripted call ended.
public enum CallOutcome: Sendable, Equatable {
    /// The run put the caller into a meeting.
    case join(JoinRequest)
    /// The run handed the call to the echo test.
    case echo
    /// A final response refused the unanswered call.
    case reject(status: Int, phrase: String, reason: ReasonHeader?)
    /// BYE after the answer.
    case hangup(ReasonHeader)
    /// The gateway refused the call before the dialplan ran (no trunk takes its source).
    case refused(status: Int, phrase: String, why: String)
    /// Still running when the safety limit of virtual time was reached.
    case stillRunning(limit: Duration)
    /// The run waits for something nothing will send, or stopped moving on.
    case stalled(String)

    /// Ends the sentence "the call ...".
    public var summary: String {
        switch self {
        case .join(let request):
            return "joined meeting \(request.meetingID) as \(request.role.rawValue)\(request.muted ? ", muted," : "")"
                + " named \"\(request.displayName)\"" + (request.policy.map { " with policy \($0)" } ?? "")
        case .echo:
            return "went to the echo test"
        case .reject(let status, let phrase, let reason):
            return "ended with reject \(status) \(phrase)" + (reason.map { " (\(CallOutcome.describe($0)))" } ?? "")
        case .hangup(let reason):
            return "ended with hangup (\(CallOutcome.describe(reason)))"
        case .refused(let status, let phrase, let why):
            return "was refused with \(status) \(phrase) before the dialplan ran (\(why))"
        case .stillRunning(let limit):
            return "was still running after \(DialplanParser.format(limit)) of virtual time (the safety limit)"
        case .stalled(let why):
            return "stalled: \(why)"
        }
    }

    /// `Q.850 16 "Too many failed entries"`.
    static func describe(_ reason: ReasonHeader) -> String {
        "\(reason.reasonProtocol.rawValue) \(reason.cause)" + (reason.text.map { " \"\($0)\"" } ?? "")
    }
}

/// One line of a call's path.
public struct TimelineEntry: Sendable, Equatable, CustomStringConvertible {
    public enum Source: Sendable, Equatable {
        /// The interpreter's journal: what the plan did.
        case plan
        /// What the scripted caller did.
        case caller
        /// What the gateway (the runner, in its place) did: playback lengths, the entry guard, the end.
        case gateway
    }

    /// Since the call arrived.
    public var at: Duration
    public var text: String
    /// The plan step it is about.
    public var location: SourceLocation?
    public var source: Source

    /// `   6.000  press "123456789#"`, with the plan file and line for plan steps.
    public var description: String {
        let time = TimelineEntry.clock(at)
        let padded = String(repeating: " ", count: max(0, 8 - time.count)) + time
        let place = location.map { "  (\(($0.file.split(separator: "/").last.map(String.init) ?? $0.file)):\($0.line))" } ?? ""
        return "\(padded)  \(text)\(place)"
    }

    /// Seconds with three decimals: `12.300`.
    public static func clock(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        let sign = ms < 0 ? "-" : ""
        let whole = abs(ms) / 1000
        let fraction = abs(ms) % 1000
        return "\(sign)\(whole)." + String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
    }

    /// A length as people say it: `2.384s`, `300ms`, `10s`.
    public static func length(_ duration: Duration) -> String {
        let ms = milliseconds(duration)
        if ms < 1000 { return "\(ms)ms" }
        var text = clock(duration)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "s"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
