import Foundation
import Logging
import Yams

/// `dialgate serve --config FILE` (DESIGN.md §3, issue 8): the same settings as `serve`'s flags, in a
/// YAML mapping whose keys are the flag names without `--` (docs/configuration.md lists each with its
/// default). A flag given on the command line wins over the file. Every mistake is reported as
/// `FILE:LINE:COLUMN: message`: an unknown key (with the nearest known one), a key given twice (Yams
/// refuses the mapping), a value of the wrong type or out of range. Nothing in the file is executed or expanded.
public struct ServeConfigFile: Sendable, Equatable {
    /// The keys, in the order docs/configuration.md lists them, with what each takes.
    public enum Kind: Sendable, Equatable {
        case address
        case text
        case portRange
        case wholeNumber(ClosedRange<Int>)
        case choice([String])
    }

    public static let keys: [(name: String, kind: Kind)] = [
        ("sip", .address), ("sip-tls", .address), ("participants", .address), ("advertise", .text), ("rtp-ports", .portRange),
        ("control", .text),
        ("control-group", .text),
        ("dialplans", .text), ("state", .text), ("metrics", .address), ("ring-time", .wholeNumber(0...60_000)),
        ("drain-grace", .wholeNumber(0...86_400)), ("max-calls", .wholeNumber(1...1_000_000)),
        ("srtp", .choice(["forbidden", "optional", "mandatory"])), ("media-timeout", .wholeNumber(1...86_400)),
        ("log-level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"])),
        ("log-format", .choice(["text", "logfmt", "json"])), ("retention-days", .wholeNumber(1...36_500)), ("tls-cert", .text),
        ("tls-key", .text),
    ]

    /// The file's settings, by key, as text (checked against the key's kind).
    public private(set) var values: [String: String] = [:]

    /// One mistake in the file.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(path):\(line):\(column): \(message)" }
    }

    /// Every problem of one file, in file order.
    public struct Problems: Error, Sendable, Equatable, CustomStringConvertible {
        public var problems: [Problem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    public init(values: [String: String] = [:]) {
        self.values = values
    }

    /// Reads and checks `path`.
    public static func load(path: String) throws(Problems) -> ServeConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problems(problems: [
                Problem(path: path, line: 1, column: 1, message: "cannot read the file: \(error.localizedDescription)")
            ])
        }
        return try parse(text, path: path)
    }

    /// Checks `text` (the contents of `path`).
    public static func parse(_ text: String, path: String) throws(Problems) -> ServeConfigFile {
        var problems: [Problem] = []
        func problem(_ mark: Mark?, _ message: String) {
            problems.append(Problem(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Problems(problems: [Self.problem(error, path: path)])
        } catch {
            throw Problems(problems: [Problem(path: path, line: 1, column: 1, message: "\(error)")])
        }
        guard let root else { return ServeConfigFile() }  // an empty file sets nothing
        guard case .mapping(let mapping) = root else {
            throw Problems(problems: [
                Problem(
                    path: path, line: root.mark?.line ?? 1, column: root.mark?.column ?? 1,
                    message: "the file must be a mapping of settings (key: value)")
            ])
        }
        var file = ServeConfigFile()
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                problem(keyNode.mark, "a key must be a plain name")
                continue
            }
            let key = keyScalar.string
            guard let kind = keys.first(where: { $0.name == key })?.kind else {
                let hint = nearest(key).map { " (did you mean '\($0)'?)" } ?? ""
                problem(keyNode.mark, "unknown key '\(key)'\(hint); known: \(keys.map(\.name).joined(separator: ", "))")
                continue
            }
            guard case .scalar(let scalar) = valueNode else {
                problem(valueNode.mark, "'\(key)' takes one value, not a list or a mapping")
                continue
            }
            let value = scalar.string
            if let reason = check(value, as: kind) {
                problem(valueNode.mark, "\(key) \(reason), not '\(value)'")
                continue
            }
            file.values[key] = value
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        return file
    }

    /// Why `value` does not fit `kind`, or nil.
    public static func check(_ value: String, as kind: Kind) -> String? {
        switch kind {
        case .text:
            return value.isEmpty ? "must not be empty" : nil
        case .address:
            return (try? ListenAddress(parsing: value)) == nil ? "must be HOST:PORT (IPv6 in brackets)" : nil
        case .portRange:
            let parts = value.split(separator: "-").map { Int($0) }
            guard parts.count == 2, let low = parts[0], let high = parts[1], 1024 <= low, low < high, high <= 65535 else {
                return "must be LOW-HIGH, ports 1024 to 65535"
            }
            return nil
        case .wholeNumber(let range):
            guard let number = Int(value), range.contains(number) else {
                return "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        case .choice(let choices):
            return choices.contains(value) ? nil : "must be one of \(choices.joined(separator: ", "))"
        }
    }

    /// The known key closest to a mistyped one (at most 2 edits), for the hint.
    static func nearest(_ key: String) -> String? {
        keys.map(\.name).map { ($0, distance(Array(key), Array($0))) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() { current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))) }
            previous = current
        }
        return previous[b.count]
    }

    private static func problem(_ error: YamlError, path: String) -> Problem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // libyaml notices a mistake where it gives up (often the end of the file); the construct it
            // was reading starts where the person must look.
            guard let context else {
                return Problem(path: path, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
            }
            return Problem(
                path: path, line: context.mark.line, column: context.mark.column,
                message: "not valid YAML: \(problem) \(context.text) (noticed at \(mark.line):\(mark.column))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Problem(
                path: path, line: context.mark.line, column: context.mark.column,
                message: "\(duplicates.map { "'\($0)'" }.joined(separator: ", ")) set more than once")
        default:
            return Problem(path: path, line: 1, column: 1, message: "not valid YAML: \(error)")
        }
    }
}
