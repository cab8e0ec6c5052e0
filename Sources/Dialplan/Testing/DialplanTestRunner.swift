import Foundation
import SIP

/// Runs a `.dialtest` script's calls through a plan on a virtual clock (`dialgate dialplan test`).
///
/// Pure: no files, no clock. It stands in for the call adapter: it drives one `DialplanRun` per
/// call from `SIPInstant.zero`, answers `.play` with `.playbackFinished` once the items have had
/// their length (prompts from `promptDurations`, tones and silences their own), delivers the
/// caller's digits at their times, fires `.timer` at the run's `deadline`, answers
/// `.lookupMeeting` from the script's meeting fixture at once and `.entryFailed` with the penalty
/// of an `EntryGuard` (default settings, one per call, source `script`), as the daemon does; so
/// the times in a report are those a caller would live through.
public struct DialplanTestRunner: Sendable {
    public var document: DialplanDocument
    /// Each prompt's length when played, by name (the Media module's prompt library).
    public var promptDurations: [String: Duration]
    /// A call still running after this much virtual time fails (a test never hangs).
    public var safetyLimit: Duration
    public var options: DialplanRun.Options
    public var guardSettings: EntryGuard.Settings

    /// 30 minutes of virtual time.
    public static let defaultSafetyLimit: Duration = .seconds(30 * 60)
    /// The entry guard's source for every scripted call.
    public static let guardSource = "script"
    /// Without `trunk` or `source`, a call comes from this machine (the bundled loopback trunk).
    public static let defaultSource = "127.0.0.1"
    /// Events at one instant before the run counts as stuck (a run that never moves on).
    static let eventsPerInstant = 10_000

    public init(
        document: DialplanDocument, promptDurations: [String: Duration], safetyLimit: Duration = DialplanTestRunner.defaultSafetyLimit,
        options: DialplanRun.Options = DialplanRun.Options(), guardSettings: EntryGuard.Settings = EntryGuard.Settings()
    ) {
        self.document = document
        self.promptDurations = promptDurations
        self.safetyLimit = safetyLimit
        self.options = options
        self.guardSettings = guardSettings
    }

    /// Names in the script that the plan (or the prompt table) does not know: trunks, routes,
    /// prompts, policies. Each is a script error at its own location.
    public func validate(_ script: DialplanTestScript) -> [DialplanDiagnostic] {
        var problems: [DialplanDiagnostic] = []
        let prompts = promptDurations.keys.sorted()
        func unknown(_ what: String, _ name: String, at location: SourceLocation, in candidates: [String]) {
            let hint =
                DialplanParser.closest(to: name, in: candidates).map { "did you mean '\($0)'?" }
                ?? (candidates.isEmpty ? "the plan defines none" : "defined: \(candidates.prefix(10).joined(separator: ", "))")
            problems.append(DialplanDiagnostic(location, "unknown \(what) '\(name)'", hint: hint))
        }
        for call in script.calls {
            if let trunk = call.trunk, document.trunk(named: trunk.name) == nil {
                unknown("trunk", trunk.name, at: trunk.location, in: document.trunks.map(\.name))
            }
            for press in call.presses {
                if case .prompt(let prompt, _, _) = press.start, promptDurations[prompt.name] == nil {
                    unknown("prompt", prompt.name, at: prompt.location, in: prompts)
                }
            }
            for expectation in call.expectations {
                switch expectation.kind {
                case .route(let name), .goto(let name):
                    if document.route(named: name) == nil {
                        unknown("route", name, at: expectation.location, in: document.routes.map(\.name))
                    }
                case .prompt(let name, _), .noPrompt(let name):
                    if promptDurations[name] == nil { unknown("prompt", name, at: expectation.location, in: prompts) }
                case .join(_, _, _, _, let policy?):
                    if document.policy(named: policy) == nil {
                        unknown("policy", policy, at: expectation.location, in: document.policies.map(\.name))
                    }
                default: break
                }
            }
        }
        return problems
    }

    /// Runs every call of the script.
    public func run(_ script: DialplanTestScript) -> DialplanTestReport {
        DialplanTestReport(script: script.path, calls: script.calls.map { run($0, in: script) })
    }

    /// Runs one call and checks its expectations.
    public func run(_ call: ScriptedCall, in script: DialplanTestScript) -> CallReport {
        var simulation = CallSimulation(runner: self, call: call, script: script)
        simulation.simulate()
        var failures = simulation.failures
        failures += call.expectations.compactMap { simulation.observed.check($0) }
        failures.sort { $0.location < $1.location }
        let observed = simulation.observed
        return CallReport(
            name: call.name, location: call.location, timeline: simulation.timeline, outcome: observed.outcome,
            endedAt: observed.endedAt, route: observed.selectedRoute, failures: failures)
    }

    /// What the gateway does with the call's INVITE before the dialplan.
    enum Admission {
        /// The facts the daemon would build from the INVITE, with the trunk it found.
        case admitted(CallRequestFacts)
        /// No trunk takes the call.
        case refused(CallOutcome)
    }

    func admit(_ call: ScriptedCall, in script: DialplanTestScript) -> Admission {
        let trunk: Trunk?
        if let name = call.trunk {
            trunk = document.trunk(named: name.name)
        } else {
            let source = call.source?.bytes ?? AddressRange.addressBytes(DialplanTestRunner.defaultSource) ?? []
            // As the daemon: the trunk by source address; phones that authenticate may call from anywhere.
            trunk = document.trunk(forSource: source) ?? document.phoneTrunks.first
        }
        guard let trunk else {
            let source = call.source?.text ?? DialplanTestRunner.defaultSource
            return .refused(.refused(status: 403, phrase: "Forbidden", why: "source \(source) is in no trunk's 'from' ranges"))
        }
        var facts = CallRequestFacts(
            called: call.called, caller: call.caller, callerDisplayName: call.callerName, trunk: trunk.name, headers: call.headers,
            arrival: call.arrival ?? script.arrival, timeZone: script.timeZone)
        // RFC 3325 §9.1: P-Asserted-Identity names the caller only from a trusted trunk.
        if trunk.trustAssertedIdentity, let asserted = call.assertedIdentity { facts.caller = asserted }
        // RFC 3323 §4.2: the gateway sees an anonymous caller.
        if call.privacy {
            facts.privacy = true
            facts.caller = "anonymous"
            facts.callerDisplayName = nil
        }
        return .admitted(facts)
    }
}
