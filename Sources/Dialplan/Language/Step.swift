/// A `Reason` header (RFC 3326): a protocol and cause, and optional text.
public struct ReasonHeader: Hashable, Sendable {
    public enum ReasonProtocol: String, Hashable, Sendable {
        case sip = "SIP"
        case q850 = "Q.850"
    }

    public var reasonProtocol: ReasonProtocol
    public var cause: Int
    public var text: String?

    public init(reasonProtocol: ReasonProtocol, cause: Int, text: String? = nil) {
        self.reasonProtocol = reasonProtocol
        self.cause = cause
        self.text = text
    }

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
