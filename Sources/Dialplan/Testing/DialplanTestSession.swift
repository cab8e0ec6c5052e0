/// Everything `dialgate dialplan test` does with one script, the reading of files passed in (as
/// `DialplanChecker.load` takes its include resolver), so the command and the tests share it.
public enum DialplanTestSession {
    /// What became of one script.
    public enum Result: Sendable {
        /// The script cannot run: it does not parse, a plan cannot be read, or it names trunks,
        /// routes, prompts or policies the plan does not have.
        case scriptErrors([DialplanDiagnostic])
        /// The plan does not load or check (its diagnostics).
        case planErrors([DialplanDiagnostic])
        /// Every call ran; the report says which passed.
        case report(DialplanTestReport)

        /// Whether everything passed.
        public var passed: Bool {
            if case .report(let report) = self { return report.passed }
            return false
        }
    }

    /// Parses `script`, loads and checks its plans (`sources` reads a file or a folder's
    /// `*.dialplan` files; `resolve` follows includes) and runs its calls.
    public static func run(
        script source: DialplanSource, promptDurations: [String: Duration], sources: (_ path: String) throws -> [DialplanSource],
        resolve: DialplanLoader.IncludeResolver, safetyLimit: Duration = DialplanTestRunner.defaultSafetyLimit
    ) -> Result {
        let (script, diagnostics) = DialplanTestScript.parse(source)
        guard diagnostics.isEmpty else { return .scriptErrors(diagnostics) }
        var files: [DialplanSource] = []
        var problems: [DialplanDiagnostic] = []
        for plan in script.plans {
            let path = plan.resolved(fromScript: script.path)
            do {
                for file in try sources(path) where !files.contains(where: { $0.path == file.path }) { files.append(file) }
            } catch {
                problems.append(DialplanDiagnostic(plan.location, "cannot read plan '\(path)': \(error)"))
            }
        }
        guard problems.isEmpty else { return .scriptErrors(problems) }
        let checked = DialplanChecker(knownPrompts: Set(promptDurations.keys)).load(files, resolve: resolve)
        guard checked.isValid else { return .planErrors(checked.diagnostics) }
        let runner = DialplanTestRunner(document: checked.document, promptDurations: promptDurations, safetyLimit: safetyLimit)
        let unknown = runner.validate(script)
        guard unknown.isEmpty else { return .scriptErrors(unknown) }
        return .report(runner.run(script))
    }
}
