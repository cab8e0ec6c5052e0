/// What a scripted call did, as far as expectations can ask.
struct Observations {
    var outcome: CallOutcome = .stalled("the call never started")
    /// When the call ended (nil: it did not).
    var endedAt: Duration?
    var answeredAt: Duration?
    var rang = false
    var earlyMedia = false
    /// The route selected for the call.
    var selectedRoute: String?
    /// The routes the run went through, the selected one first (`goto` adds the others).
    var routes: [String] = []
    /// Each prompt played, with when it started.
    var prompts: [(name: String, at: Duration)] = []
    var tones: [Int] = []
    var entryFailures = 0
    var variables: [String: String] = [:]
    var journal: [String] = []

    /// Nil when the expectation holds; else the failure at the expectation's line, saying what
    /// happened instead.
    func check(_ expectation: Expectation) -> DialplanDiagnostic? {
        problem(expectation.kind).map { DialplanDiagnostic(expectation.location, "expected \(expectation.summary), \($0)") }
    }

    private var theCall: String { "the call \(outcome.summary)" }

    private func problem(_ kind: Expectation.Kind) -> String? {
        switch kind {
        case .answer(let wanted):
            if wanted, answeredAt == nil { return "the call was never answered (it \(outcome.summary))" }
            if !wanted, let at = answeredAt { return "the call was answered at \(TimelineEntry.clock(at))" }
            return nil
        case .ring:
            return rang ? nil : "no 180 Ringing was sent"
        case .earlyMedia:
            return earlyMedia ? nil : "no 183 with early media was sent"
        case .route(let name):
            guard selectedRoute != name else { return nil }
            return selectedRoute.map { "the call took route \($0)" } ?? "no route took the call (\(theCall))"
        case .goto(let name):
            guard !routes.dropFirst().contains(name) else { return nil }
            if routes.count < 2 { return "no goto ran" + (routes.first.map { " (the call stayed in route \($0))" } ?? "") }
            return "the call went through \(routes.joined(separator: " → "))"
        case .prompt(let name, let times):
            let count = prompts.filter { $0.name == name }.count
            if count == 0 {
                let played = prompts.map(\.name)
                return "it never played" + (played.isEmpty ? " (no prompt played)" : " (played: \(played.joined(separator: ", ")))")
            }
            if let times, times != count { return "it played \(count) time\(count == 1 ? "" : "s")" }
            return nil
        case .noPrompt(let name):
            let plays = prompts.filter { $0.name == name }
            guard let first = plays.first else { return nil }
            return "it played \(plays.count) time\(plays.count == 1 ? "" : "s"), first at \(TimelineEntry.clock(first.at))"
        case .tone(let hertz):
            guard !tones.contains(hertz) else { return nil }
            return tones.isEmpty ? "no tone played" : "tones played: \(tones.map { "\($0) Hz" }.joined(separator: ", "))"
        case .join(let meeting, let name, let role, let muted, let policy):
            guard case .join(let request) = outcome else { return theCall }
            let matches =
                (meeting == nil || meeting == request.meetingID) && (name == nil || name == request.displayName)
                && (role == nil || role == request.role) && (muted == nil || muted == request.muted)
                && (policy == nil || policy == request.policy)
            return matches ? nil : theCall
        case .reject(let status, let phrase, let cause):
            let matches: Bool
            switch outcome {
            case .reject(let s, let p, let reason):
                matches =
                    s == status && (phrase == nil || phrase == p)
                    && (cause == nil || (reason?.reasonProtocol == .q850 && reason?.cause == cause))
            case .refused(let s, let p, _):
                matches = s == status && (phrase == nil || phrase == p) && cause == nil
            default:
                matches = false
            }
            return matches ? nil : theCall
        case .hangup(let cause, let text):
            guard case .hangup(let reason) = outcome,
                cause == nil || (reason.reasonProtocol == .q850 && reason.cause == cause), text == nil || text == reason.text
            else { return theCall }
            return nil
        case .echo:
            if case .echo = outcome { return nil }
            return theCall
        case .variable(let name, let value):
            guard let actual = variables[name] else { return "it is not set" }
            return actual == value ? nil : "it is \"\(actual)\""
        case .entryFailures(let count):
            return entryFailures == count ? nil : "there \(entryFailures == 1 ? "was" : "were") \(entryFailures)"
        case .durationUnder(let limit):
            guard let endedAt else { return theCall }
            return endedAt < limit ? nil : "it ended at \(TimelineEntry.clock(endedAt))"
        case .durationOver(let limit):
            guard let endedAt else { return nil }
            return endedAt > limit ? nil : "it ended at \(TimelineEntry.clock(endedAt))"
        case .journal(let text):
            return journal.contains { $0.contains(text) } ? nil : "no journal line contains it"
        }
    }
}
