import SIP

/// The steps (docs/dialplan.md, "Steps"): each one mutates the run and returns actions; only
/// `advance` moves on to the next step, so a step never runs the ones after it itself.
extension DialplanRun {
    /// Runs steps until the run waits for something or ends.
    mutating func advance(now: SIPInstant) -> [Action] {
        var actions: [Action] = []
        var budget = Self.stepBudget
        while case .running = wait {
            budget -= 1
            guard budget >= 0 else {
                return actions + end(because: "\(Self.stepBudget) steps ran without waiting for anything: a loop without an exit")
            }
            guard let step = nextStep() else {
                note(nil, "end of route \(currentRoute ?? "-")")
                return actions + endCall(cause: 16, text: "End of dialplan route")
            }
            actions += execute(step, now: now)
        }
        return actions
    }

    /// The next step to run; a `tries` block that ran to its end is left (it succeeded).
    mutating func nextStep() -> Step? {
        while var top = frames.popLast() {
            if top.index < top.steps.count {
                let step = top.steps[top.index]
                top.index += 1
                frames.append(top)
                return step
            }
            if case .tries = top.kind { continue }
            return nil
        }
        return nil
    }

    mutating func enter(_ route: Route) {
        frames = [Frame(steps: route.steps, kind: .route(route.name))]
        currentRoute = route.name
    }

    private mutating func execute(_ step: Step, now: SIPInstant) -> [Action] {
        let at = step.location
        switch step.action {
        case .answer:
            return answer(now: now, rerunning: step)
        case .ring(let duration):
            guard !isAnswered, !isEarlyMedia else {
                note(at, "ring: already answered, skipped")
                return []
            }
            rang = true
            wait = .timer(now + duration)
            note(at, "ring \(Self.describe(duration))")
            return [.ring]
        case .earlyMedia(let prompt):
            var actions: [Action] = []
            if !isAnswered, !isEarlyMedia {
                isEarlyMedia = true
                note(at, "early media (183)")
                actions.append(.earlyMedia)
            }
            return actions + play([.prompt(prompt.name)], at: at, text: "play \(prompt.name)")
        case .play(let prompts):
            return withMedia(step, now: now) {
                $0.play(prompts.map { .prompt($0.name) }, at: at, text: "play " + prompts.map(\.name).joined(separator: " "))
            }
        case .tone(let hertz, let duration):
            return withMedia(step, now: now) {
                $0.play([.tone(hertz: hertz, duration: duration)], at: at, text: "tone \(hertz) Hz \(Self.describe(duration))")
            }
        case .pause(let duration):
            wait = .timer(now + duration)
            note(at, "pause \(Self.describe(duration))")
            return []
        case .collect(let spec):
            return withMedia(step, now: now) { $0.startCollect(spec, at: at, attempt: 1, now: now) }
        case .lookup(let value):
            let id = Self.evaluate(value, in: variables)
            meeting = nil
            // Not a meeting ID at all: a wrong entry like any other, without asking the directory.
            guard !id.isEmpty, id.count <= 32, id.allSatisfy(\.isNumber) else {
                note(at, "lookup '\(id.prefix(32))': not a meeting ID")
                return entryFailed(EntryFailure(meetingID: nil, kind: .unknownMeeting))
            }
            note(at, "lookup \(id)")
            wait = .lookup(id, at)
            return [.lookupMeeting(id)]
        case .checkPasscode(let value):
            let entered = Self.evaluate(value, in: variables)
            guard let meeting else {
                note(at, "check-passcode: no meeting was found")
                return entryFailed(EntryFailure(meetingID: nil, kind: .noMeeting))
            }
            guard Self.constantTimeEqual(entered, meeting.passcode) else {
                note(at, "check-passcode: wrong for meeting \(meeting.id)")
                return entryFailed(EntryFailure(meetingID: meeting.id, kind: .wrongPasscode))
            }
            note(at, "check-passcode: accepted")
            return []
        case .join(let join):
            // No implicit answer here: policy decides first, so a route that joins before answering
            // can still be refused with a final response (the user agent answers an admitted call).
            guard let id = join.meeting.map({ Self.evaluate($0, in: variables) }) ?? meeting?.id, !id.isEmpty else {
                note(at, "join: no meeting (no lookup found one and none is named)")
                return failStep("join without a meeting")
            }
            let request = JoinRequest(
                meetingID: id, meeting: meeting?.id == id ? meeting : nil, role: join.role, muted: join.muted,
                displayName: Self.evaluate(join.displayName, in: variables), policy: policy)
            note(at, "join \(id) as \(join.role.rawValue)\(join.muted ? ", muted" : "") named \"\(request.displayName)\"")
            return finish(.join(request))
        case .reject(let status, let phrase, let reason):
            note(at, "reject \(status)")
            if isAnswered {
                return finish(.hangup(reason ?? ReasonHeader(reasonProtocol: .q850, cause: 21, text: "Call rejected")))
            }
            return finish(.reject(status: status, phrase: phrase ?? SIPResponse.defaultReasonPhrase(for: status), reason: reason))
        case .hangup(let reason):
            note(at, "hangup")
            guard isAnswered else {
                return finish(.reject(status: 480, phrase: "Temporarily Unavailable", reason: reason))
            }
            return finish(.hangup(reason ?? ReasonHeader(reasonProtocol: .q850, cause: 16, text: "Normal call clearing")))
        case .goto(let target):
            gotos += 1
            guard gotos <= Self.gotoLimit else { return end(because: "more than \(Self.gotoLimit) gotos: a loop without an exit") }
            guard let route = document.route(named: target.name) else { return failStep("no route named \(target.name)") }
            note(at, "goto \(route.name)")
            enter(route)
            return []
        case .set(let variable):
            variables[variable.name] = Self.evaluate(variable.value, in: variables)
            note(at, "set \(variable.name)")
            return []
        case .echo:
            return withMedia(step, now: now) { run in
                run.note(at, "echo")
                return run.finish(.echo)
            }
        case .policy(let profile):
            policy = profile.name
            note(at, "policy \(profile.name)")
            return []
        case .tries(let count, let retryPrompt, let steps):
            frames.append(Frame(steps: steps, kind: .tries(count: count, attempt: 1, retryPrompt: retryPrompt, location: at)))
            note(at, "try 1 of \(count)")
            return []
        }
    }

    // MARK: - Answer and media

    /// `answer`: 200 OK, after ringing `ringBeforeAnswer` when no `ring` came first. While it
    /// rings, `rerunning` (the step that needed the answer) runs again when the ring is over.
    private mutating func answer(now: SIPInstant, rerunning step: Step?) -> [Action] {
        guard !isAnswered else { return [] }
        if !isEarlyMedia, !rang, options.ringBeforeAnswer > .zero {
            rang = true
            wait = .timer(now + options.ringBeforeAnswer)
            // The step that needed the answer (or `answer` itself) runs again after the ring.
            frames[frames.count - 1].index -= 1
            note(step?.location, "ring \(Self.describe(options.ringBeforeAnswer)) before answering")
            return [.ring]
        }
        isAnswered = true
        note(step?.location, "answer")
        return [.answer]
    }

    /// Steps that need the caller to hear something answer the call first (or play over early media).
    private mutating func withMedia(_ step: Step, now: SIPInstant, _ body: (inout DialplanRun) -> [Action]) -> [Action] {
        guard !isAnswered, !isEarlyMedia else { return body(&self) }
        let actions = answer(now: now, rerunning: step)
        guard case .running = wait else { return actions }
        return actions + body(&self)
    }

    mutating func play(_ items: [PlaybackItem], at location: SourceLocation?, text: String) -> [Action] {
        let id = nextPlaybackID
        nextPlaybackID += 1
        wait = .playback(id: id)
        note(location, text)
        return [.play(id: id, items)]
    }

    // MARK: - collect

    enum EntryProgress {
        case more
        case complete
        case failed(String)
    }

    mutating func startCollect(_ spec: Collect, at location: SourceLocation, attempt: Int, now: SIPInstant) -> [Action] {
        var state = CollectState(spec: spec, location: location, attempt: attempt)
        note(location, "collect \(spec.variable)" + (spec.tries > 1 ? " (attempt \(attempt) of \(spec.tries))" : ""))
        // Digits typed ahead (during an earlier prompt) count as if typed now.
        while !typeAhead.isEmpty {
            switch take(typeAhead.removeFirst(), into: &state) {
            case .more: continue
            case .complete: return finishCollect(state)
            case .failed(let reason): return collectFailed(state, reason, now: now)
            }
        }
        var actions: [Action] = []
        if state.digits.isEmpty, let prompt = spec.prompt {
            let id = nextPlaybackID
            nextPlaybackID += 1
            state.promptID = id
            actions.append(.play(id: id, [.prompt(prompt.name)]))
        } else {
            state.deadline = now + (state.digits.isEmpty ? spec.firstDigitTimeout : spec.interDigitTimeout)
        }
        wait = .collecting(state)
        return actions
    }

    /// A digit from the caller: into the entry being collected, or kept for the next `collect`.
    mutating func digitPressed(_ digit: Character, now: SIPInstant) -> [Action] {
        guard case .collecting(var state) = wait else {
            // The terminator the prompt asked for, after an entry that was already complete at its
            // maximum length, belongs to that entry, not to the next one.
            if let filled = filledTerminator, filled == digit, typeAhead.isEmpty {
                filledTerminator = nil
                return []
            }
            filledTerminator = nil
            if typeAhead.count < Self.typeAheadLimit { typeAhead.append(digit) }
            return []
        }
        if let filled = filledTerminator, filled == digit, state.digits.isEmpty {
            filledTerminator = nil
            return []
        }
        filledTerminator = nil
        var actions: [Action] = []
        if state.promptID != nil, state.spec.bargeIn {
            actions.append(.stopPlayback)
            state.promptID = nil
        }
        switch take(digit, into: &state) {
        case .more:
            if state.promptID == nil { state.deadline = now + state.spec.interDigitTimeout }
            wait = .collecting(state)
            return actions
        case .complete:
            wait = .running
            return actions + finishCollect(state) + advance(now: now)
        case .failed(let reason):
            wait = .running
            return actions + collectFailed(state, reason, now: now) + advance(now: now)
        }
    }

    func take(_ digit: Character, into state: inout CollectState) -> EntryProgress {
        if let terminator = state.spec.terminator, digit == terminator {
            guard state.digits.count >= state.spec.minDigits else {
                return .failed("\(state.digits.count) digits before '\(terminator)', at least \(state.spec.minDigits) needed")
            }
            return .complete
        }
        state.digits.append(digit)
        return state.digits.count >= state.spec.maxDigits ? .complete : .more
    }

    mutating func collectTimedOut(_ state: CollectState, now: SIPInstant) -> [Action] {
        wait = .running
        if state.digits.isEmpty {
            return collectFailed(state, "no digit within \(Self.describe(state.spec.firstDigitTimeout))", now: now) + advance(now: now)
        }
        if state.digits.count >= state.spec.minDigits { return finishCollect(state) + advance(now: now) }
        return collectFailed(state, "\(state.digits.count) digits, at least \(state.spec.minDigits) needed", now: now)
            + advance(now: now)
    }

    private mutating func finishCollect(_ state: CollectState) -> [Action] {
        variables[state.spec.variable] = state.digits
        // Full at its maximum: a terminator typed right after still belongs to this entry.
        filledTerminator = state.digits.count >= state.spec.maxDigits ? state.spec.terminator : nil
        wait = .running
        // A passcode's count, not its digits: passcodes stay out of logs. Other entries (a meeting ID)
        // are shown, also when they were typed ahead and their presses logged as `•`.
        let entry =
            passcodeVariables.contains(state.spec.variable)
            ? "\(state.digits.count) digits" : "\(state.digits) (\(state.digits.count) digits)"
        note(state.location, "collected \(state.spec.variable): \(entry)")
        return []
    }

    private mutating func collectFailed(_ state: CollectState, _ reason: String, now: SIPInstant) -> [Action] {
        note(state.location, "collect \(state.spec.variable): \(reason)")
        guard state.attempt < state.spec.tries else { return failStep(reason) }
        typeAhead = []
        return startCollect(state.spec, at: state.location, attempt: state.attempt + 1, now: now)
    }

    // MARK: - Failure and the end

    mutating func entryFailed(_ failure: EntryFailure) -> [Action] {
        pendingFailure = failure.kind.rawValue
        wait = .penalty(nil)
        return [.entryFailed(failure)]
    }

    /// A step failed: the innermost `tries` block tries again (or, out of tries, the steps after
    /// it run); outside any, the route's `on-failure`; without one, the call ends.
    mutating func failStep(_ reason: String) -> [Action] {
        if case .finished = wait { return [] }
        wait = .running
        while let top = frames.last {
            switch top.kind {
            case .tries(let count, let attempt, let retryPrompt, let location):
                guard attempt < count else {
                    frames.removeLast()
                    note(location, "all \(count) tries failed")
                    return []
                }
                frames[frames.count - 1].index = 0
                frames[frames.count - 1].kind = .tries(count: count, attempt: attempt + 1, retryPrompt: retryPrompt, location: location)
                typeAhead = []
                meeting = nil
                note(location, "try \(attempt + 1) of \(count)")
                guard let retryPrompt, isAnswered || isEarlyMedia else { return [] }
                return play([.prompt(retryPrompt.name)], at: retryPrompt.location, text: "play \(retryPrompt.name)")
            case .route(let name):
                if let onFailure = document.route(named: name)?.onFailure {
                    frames = [Frame(steps: onFailure, kind: .onFailure(name))]
                    note(nil, "on-failure of \(name) (\(reason))")
                    return []
                }
                return end(because: reason)
            case .onFailure:
                return end(because: reason)
            }
        }
        return end(because: reason)
    }

    /// A failure nothing handles: `reject 404` before the answer, `hangup` after.
    private mutating func end(because reason: String) -> [Action] {
        note(nil, "failed: \(reason)")
        guard isAnswered else { return finish(.reject(status: 404, phrase: "Not Found", reason: nil)) }
        return endCall(cause: 31, text: "Dialplan failed: \(reason)")
    }

    private mutating func endCall(cause: Int, text: String) -> [Action] {
        guard isAnswered else { return finish(.reject(status: 480, phrase: "Temporarily Unavailable", reason: nil)) }
        return finish(.hangup(ReasonHeader(reasonProtocol: .q850, cause: cause, text: text)))
    }

    mutating func finish(_ action: Action) -> [Action] {
        wait = .finished
        frames = []
        return [action]
    }

    // MARK: - Helpers

    mutating func note(_ location: SourceLocation?, _ text: String) {
        // A bounded journal: a long echo call or a hostile loop never grows it without end.
        guard journal.count < 500 else { return }
        journal.append(JournalEntry(at: clock, location: location, text: text))
    }

    /// A value with its `${name}` references (and `$name`) replaced; unknown names are empty.
    static func evaluate(_ value: Value, in variables: [String: String]) -> String {
        switch value {
        case .variable(let name):
            return variables[name] ?? ""
        case .text(let text):
            var result = ""
            var rest = Substring(text)
            while let start = rest.firstRange(of: "${") {
                result += rest[..<start.lowerBound]
                let after = rest[start.upperBound...]
                guard let close = after.firstIndex(of: "}") else {
                    result += rest[start.lowerBound...]
                    return result
                }
                result += variables[String(after[..<close])] ?? ""
                rest = after[after.index(after: close)...]
            }
            return result + rest
        }
    }

    /// Compares every byte whatever the first difference, so timing tells nothing about a passcode.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0
    }

    static func describe(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }

    static func describe(_ captures: [String: String]) -> String {
        captures.keys.sorted().map { "\($0)=\(captures[$0]!.count) digits" }.joined(separator: " ")
    }
}
