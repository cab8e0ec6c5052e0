import SIP

/// One call's run through the dialplan: the interpreter of the language (docs/dialplan.md).
///
/// Pure, like the SIP cores: the call adapter feeds it events (a digit, a prompt that finished, a
/// timer that fell due, a meeting the directory found) with the current instant, and carries out
/// the actions it returns (answer, play, look up, join, reject). It never touches a socket or a
/// clock; `deadline` says when it next wants `.timer`. A run keeps the document it started with,
/// so a reload never changes the plan under a call in progress.
public struct DialplanRun: Sendable {
    /// Something that happened to the call.
    public enum Event: Sendable, Equatable {
        /// `deadline` has passed.
        case timer
        /// The playback the run started with this id has played to its end (or was stopped).
        case playbackFinished(id: Int)
        /// A DTMF digit from the caller, once per press.
        case digit(Character)
        /// The answer to `.lookupMeeting`: the meeting, or nil when there is none (or the entry
        /// guard refused to look).
        case meetingLookup(MeetingEntry?)
        /// The answer to `.entryFailed`: how long the caller waits before hearing the failure
        /// (the guessing back-off; zero without one).
        case entryPenalty(Duration)
    }

    /// What the call adapter must do.
    public enum Action: Sendable, Equatable {
        /// 180 Ringing.
        case ring
        /// 183 Session Progress with the SDP answer; the media starts before the answer.
        case earlyMedia
        /// 200 OK with the SDP answer; the media starts (if early media has not started it).
        case answer
        /// Play these items; report `.playbackFinished(id)` at their end.
        case play(id: Int, [PlaybackItem])
        /// A digit interrupted the prompt (barge-in).
        case stopPlayback
        /// Ask the meeting directory; answer with `.meetingLookup`.
        case lookupMeeting(String)
        /// A meeting ID or passcode was wrong: count it against guessing, then answer with
        /// `.entryPenalty`.
        case entryFailed(EntryFailure)
        /// The run is over: put the caller into the meeting.
        case join(JoinRequest)
        /// The run is over: send back what the caller sends.
        case echo
        /// The run is over: refuse the unanswered call with a final response (RFC 6432 Reason).
        case reject(status: Int, phrase: String, reason: ReasonHeader?)
        /// The run is over: end the answered call with BYE and this Reason (RFC 3326).
        case hangup(ReasonHeader)
    }

    /// What the call adapter needs to know beyond the plan.
    public struct Options: Sendable, Equatable {
        /// Ring (180) this long before an answer that no `ring` step preceded (`serve --ring-time`).
        public var ringBeforeAnswer: Duration = .zero
        public init(ringBeforeAnswer: Duration = .zero) { self.ringBeforeAnswer = ringBeforeAnswer }
    }

    public let document: DialplanDocument
    public let facts: CallRequestFacts
    public let options: Options
    /// The route the call took first (`goto` moves on from it; `currentRoute` says where it is).
    public internal(set) var route: String?
    public internal(set) var currentRoute: String?
    /// Every variable of the call: built-ins, the plan's, captures, `collect` and `set`.
    public internal(set) var variables: [String: String]
    /// The meeting `lookup` found.
    public internal(set) var meeting: MeetingEntry?
    /// The policy profile a `policy` step applied.
    public internal(set) var policy: String?
    public internal(set) var isAnswered = false
    public internal(set) var isEarlyMedia = false
    /// What the run did, step by step: `dialgate dialplan test` prints it, the daemon logs it.
    public internal(set) var journal: [JournalEntry] = []

    var frames: [Frame] = []
    var wait: Wait = .running
    var typeAhead: [Character] = []
    var nextPlaybackID = 1
    var rang = false
    var gotos = 0
    /// The terminator of an entry that ended at its maximum length: the next digit, if it is
    /// this, is swallowed rather than taken as an empty entry.
    var filledTerminator: Character?
    /// Why the step failed, while the entry guard's penalty runs.
    var pendingFailure: String?
    /// The instant of the event being handled, for the journal.
    var clock: SIPInstant = .zero

    /// Digits typed before a `collect` asks for them are kept, up to this many.
    static let typeAheadLimit = 32
    /// Steps one event may run without waiting for anything: more is a loop without an exit.
    static let stepBudget = 1000
    /// `goto`s in one call: more is a loop, even one that waits on the way.
    static let gotoLimit = 100

    /// A run for a new call; `start` selects its route.
    public init(document: DialplanDocument, facts: CallRequestFacts, options: Options = Options(), secrets: Secrets? = nil) {
        self.document = document
        self.facts = facts
        self.options = options
        var variables = facts.builtinVariables
        for variable in document.variables {
            variables[variable.name] = DialplanRun.evaluate(variable.value, in: variables)
        }
        self.variables = variables
        let secrets = secrets ?? Secrets(document)
        self.passcodeVariables = secrets.passcodeVariables
        self.passcodeRoutes = secrets.passcodeRoutes
    }

    /// What of a document makes typed digits secret (``DialplanDocument/passcodeVariables``,
    /// ``DialplanDocument/passcodeRoutes``); `ActiveDialplan` keeps them for its calls.
    public struct Secrets: Sendable {
        let passcodeVariables: Set<String>
        let passcodeRoutes: Set<String>

        public init(_ document: DialplanDocument) {
            passcodeVariables = document.passcodeVariables
            passcodeRoutes = document.passcodeRoutes
        }
    }

    /// See ``DialplanDocument/passcodeVariables`` and ``DialplanDocument/passcodeRoutes``.
    let passcodeVariables: Set<String>
    let passcodeRoutes: Set<String>

    /// Whether a digit the caller types now must not be shown: while a `collect` runs into a variable
    /// a `check-passcode` reads, or, between collects, on a route that has such a collect (digits
    /// typed ahead during a prompt may be the passcode).
    public var digitsAreSecret: Bool {
        guard case .collecting(let state) = wait else { return currentRoute.map(passcodeRoutes.contains) ?? false }
        return passcodeVariables.contains(state.spec.variable)
    }

    /// The first actions of the run: route selection and every step up to the first wait. They may
    /// already end it (a reject for a number no route takes).
    public mutating func start(now: SIPInstant) -> [Action] {
        clock = now
        guard let (route, captures) = document.selectRoute(for: facts) else {
            note(nil, "no route matches called \(facts.called.isEmpty ? "(empty)" : facts.called) from \(facts.caller)")
            return finish(.reject(status: 404, phrase: "Not Found", reason: nil))
        }
        variables.merge(captures) { _, new in new }
        self.route = route.name
        enter(route)
        note(route.location, "route \(route.name)" + (captures.isEmpty ? "" : " " + Self.describe(captures)))
        return advance(now: now)
    }

    /// The next instant the run needs `.timer`.
    public var deadline: SIPInstant? {
        switch wait {
        case .timer(let at), .penalty(let at?): at
        case .collecting(let state): state.deadline
        default: nil
        }
    }

    /// Whether the run has handed the call over (join, echo) or ended it.
    public var isFinished: Bool { if case .finished = wait { true } else { false } }

    /// Feeds one event; returns what to do.
    public mutating func handle(_ event: Event, now: SIPInstant) -> [Action] {
        clock = now
        switch (wait, event) {
        case (.finished, _):
            return []
        case (_, .digit(let digit)):
            return digitPressed(digit, now: now)
        case (.timer(let at), .timer):
            guard now >= at else { return [] }
            wait = .running
            return advance(now: now)
        case (.playback(let id), .playbackFinished(let finished)) where id == finished:
            wait = .running
            return advance(now: now)
        case (.collecting(var state), .playbackFinished(let finished)) where state.promptID == finished:
            state.promptID = nil
            state.deadline = now + (state.digits.isEmpty ? state.spec.firstDigitTimeout : state.spec.interDigitTimeout)
            wait = .collecting(state)
            return []
        case (.collecting(let state), .timer):
            guard let at = state.deadline, now >= at else { return [] }
            return collectTimedOut(state, now: now)
        case (.lookup(let id, let location), .meetingLookup(let entry)):
            wait = .running
            guard let entry else {
                note(location, "lookup \(id): no such meeting")
                return entryFailed(EntryFailure(meetingID: id, kind: .unknownMeeting))
            }
            meeting = entry
            variables["meeting.id"] = entry.id
            note(location, "lookup \(id): found (\(entry.mode))")
            return advance(now: now)
        case (.penalty(nil), .entryPenalty(let delay)):
            let at = now + max(.zero, delay)
            wait = .penalty(at)
            return now >= at ? handle(.timer, now: now) : []
        case (.penalty(let at?), .timer):
            guard now >= at else { return [] }
            wait = .running
            return failStep(pendingFailure ?? "wrong entry") + advance(now: now)
        default:
            // Stale events (a playback that a barge-in replaced, a timer moved on) change nothing.
            return []
        }
    }
}

/// What a caller hears from a `play`, `tone`, `pause` or a collect's prompt.
public enum PlaybackItem: Sendable, Equatable {
    case prompt(String)
    case tone(hertz: Int, duration: Duration)
    case silence(Duration)
}

/// A wrong meeting ID or passcode, for the entry guard and the security log.
public struct EntryFailure: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case unknownMeeting = "unknown meeting ID"
        case wrongPasscode = "wrong passcode"
        case noMeeting = "passcode without a meeting"
    }

    /// The meeting ID the caller entered (nil when none was looked up).
    public var meetingID: String?
    public var kind: Kind

    public init(meetingID: String?, kind: Kind) {
        self.meetingID = meetingID
        self.kind = kind
    }
}

/// What `join` asks of the meeting bridge.
public struct JoinRequest: Sendable, Equatable {
    public var meetingID: String
    /// The directory's entry, when `lookup` found the meeting.
    public var meeting: MeetingEntry?
    public var role: Join.Role
    public var muted: Bool
    /// What other participants see, built from the caller ID (never the number under privacy).
    public var displayName: String
    /// The policy profile a `policy` step applied, if any.
    public var policy: String?
}

/// One line of a run's path, for `dialgate dialplan test` and the daemon's debug log.
public struct JournalEntry: Sendable, Equatable, CustomStringConvertible {
    public var at: SIPInstant
    /// The step it is about (nil for route selection with no route).
    public var location: SourceLocation?
    public var text: String

    public var description: String {
        guard let location else { return text }
        return "\(text)  (\(location.file.split(separator: "/").last.map(String.init) ?? location.file):\(location.line))"
    }
}

extension DialplanRun {
    /// Where the run is in the plan: a stack of blocks, the route's at the bottom, `tries` blocks
    /// above it.
    struct Frame: Sendable {
        enum Kind: Sendable {
            case route(String)
            case onFailure(String)
            case tries(count: Int, attempt: Int, retryPrompt: Reference?, location: SourceLocation)
        }
        var steps: [Step]
        var index = 0
        var kind: Kind
    }

    /// What the run waits for.
    enum Wait: Sendable {
        case running
        /// `ring` or `pause` (or a ring before the answer).
        case timer(SIPInstant)
        case playback(id: Int)
        case collecting(CollectState)
        case lookup(String, SourceLocation)
        /// A wrong entry: waiting for the guard's penalty (nil), then for it to pass.
        case penalty(SIPInstant?)
        case finished
    }

    struct CollectState: Sendable {
        var spec: Collect
        var location: SourceLocation
        var digits = ""
        var attempt = 1
        /// The prompt still playing; timeouts run from its end.
        var promptID: Int?
        var deadline: SIPInstant?
    }
}
