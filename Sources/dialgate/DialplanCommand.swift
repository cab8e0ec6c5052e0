import ArgumentParser
import Dialplan
import Foundation
import Media

/// `dialgate dialplan ...`: tools for the operator's dialplan files.
struct DialplanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialplan",
        abstract: "Check dialplan files (docs/dialplan.md).",
        subcommands: [Check.self]
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
}

/// Reading dialplan files for the pure parser: the one place that touches the file system.
enum DialplanFiles {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The sources a PATH names: the file, or the folder's `*.dialplan` files in name order.
    static func sources(at path: String) throws -> [DialplanSource] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw Failure(description: "no such file or folder")
        }
        guard isFolder.boolValue else { return [try read(normalize(path))] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".dialplan") }.sorted()
        if names.isEmpty { throw Failure(description: "no .dialplan files in this folder") }
        return try names.map { try read(normalize(path + "/" + $0)) }
    }

    /// An include, relative to the folder of the file that includes it.
    static func resolve(_ include: String, from file: String) -> DialplanSource? {
        let folder = (file as NSString).deletingLastPathComponent
        let path = include.hasPrefix("/") || folder.isEmpty ? include : folder + "/" + include
        return try? read(normalize(path))
    }

    static func read(_ path: String) throws -> DialplanSource {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "\(path): cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "\(path): not UTF-8 text") }
        return DialplanSource(path: path, text: text)
    }

    /// Collapses `.` and `a/..` so that one file has one name (for include-once and cycles).
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
