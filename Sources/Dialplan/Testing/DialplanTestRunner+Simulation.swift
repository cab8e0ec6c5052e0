import SIP

/// One scripted call on the virtual clock: the runner in the call adapter's place.
///
/// Events falling due at the same instant go in this order: answers the gateway gives at once
/// (a lookup, a penalty, a stopped playback), then a playback's end, then the caller's digit,
/// then the run's timer.
struct CallSimulation {
    let runner: DialplanTestRunner
    let call: ScriptedCall
    let directory: [String: MeetingEntry]
    let admission: DialplanTestRunner.Admission
    var run: DialplanRun?
    var entryGuard: EntryGuard
    var now: SIPInstant = .zero

    /// The playback in progress and when it ends.
    var playback: (id: Int, ends: SIPInstant)?
    /// Events the gateway answers at once, in order.
    var immediate: [DialplanRun.Event] = []
    var journalSeen = 0

    /// The press being typed: its index and its remaining digits with their instants.
    var typing: (press: Int, digits: [(at: SIPInstant, key: Character)])?
    /// A press waiting for a prompt to start (or end).
    var awaiting: (press: Int, prompt: String, atEnd: Bool, delay: Duration)?
    /// Presses typed in full.
    var pressesDone = 0
    /// Digits of the press being typed that were sent.
    var digitsSent = 0
    var lastDigitAt: SIPInstant = .zero

    var timeline: [TimelineEntry] = []
    var observed = Observations()
    /// Problems that are not expectations: presses that could not happen, a run that never ended.
    var failures: [DialplanDiagnostic] = []

    init(runner: DialplanTestRunner, call: ScriptedCall, script: DialplanTestScript) {
        self.runner = runner
        self.call = call
        self.directory = script.directory
        self.entryGuard = EntryGuard(settings: runner.guardSettings)
        self.admission = runner.admit(call, in: script)
        if case .admitted(let facts) = admission {
            run = DialplanRun(document: runner.document, facts: facts, options: runner.options)
        }
    }

    private var elapsed: Duration { now - .zero }

    mutating func simulate() {
        var line = "call from \(call.caller)" + (call.callerName.map { " \"\($0)\"" } ?? "") + " to \(call.called)"
        guard var run, case .admitted(let facts) = admission else {
            if case .refused(let outcome) = admission, case .refused(let status, let phrase, let why) = outcome {
                timeline.append(gateway(line + ": \(status) \(phrase) (\(why))"))
                end(outcome)
            }
            reportUndeliveredPresses()
            return
        }
        line += " on trunk \(facts.trunk)"
        if facts.caller != call.caller { line += " (the plan sees caller \(facts.caller))" }
        timeline.append(gateway(line))
        self.run = nil
        armNextPress()
        batch(run.start(now: now), in: &run)

        var sameInstant = 0
        var lastInstant = now
        while !run.isFinished {
            // Every event counts: a run that never lets time pass is stuck, and the test says so.
            if now == lastInstant {
                sameInstant += 1
                guard sameInstant <= DialplanTestRunner.eventsPerInstant else {
                    end(
                        .stalled("the run did not move on from \(TimelineEntry.clock(elapsed)) (\(sameInstant - 1) events at that instant)")
                    )
                    break
                }
            } else {
                sameInstant = 1
                lastInstant = now
            }
            if !immediate.isEmpty {
                let event = immediate.removeFirst()
                batch(run.handle(event, now: now), in: &run)
                continue
            }
            let playbackEnd = playback?.ends
            let digitAt = typing?.digits.first?.at
            let timerAt = run.deadline
            guard let next = [playbackEnd, digitAt, timerAt].compactMap({ $0 }).min() else {
                end(
                    .stalled(
                        "at \(TimelineEntry.clock(elapsed)) the run waits for something nothing will send (no timer, playback or digit)"))
                break
            }
            if next - .zero > runner.safetyLimit {
                now = .zero + runner.safetyLimit
                end(.stillRunning(limit: runner.safetyLimit))
                break
            }
            // A deadline already past falls due now.
            now = max(now, next)
            if let playbackEnd, let current = playback, playbackEnd <= now {
                playback = nil
                batch(run.handle(.playbackFinished(id: current.id), now: now), in: &run)
            } else if let digitAt, digitAt <= now {
                sendDigit(to: &run)
            } else {
                batch(run.handle(.timer, now: now), in: &run)
            }
        }
        if run.isFinished, observed.endedAt == nil {
            end(.stalled("the run finished without a final action"))
        }
        observed.variables = run.variables
        observed.journal = run.journal.map(\.text)
        self.run = run
        reportUndeliveredPresses()
    }

    // MARK: - The caller's digits

    /// Schedules the next press (or waits for its prompt). Called at the start and whenever a
    /// press has been typed in full.
    private mutating func armNextPress() {
        let index = pressesDone
        guard index < call.presses.count else { return }
        let press = call.presses[index]
        digitsSent = 0
        switch press.start {
        case .at(let time):
            var start = SIPInstant.zero + time
            if start < now {
                failures.append(
                    DialplanDiagnostic(
                        press.location,
                        "\(press.summary) starts before the previous press ended (at \(TimelineEntry.clock(elapsed)))",
                        hint: "give a later time, or write 'after DURATION'"))
                start = now
            }
            schedule(index, from: start)
        case .after(let delay):
            schedule(index, from: lastDigitAt + delay)
        case .prompt(let prompt, let atEnd, let delay):
            awaiting = (index, prompt.name, atEnd, delay)
        }
    }

    private mutating func schedule(_ index: Int, from start: SIPInstant) {
        let press = call.presses[index]
        typing = (index, press.digits.enumerated().map { (start + press.gap * $0.offset, $0.element) })
    }

    private mutating func sendDigit(to run: inout DialplanRun) {
        guard var current = typing, !current.digits.isEmpty else { return }
        let (_, key) = current.digits.removeFirst()
        let press = call.presses[current.press]
        var prelude: [TimelineEntry] = []
        if digitsSent == 0 {
            let pace = press.digits.count > 1 ? " (\(TimelineEntry.length(press.gap)) apart)" : ""
            prelude.append(TimelineEntry(at: elapsed, text: "press \"\(String(press.digits))\"\(pace)", location: nil, source: .caller))
        }
        digitsSent += 1
        if current.digits.isEmpty {
            // The press is done: the next one is armed before the digit's effects, so a prompt
            // this digit brings on can start it.
            typing = nil
            pressesDone += 1
            lastDigitAt = now
            armNextPress()
        } else {
            typing = current
        }
        batch(run.handle(.digit(key), now: now), in: &run, prelude: prelude)
    }

    private mutating func reportUndeliveredPresses() {
        guard pressesDone < call.presses.count else { return }
        let press = call.presses[pressesDone]
        let ended = observed.endedAt.map { "the call ended at \(TimelineEntry.clock($0))" } ?? "the call \(observed.outcome.summary)"
        let message: String
        if digitsSent > 0 {
            message = "\(press.summary) was cut short after \(digitsSent) of \(press.digits.count) digits: \(ended)"
        } else if case .prompt(let prompt, _, _) = press.start, awaiting != nil {
            message = "\(press.summary) never happened: \(prompt.name) did not play after the previous press (\(ended))"
        } else {
            message = "\(press.summary) never happened: \(ended)"
        }
        failures.append(DialplanDiagnostic(press.location, message))
    }

    // MARK: - Actions

    /// Carries out one batch of the run's actions and writes the timeline: the caller's line
    /// first, then the plan's journal, then what the gateway did.
    private mutating func batch(_ actions: [DialplanRun.Action], in run: inout DialplanRun, prelude: [TimelineEntry] = []) {
        var plan = run.journal[journalSeen...].map { entry in
            TimelineEntry(at: entry.at - .zero, text: entry.text, location: entry.location, source: .plan)
        }
        journalSeen = run.journal.count
        var before = prelude
        var after: [TimelineEntry] = []
        for action in actions {
            switch action {
            case .ring:
                observed.rang = true
            case .earlyMedia:
                observed.earlyMedia = true
            case .answer:
                observed.answeredAt = observed.answeredAt ?? elapsed
            case .play(let id, let items):
                let lengths = items.map(length)
                let total = lengths.reduce(Duration.zero, +)
                playback = (id, now + total)
                for item in items {
                    switch item {
                    case .prompt(let name): observed.prompts.append((name, elapsed))
                    case .tone(let hertz, _): observed.tones.append(hertz)
                    case .silence: break
                    }
                }
                // The plan's own `play` line gets the length (a `tone` line has it already); a
                // collect's prompt has no line of its own.
                if let index = plan.lastIndex(where: { $0.text.hasPrefix("play ") && !$0.text.hasSuffix(")") }) {
                    plan[index].text += " (\(TimelineEntry.length(total)))"
                } else if plan.contains(where: { $0.text.hasPrefix("tone ") }) {
                    // Said in full by the plan's line.
                } else {
                    after.append(gateway("play \(items.map(describe).joined(separator: " ")) (\(TimelineEntry.length(total)))"))
                }
                startAwaitedPress(items, lengths: lengths)
            case .stopPlayback:
                if let current = playback {
                    playback = nil
                    immediate.append(.playbackFinished(id: current.id))
                    before.append(gateway("stop playback (barge-in)"))
                }
            case .lookupMeeting(let id):
                var entry = directory[id]
                // As the daemon: a locked source or meeting sounds exactly like a wrong entry.
                if entryGuard.isLocked(source: DialplanTestRunner.guardSource, now: now) { entry = nil }
                if let found = entry, entryGuard.isLocked(meeting: found.id, now: now) { entry = nil }
                immediate.append(.meetingLookup(entry))
            case .entryFailed(let failure):
                observed.entryFailures += 1
                let meeting = failure.kind == .wrongPasscode ? run.meeting : nil
                let verdict = entryGuard.recordFailure(source: DialplanTestRunner.guardSource, meeting: meeting, now: now)
                var text = "entry guard: \(failure.kind.rawValue), the caller waits \(TimelineEntry.length(verdict.penalty))"
                if verdict.sourceLockedUntil != nil { text += ", source locked" }
                if verdict.meetingLockedUntil != nil { text += ", meeting locked" }
                after.append(gateway(text))
                immediate.append(.entryPenalty(verdict.penalty))
            case .join(let request):
                end(.join(request), into: &after)
            case .echo:
                end(.echo, into: &after)
            case .reject(let status, let phrase, let reason):
                end(.reject(status: status, phrase: phrase, reason: reason), into: &after)
            case .hangup(let reason):
                end(.hangup(reason), into: &after)
            }
        }
        if observed.selectedRoute == nil, let route = run.route {
            observed.selectedRoute = route
            observed.routes = [route]
        }
        // Several gotos can run within one batch: the journal has each of them.
        for line in plan where line.text.hasPrefix("goto ") { observed.routes.append(String(line.text.dropFirst(5))) }
        timeline += before + plan + after
    }

    /// A press waiting for one of these items starts now.
    private mutating func startAwaitedPress(_ items: [PlaybackItem], lengths: [Duration]) {
        guard let wanted = awaiting else { return }
        var offset = Duration.zero
        for (item, length) in zip(items, lengths) {
            if case .prompt(let name) = item, name == wanted.prompt {
                awaiting = nil
                schedule(wanted.press, from: now + offset + (wanted.atEnd ? length : .zero) + wanted.delay)
                return
            }
            offset += length
        }
    }

    private func length(_ item: PlaybackItem) -> Duration {
        switch item {
        case .prompt(let name): runner.promptDurations[name] ?? .zero
        case .tone(_, let duration), .silence(let duration): duration
        }
    }

    private func describe(_ item: PlaybackItem) -> String {
        switch item {
        case .prompt(let name): name
        case .tone(let hertz, let duration): "\(hertz) Hz tone \(TimelineEntry.length(duration))"
        case .silence(let duration): "\(TimelineEntry.length(duration)) of silence"
        }
    }

    private func gateway(_ text: String) -> TimelineEntry {
        TimelineEntry(at: elapsed, text: text, location: nil, source: .gateway)
    }

    private mutating func end(_ outcome: CallOutcome, into lines: inout [TimelineEntry]) {
        end(outcome)
        lines.append(gateway("end: " + CallSimulation.ending(outcome)))
    }

    private mutating func end(_ outcome: CallOutcome) {
        observed.outcome = outcome
        switch outcome {
        case .stillRunning, .stalled:
            timeline.append(gateway("stop: the call \(outcome.summary)"))
            failures.append(DialplanDiagnostic(call.location, "the call \(outcome.summary)"))
        default:
            observed.endedAt = elapsed
        }
    }

    /// The end as it goes on the wire.
    static func ending(_ outcome: CallOutcome) -> String {
        switch outcome {
        case .join(let request): "joins meeting \(request.meetingID)"
        case .echo: "echo until the caller hangs up"
        case .reject(let status, let phrase, let reason): "\(status) \(phrase)" + (reason.map { ", Reason: \($0.headerValue)" } ?? "")
        case .hangup(let reason): "BYE, Reason: \(reason.headerValue)"
        case .refused(let status, let phrase, _): "\(status) \(phrase)"
        case .stillRunning, .stalled: outcome.summary
        }
    }
}
