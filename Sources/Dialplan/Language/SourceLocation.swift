/// Where something was written: a file, a 1-based line and a 1-based column counted in characters
/// (so `é` or `•` is one column, whatever its UTF-8 length).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form compilers and editors understand.
    public var description: String { "\(file):\(line):\(column)" }

    /// The location `count` characters further along the same line (positions inside a token).
    public func advanced(by count: Int) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column + count)
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One problem in a dialplan file, found by the lexer, the parser, the loader or the checker.
///
/// Its description is exactly `file:line:column: message`, followed by `\n  hint: ...` when a hint
/// helps, so editors can jump to it and operators can read it.
public struct DialplanDiagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var hint: String?

    public init(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        let head = "\(location): \(message)"
        guard let hint else { return head }
        return head + "\n  hint: \(hint)"
    }
}

/// The text of one dialplan file and the path it is reported under. The parser never reads files:
/// the caller (the `dialgate dialplan check` command, the daemon) reads them and hands them over.
public struct DialplanSource: Hashable, Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// Limits that keep hostile or broken files from costing unbounded work or output.
public enum DialplanLimits {
    /// Diagnostics reported for one check before the rest are dropped (with a final note).
    public static let maxDiagnostics = 200
    /// Blocks nested deeper than this are refused (the language needs three levels at most).
    public static let maxNesting = 16
    /// Include chains deeper than this are refused.
    public static let maxIncludeDepth = 32
}

/// Collects diagnostics up to `DialplanLimits.maxDiagnostics`.
struct DiagnosticSink {
    private(set) var diagnostics: [DialplanDiagnostic] = []
    private(set) var truncated = false

    mutating func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        add(DialplanDiagnostic(location, message, hint: hint))
    }

    mutating func add(_ diagnostic: DialplanDiagnostic) {
        if diagnostics.count < DialplanLimits.maxDiagnostics {
            diagnostics.append(diagnostic)
        } else if !truncated {
            truncated = true
            diagnostics.append(
                DialplanDiagnostic(diagnostic.location, "too many errors (more than \(DialplanLimits.maxDiagnostics)); stopping here"))
        }
    }

    mutating func add(contentsOf list: [DialplanDiagnostic]) {
        for item in list { add(item) }
    }
}

extension DialplanSource {
    /// Collapses `.` and `a/..` so that one file has one name (for include-once and cycles); the
    /// daemon's file reader and `dialplan test` both name files with it.
    public static func normalizedPath(_ path: String) -> String {
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
