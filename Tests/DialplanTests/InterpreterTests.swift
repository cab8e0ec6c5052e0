import Foundation
import SIP
import Testing

@testable import Dialplan

/// The interpreter event by event with a fake clock: whole IVR conversations on the bundled plan.
@Suite struct InterpreterTests {
    static let plan = try! LanguageBundledPlanTests.load(["dialplans/default.dialplan"]).document
    let meeting = MeetingEntry(id: "123456789", passcode: "4321")
    var now = SIPInstant.zero

    func start(_ called: String, privacy: Bool = false) -> (DialplanRun, [DialplanRun.Action]) {
        var run = DialplanRun(
            document: Self.plan,
            facts: CallRequestFacts(called: called, caller: privacy ? "anonymous" : "15551234567", trunk: "loopback", privacy: privacy))
        let actions = run.start(now: now)
        return (run, actions)
    }

    /// Plays out every playback at once and answers lookups from `meeting`, until the run waits for digits or ends.
    mutating func settle(_ run: inout DialplanRun, _ actions: [DialplanRun.Action], penalty: Duration = .seconds(1)) -> [DialplanRun.Action]
    {
        var all = actions
        var pending = actions
        while !pending.isEmpty {
            var next: [DialplanRun.Action] = []
            for action in pending {
                switch action {
                case .play(let id, _): next += run.handle(.playbackFinished(id: id), now: now)
                case .lookupMeeting(let id): next += run.handle(.meetingLookup(id == meeting.id ? meeting : nil), now: now)
                case .entryFailed: next += run.handle(.entryPenalty(penalty), now: now)
                default: break
                }
            }
            if next.isEmpty, let deadline = run.deadline, !run.isFinished, case .timer? = pendingTimer(run) {
                now = deadline
                next += run.handle(.timer, now: now)
            }
            all += next
            pending = next
        }
        return all
    }

    /// Timers of pauses and penalties (not digit timeouts) pass by themselves in `settle`.
    func pendingTimer(_ run: DialplanRun) -> DialplanRun.Event? {
        if case .timer = run.wait { return .timer }
        if case .penalty(_?) = run.wait { return .timer }
        return nil
    }

    mutating func press(_ digits: String, _ run: inout DialplanRun) -> [DialplanRun.Action] {
        var actions: [DialplanRun.Action] = []
        for digit in digits {
            now = now + .milliseconds(200)
            actions += settle(&run, run.handle(.digit(digit), now: now))
        }
        return actions
    }

    @Test mutating func rightEntriesJoinTheMeeting() {
        var (run, first) = start("1000")
        let opening = settle(&run, first)
        #expect(opening.first == .answer)
        #expect(opening.contains(.play(id: 1, [.prompt("welcome")])))
        let afterID = press("123456789#", &run)
        #expect(afterID.contains { if case .play(_, [.prompt("enter-passcode")]) = $0 { true } else { false } })
        let afterPasscode = press("4321#", &run)
        guard case .join(let request)? = afterPasscode.last else {
            Issue.record("no join: \(afterPasscode)")
            return
        }
        #expect(request.meetingID == "123456789")
        #expect(request.displayName == "Phone ••• 4567")
        #expect(run.journal.contains { $0.text == "check-passcode: accepted" })
        #expect(!run.journal.contains { $0.text.contains("4321") }, "passcodes stay out of the journal")
    }

    /// A wrong ID and a wrong passcode sound the same: the same failure, penalty and retry prompt.
    @Test mutating func wrongEntriesRetryThenGoodbye() {
        var (run, first) = start("1000")
        _ = settle(&run, first)
        var failures: [EntryFailure] = []
        for attempt in 0..<3 {
            _ = press(attempt == 0 ? "987654321#" : "123456789#", &run)
            let actions = press("0000#", &run)
            failures += actions.compactMap { if case .entryFailed(let f) = $0 { f } else { nil } }
            if attempt < 2 { #expect(actions.contains { if case .play(_, [.prompt("wrong-entry")]) = $0 { true } else { false } }) }
        }
        #expect(failures.map(\.kind) == [.unknownMeeting, .wrongPasscode, .wrongPasscode])
        #expect(run.isFinished)
        #expect(run.journal.contains { $0.text == "all 3 tries failed" })
    }

    @Test mutating func noDigitsTimesOutAfterTheFirstDigitTimeout() {
        var (run, first) = start("1000")
        _ = settle(&run, first)
        let waiting = run.deadline
        #expect(waiting != nil)
        now = waiting!
        let actions = settle(&run, run.handle(.timer, now: now))
        #expect(run.journal.contains { $0.text.contains("no digit within 10s") })
        #expect(actions.contains { if case .play(_, [.prompt("wrong-entry")]) = $0 { true } else { false } })
    }

    @Test mutating func directDialAndNotFound() {
        var (run, first) = start("123456789*4321")
        let actions = settle(&run, first)
        #expect(actions.first == .lookupMeeting("123456789"))
        guard case .join? = actions.last else { Issue.record("\(actions)"); return }
        var (other, rejected) = start("5555")
        #expect(rejected == [.reject(status: 404, phrase: "Not Found", reason: nil)])
        #expect(other.isFinished)
        var (wrong, firstWrong) = start("123456789*9999")
        #expect(settle(&wrong, firstWrong).last == .reject(status: 404, phrase: "Not Found", reason: nil))
        _ = other.handle(.timer, now: now)
    }

    @Test mutating func privacyHidesTheNumberFromParticipants() {
        var (run, first) = start("123456789*4321", privacy: true)
        guard case .join(let request)? = settle(&run, first).last else { Issue.record("no join"); return }
        #expect(request.displayName == "Phone •••")
    }

    /// An 11-digit ID fills its entry; the `#` after it must not count as an empty passcode.
    @Test mutating func terminatorAfterAFullEntryIsSwallowed() {
        var (run, first) = start("1000")
        _ = settle(&run, first)
        _ = press("12345678901#", &run)
        #expect(!run.journal.contains { $0.text.contains("0 digits before") })
    }
}

/// The guard's arithmetic (docs/dialplan.md, "Guessing").
@Suite struct EntryGuardTests {
    @Test func penaltiesDoubleAndTheSourceLocksOut() {
        var guardian = EntryGuard()
        var now = SIPInstant.zero
        var penalties: [Duration] = []
        var locked: SIPInstant?
        for _ in 0..<10 {
            let verdict = guardian.recordFailure(source: "192.0.2.1", meeting: nil, now: now)
            penalties.append(verdict.penalty)
            locked = verdict.sourceLockedUntil
            now = now + .seconds(1)
        }
        #expect(penalties.prefix(6) == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30)])
        #expect(locked != nil)
        #expect(guardian.isLocked(source: "192.0.2.1", now: now))
        #expect(!guardian.isLocked(source: "192.0.2.2", now: now))
        #expect(!guardian.isLocked(source: "192.0.2.1", now: now + .seconds(3601)))
    }

    /// For every passcode length the bucket's rate makes the expected guessing time over 10 years.
    @Test(arguments: 4...10) func expectedGuessTimeExceedsTenYears(length: Int) {
        let guardian = EntryGuard()
        let interval = guardian.refillInterval(passcodeLength: length)
        let perSecond = 1 / (Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
        let expectedGuesses = pow(10, Double(length)) / 2 - Double(guardian.settings.meetingBurst)
        let years = expectedGuesses / perSecond / (365.25 * 86400)
        #expect(years > 10)
    }

    @Test func aMeetingLocksWhenItsBucketIsEmpty() {
        var guardian = EntryGuard()
        let meeting = MeetingEntry(id: "123456789", passcode: "123456")
        var now = SIPInstant.zero
        for index in 0..<10 {
            let verdict = guardian.recordFailure(source: "10.0.0.\(index)", meeting: meeting, now: now)
            #expect((verdict.meetingLockedUntil != nil) == (index == 9))
            now = now + .milliseconds(10)
        }
        #expect(guardian.isLocked(meeting: meeting.id, now: now))
        #expect(!guardian.isLocked(meeting: meeting.id, now: now + guardian.refillInterval(passcodeLength: 6) * 2))
    }
}
