import ArgumentParser
import Dialplan
import Foundation
import Gateway
import Media

/// `dialgate dialplan ...`: tools for the operator's dialplan files.
struct DialplanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialplan",
        abstract: "Check and test dialplan files (docs/dialplan.md).",
        subcommands: [Check.self, Test.self]
    )

    /// `dialgate dialplan check [PATH...]`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate dialplans, trunks and policy profiles.",
            discussion: """
                Each PATH is a .dialplan file or a folder whose *.dialplan files (not its subfolders) are \
                checked together, as the daemon loads them. Every problem is printed as \
                file:line:column: message; the exit status is 1 if there is any.
                """
        )

        @Argument(help: "Files or folders to check.")
        var paths: [String] = ["./dialplans"]

        func run() throws {
            let checker = DialplanChecker(knownPrompts: Set(PromptLibrary.Name.allCases.map(\.rawValue)))
            var failed = false
            var files = 0
            var routes = 0
            var trunks = 0
            var policies = 0
            for path in paths {
                let sources: [DialplanSource]
                do {
                    sources = try DialplanFiles.sources(at: path)
                } catch {
                    print("\(path): \(error)")
                    failed = true
                    continue
                }
                let result = checker.load(sources, resolve: DialplanFiles.resolve)
                for diagnostic in result.diagnostics { print(diagnostic) }
                failed = failed || !result.isValid
                files += result.document.files.count
                routes += result.document.routes.count
                trunks += result.document.trunks.count
                policies += result.document.policies.count
            }
            if failed { throw ExitCode(1) }
            print("ok: \(files) files, \(routes) routes, \(trunks) trunks, \(policies) policies")
        }
    }

    /// `dialgate dialplan test SCRIPT...`: unit tests for dialplans.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run scripted calls through dialplans and check their outcomes.",
            discussion: """
                Each SCRIPT (a .dialtest file, or a folder of them) names its plan files, a meeting \
                directory and scripted calls with the outcomes they must have (docs/dialplan.md, \
                "Testing a plan"). The calls run on a virtual clock with the bundled prompts' real \
                lengths, so no time passes. Each call's path is printed step by step, then PASS or \
                FAIL with file:line:column of each failed expectation. The exit status is 1 when an \
                expectation fails, a plan does not check, or a script has errors.
                """
        )

        @Argument(help: "Test scripts (.dialtest), or folders of them.")
        var scripts: [String] = ["./dialplans/tests"]

        @Flag(help: "Print only failures and the summary.")
        var quiet = false

        func run() throws {
            let library: PromptLibrary
            do {
                library = try PromptLibrary.bundled()
            } catch {
                print("dialgate: \(error)")
                throw ExitCode(1)
            }
            // Each prompt's length when played: its 8 kHz samples.
            let durations = Dictionary(uniqueKeysWithValues: PromptLibrary.Name.allCases.map { ($0.rawValue, library[$0].duration) })
            var failed = false
            var notRun = 0
            var calls = 0
            var passed = 0
            var files = 0
            for path in scripts {
                let paths: [String]
                do {
                    paths = try Self.scripts(at: path)
                } catch {
                    print("\(path): \(error)")
                    failed = true
                    notRun += 1
                    continue
                }
                for script in paths {
                    files += 1
                    let source: DialplanSource
                    do {
                        source = try DialplanFiles.read(script)
                    } catch {
                        print("\(script): \(error)")
                        failed = true
                        notRun += 1
                        continue
                    }
                    if !quiet { print("== \(script)") }
                    let result = DialplanTestSession.run(
                        script: source, promptDurations: durations, sources: { try DialplanFiles.sources(at: $0) },
                        resolve: DialplanFiles.resolve)
                    switch result {
                    case .scriptErrors(let diagnostics):
                        for diagnostic in diagnostics { print(diagnostic) }
                        print("\(script): not run: the script has errors")
                        notRun += 1
                    case .planErrors(let diagnostics):
                        for diagnostic in diagnostics { print(diagnostic) }
                        print("\(script): not run: the plan does not check")
                        notRun += 1
                    case .report(let report):
                        for line in report.lines(quiet: quiet) { print(line) }
                        calls += report.calls.count
                        passed += report.calls.count - report.failedCalls
                    }
                    failed = failed || !result.passed
                }
            }
            var summary = "\(failed ? "FAILED" : "ok"): \(calls) call\(calls == 1 ? "" : "s") in \(files) script\(files == 1 ? "" : "s")"
            summary += ", \(passed) passed, \(calls - passed) failed"
            if notRun > 0 { summary += ", \(notRun) script\(notRun == 1 ? "" : "s") not run" }
            print(summary)
            if failed { throw ExitCode(1) }
        }

        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        /// A script file, or a folder's `*.dialtest` files in name order.
        static func scripts(at path: String) throws -> [String] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw Failure(description: "no such file or folder")
            }
            guard isFolder.boolValue else { return [DialplanFiles.normalize(path)] }
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix("." + DialplanTestScript.fileExtension) }.sorted()
            if names.isEmpty { throw Failure(description: "no .\(DialplanTestScript.fileExtension) files in this folder") }
            return names.map { DialplanFiles.normalize(path + "/" + $0) }
        }
    }
}
