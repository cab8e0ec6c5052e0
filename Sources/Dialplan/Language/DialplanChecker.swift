/// Checks a whole set of dialplan files: names that must exist, steps that can never run, routes
/// that can never match, goto loops with no way out.
public struct DialplanChecker: Sendable {
    /// Variables every call has.
    public static let builtinVariables: Set<String> = [
        "called", "caller", "caller.name", "caller.last4", "caller.masked", "trunk", "auth.user",
    ]

    /// The prompt names the gateway can play (the Media module's `PromptLibrary.Name` raw values;
    /// passed in so this module stays free of Media).
    public var knownPrompts: Set<String>

    public init(knownPrompts: Set<String>) {
        self.knownPrompts = knownPrompts
    }

    /// Every problem in `document`, sorted by position.
    public func check(_ document: DialplanDocument) -> [DialplanDiagnostic] {
        var run = Run(document: document, prompts: knownPrompts)
        run.checkNames()
        run.checkTrunks()
        run.checkRoutes()
        run.checkShadowedRoutes()
        run.checkGotoLoops()
        run.checkTiers()
        return run.sink.diagnostics.sorted { $0.location < $1.location }
    }

    private struct Run {
        let document: DialplanDocument
        let prompts: Set<String>
        var sink = DiagnosticSink()
        var variables: Set<String> = DialplanChecker.builtinVariables

        init(document: DialplanDocument, prompts: Set<String>) {
            self.document = document
            self.prompts = prompts
            for variable in document.variables { variables.insert(variable.name) }
            for route in document.routes {
                for condition in route.conditions { variables.formUnion(Run.captureNames(condition)) }
                Run.walk(route) { step in
                    switch step.action {
                    case .collect(let collect): variables.insert(collect.variable)
                    case .set(let variable): variables.insert(variable.name)
                    default: break
                    }
                }
            }
        }

        static func captureNames(_ condition: MatchCondition) -> [String] {
            switch condition.kind {
            case .called(let list), .caller(let list), .callerName(let list), .header(_, let list):
                list.flatMap { pattern -> [String] in
                    if case .regex(let text) = pattern.form { return NumberPattern.groupNames(text) }
                    return []
                }
            default: []
            }
        }

        /// Every step of a route, nested ones and on-failure included.
        static func walk(_ route: Route, _ visit: (Step) -> Void) {
            func walk(_ steps: [Step]) {
                for step in steps {
                    visit(step)
                    if case .tries(_, _, let inner) = step.action { walk(inner) }
                }
            }
            walk(route.steps)
            walk(route.onFailure ?? [])
        }

        // MARK: Names

        mutating func checkNames() {
            duplicates(document.trunks.map { ($0.name, $0.location) }, what: "trunk")
            duplicates(document.routes.map { ($0.name, $0.location) }, what: "route")
            duplicates(document.policies.map { ($0.name, $0.location) }, what: "policy")
            duplicates(document.tiers.map { ($0.name, $0.location) }, what: "tier")
            duplicates(document.variables.map { ($0.name, $0.location) }, what: "variable")
            for variable in document.variables { checkReferences(variable.value, at: variable.location) }
        }

        mutating func duplicates(_ items: [(String, SourceLocation)], what: String) {
            var first: [String: SourceLocation] = [:]
            for (name, location) in items {
                if let earlier = first[name] {
                    sink.error(location, "\(what) '\(name)' is already defined at \(earlier)")
                } else {
                    first[name] = location
                }
            }
        }

        mutating func checkReferences(_ value: Value, at location: SourceLocation) {
            for name in value.references where !variables.contains(name) {
                sink.error(
                    location, "unknown variable '\(name)'",
                    hint:
                        "variables come from set, collect, regex groups, or are built in: \(DialplanChecker.builtinVariables.sorted().joined(separator: ", "))"
                )
            }
        }

        mutating func prompt(_ reference: Reference) {
            guard !prompts.contains(reference.name) else { return }
            let suggestion = DialplanParser.closest(to: reference.name, in: prompts.sorted()).map { "did you mean '\($0)'?" }
            sink.error(
                reference.location, "unknown prompt '\(reference.name)'",
                hint: suggestion ?? "known prompts: \(prompts.sorted().joined(separator: ", "))")
        }

        // MARK: Trunks

        mutating func checkTrunks() {
            var owner: [AddressRange: String] = [:]
            for trunk in document.trunks {
                for range in trunk.sources {
                    let key = AddressRange(
                        address: range.address, prefixLength: range.prefixLength, location: SourceLocation(file: "", line: 0, column: 0))
                    if let other = owner[key], other != trunk.name {
                        sink.error(
                            range.location, "\(range) is already a source of trunk '\(other)'", hint: "a source address must name one trunk"
                        )
                    } else {
                        owner[key] = trunk.name
                    }
                }
            }
        }

        // MARK: Routes

        mutating func checkRoutes() {
            let gotoTargets = Set(
                document.routes.flatMap { route -> [String] in
                    var targets: [String] = []
                    Run.walk(route) { if case .goto(let target) = $0.action { targets.append(target.name) } }
                    return targets
                })
            for route in document.routes {
                for condition in route.conditions {
                    if case .trunk(let names) = condition.kind {
                        for name in names where document.trunk(named: name.name) == nil {
                            sink.error(name.location, "unknown trunk '\(name.name)'", hint: hint(name.name, document.trunks.map(\.name)))
                        }
                    }
                }
                if !route.isMatchable, !gotoTargets.contains(route.name) {
                    sink.error(
                        route.location, "route '\(route.name)' can never run: it has no match lines and no goto leads to it",
                        hint: "add 'match called NUMBER' (or 'match any'), or goto it from another route")
                }
                var looked = false
                checkBlock(route.steps, lookedUp: &looked)
                if let failure = route.onFailure {
                    var afterLookup = looked
                    checkBlock(failure, lookedUp: &afterLookup)
                }
            }
        }

        /// Names, values and reachability within one block of steps.
        mutating func checkBlock(_ steps: [Step], lookedUp: inout Bool) {
            var ended: Step?
            for step in steps {
                if let ender = ended {
                    sink.error(
                        step.location,
                        "unreachable step '\(step.keyword)': '\(ender.keyword)' at line \(ender.location.line) ends the route first",
                        hint: "remove it, or move it before '\(ender.keyword)'")
                    break
                }
                switch step.action {
                case .earlyMedia(let p): prompt(p)
                case .play(let list): for p in list { prompt(p) }
                case .collect(let collect): if let p = collect.prompt { prompt(p) }
                case .lookup(let value):
                    checkReferences(value, at: step.location)
                    lookedUp = true
                case .checkPasscode(let value):
                    checkReferences(value, at: step.location)
                    if !lookedUp {
                        sink.error(
                            step.location, "check-passcode needs a meeting: no lookup comes before it", hint: "lookup $meeting_id first")
                    }
                case .join(let join):
                    if let meeting = join.meeting {
                        checkReferences(meeting, at: step.location)
                    } else if !lookedUp {
                        sink.error(
                            step.location, "join without a meeting needs a lookup before it",
                            hint: "lookup $meeting_id first, or name the meeting: join 123456789")
                    }
                    checkReferences(join.displayName, at: step.location)
                case .goto(let target):
                    if document.route(named: target.name) == nil {
                        sink.error(target.location, "unknown route '\(target.name)'", hint: hint(target.name, document.routes.map(\.name)))
                    }
                case .set(let variable): checkReferences(variable.value, at: step.location)
                case .policy(let name):
                    if document.policy(named: name.name) == nil {
                        sink.error(name.location, "unknown policy '\(name.name)'", hint: hint(name.name, document.policies.map(\.name)))
                    }
                case .tries(_, let retry, let inner):
                    if let retry { prompt(retry) }
                    checkBlock(inner, lookedUp: &lookedUp)
                default: break
                }
                if step.endsBlock { ended = step }
            }
        }

        func hint(_ name: String, _ candidates: [String]) -> String? {
            if let close = DialplanParser.closest(to: name, in: candidates) { return "did you mean '\(close)'?" }
            return candidates.isEmpty ? nil : "defined: \(candidates.prefix(10).joined(separator: ", "))"
        }

        // MARK: Routes that can never match

        /// A later route can never match when an earlier one matches every call it would: each of
        /// the earlier route's conditions is implied by the later route's conditions.
        mutating func checkShadowedRoutes() {
            let matchable = document.routes.filter(\.isMatchable)
            for (index, later) in matchable.enumerated() {
                for earlier in matchable[..<index] where earlier.name != later.name {
                    if earlier.conditions.allSatisfy({ Run.implied($0, by: later.conditions) }) {
                        sink.error(
                            later.location,
                            "route '\(later.name)' can never match: route '\(earlier.name)' at \(earlier.location) comes first and takes all its calls",
                            hint: "move '\(later.name)' above '\(earlier.name)', or narrow the match of '\(earlier.name)'")
                        break
                    }
                }
            }
        }

        /// Whether every call that satisfies all of `conditions` satisfies `condition`.
        static func implied(_ condition: MatchCondition, by conditions: [MatchCondition]) -> Bool {
            if case .any = condition.kind { return true }
            let key = signature(condition)
            for other in conditions {
                if signature(other) == key { return true }
                guard !condition.negated, !other.negated else { continue }
                switch (condition.kind, other.kind) {
                case (.called(let wide), .called(let narrow)), (.caller(let wide), .caller(let narrow)),
                    (.callerName(let wide), .callerName(let narrow)):
                    if covers(wide, narrow) { return true }
                case (.header(let a, let wide), .header(let b, let narrow)) where a.lowercased() == b.lowercased():
                    if covers(wide, narrow) { return true }
                case (.trunk(let wide), .trunk(let narrow)):
                    if Set(narrow.map(\.name)).isSubset(of: wide.map(\.name)) { return true }
                default: break
                }
            }
            return false
        }

        /// Whether every value `narrow` accepts, `wide` accepts too (decided for literals only).
        static func covers(_ wide: [NumberPattern], _ narrow: [NumberPattern]) -> Bool {
            narrow.allSatisfy { pattern in
                if wide.contains(pattern) { return true }
                guard case .literal(let value) = pattern.form else { return false }
                return wide.contains { $0.matches(value) }
            }
        }

        static func signature(_ condition: MatchCondition) -> String {
            let prefix = condition.negated ? "not " : ""
            func list(_ patterns: [NumberPattern]) -> String { patterns.map(\.source).joined(separator: "|") }
            switch condition.kind {
            case .any: return prefix + "any"
            case .called(let p): return prefix + "called " + list(p)
            case .caller(let p): return prefix + "caller " + list(p)
            case .callerName(let p): return prefix + "caller-name " + list(p)
            case .trunk(let names): return prefix + "trunk " + names.map(\.name).sorted().joined(separator: "|")
            case .header(let name, let p): return prefix + "header \(name.lowercased()) " + list(p)
            case .time(let w): return prefix + "time \(w.weekdays.sorted()) \(w.start ?? -1)-\(w.end ?? -1) \(w.timeZone ?? "")"
            }
        }

        // MARK: Goto loops

        /// A route leaves the loop when it waits for the caller (collect) or ends the call.
        static func exits(_ route: Route) -> Bool {
            var found = false
            walk(route) { step in
                switch step.action {
                case .collect, .join, .reject, .hangup, .echo: found = true
                default: break
                }
            }
            return found
        }

        mutating func checkGotoLoops() {
            var edges: [String: [(String, SourceLocation)]] = [:]
            var trapped: Set<String> = []
            for route in document.routes where edges[route.name] == nil {
                var list: [(String, SourceLocation)] = []
                Run.walk(route) { if case .goto(let target) = $0.action { list.append((target.name, $0.location)) } }
                edges[route.name] = list
                if !Run.exits(route) { trapped.insert(route.name) }
            }
            var reported: Set<String> = []
            for route in document.routes where trapped.contains(route.name) && !reported.contains(route.name) {
                // Depth-first search through trapped routes for a path back to `route`.
                var stack: [(name: String, path: [String], at: SourceLocation?)] = [(route.name, [route.name], nil)]
                var seen: Set<String> = []
                searching: while let (name, path, _) = stack.popLast() {
                    for (target, location) in edges[name] ?? [] where trapped.contains(target) {
                        if target == route.name {
                            let cycle = (path + [target]).joined(separator: " → ")
                            sink.error(
                                location, "goto loop with no way out: \(cycle)",
                                hint: "no route in the loop waits for the caller (collect) or ends the call (hangup, reject, join, echo)")
                            reported.formUnion(path)
                            break searching
                        }
                        if seen.insert(target).inserted, path.count < document.routes.count {
                            stack.append((target, path + [target], location))
                        }
                    }
                }
            }
        }

        // MARK: Tiers

        mutating func checkTiers() {
            for tier in document.tiers {
                if let base = tier.basePolicy, document.policy(named: base.name) == nil {
                    sink.error(base.location, "unknown policy '\(base.name)'", hint: hint(base.name, document.policies.map(\.name)))
                }
            }
        }
    }
}
