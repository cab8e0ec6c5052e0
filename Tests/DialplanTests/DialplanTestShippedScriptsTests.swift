import Dialplan
import Foundation
import Testing

/// Every script in `dialplans/tests/` passes against the plans it names: CI runs the shipped
/// dialplan tests through the same session `dialgate dialplan test` uses.
@Suite struct DialplanTestShippedScriptsTests {
    @Test func theBundledPromptsAreMeasured() {
        #expect(Set(DialtestFiles.promptDurations.keys) == bundledPrompts)
        // welcome.wav: 10659 samples at 8 kHz.
        #expect(DialtestFiles.promptDurations["welcome"] == .microseconds(10659 * 125))
    }

    @Test func everyPlanHasAScript() throws {
        let scripts = try DialtestFiles.shippedScripts()
        #expect(scripts.contains("dialplans/tests/default.dialtest"))
        for example in ["after-hours", "carrier-did", "pbx-digest"] {
            #expect(scripts.contains("dialplans/tests/\(example).dialtest"))
        }
    }

    @Test(arguments: try DialtestFiles.shippedScripts())
    func shippedScriptPasses(_ path: String) throws {
        let result = try DialtestFiles.run(path)
        switch result {
        case .scriptErrors(let diagnostics), .planErrors(let diagnostics):
            Issue.record("\(path) did not run:\n\(diagnostics.map(\.description).joined(separator: "\n"))")
        case .report(let report):
            #expect(!report.calls.isEmpty)
            let failures = report.calls.flatMap { call in call.failures.map { "\(call.name): \($0)" } }
            #expect(failures == [], "\(report.lines().joined(separator: "\n"))")
        }
    }
}
