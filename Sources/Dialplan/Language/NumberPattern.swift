/// A pattern for a called or calling number (or a display name, or a header value).
///
/// Three forms, as operators write them:
/// - a literal (`1000`, `+4930123456`, `"Reception"`): the whole value, exactly;
/// - an Asterisk-style pattern with a leading `_`: `X` is 0-9, `Z` 1-9, `N` 2-9, `[1-5]` and `[135]`
///   one digit from the set, `.` one or more of anything, `!` zero or more of anything; every other
///   character (digits, `*`, `#`, `+`) stands for itself. `X`, `Z`, `N` may be lower case;
/// - a `/regular expression/` (Swift `Regex` syntax) that must match the whole value; named groups
///   (`(?<meeting_id>...)`) become variables.
public struct NumberPattern: Hashable, Sendable, CustomStringConvertible {
    public enum Form: Hashable, Sendable {
        case literal(String)
        case asterisk([PatternElement])
        case regex(String)
    }

    /// One position of an Asterisk-style pattern.
    public enum PatternElement: Hashable, Sendable {
        /// Exactly one character from the set.
        case one(CharacterSet)
        /// One or more characters of anything (`.`).
        case oneOrMore
        /// Zero or more characters of anything (`!`).
        case zeroOrMore
    }

    /// A set of characters: a list of inclusive ranges.
    public struct CharacterSet: Hashable, Sendable {
        public var ranges: [ClosedRange<Character>]
        public func contains(_ c: Character) -> Bool { ranges.contains { $0.contains(c) } }
    }

    public var form: Form
    /// The pattern as written (with `_` or slashes), for messages and records.
    public var source: String

    public var description: String { source }

    /// Whether `number` matches the whole pattern.
    public func matches(_ number: String) -> Bool {
        switch form {
        case .literal(let value): return number == value
        case .asterisk(let elements): return NumberPattern.run(elements, on: Array(number))
        case .regex(let pattern):
            // `Regex` is not `Sendable`, so the pattern is kept as text (checked when parsed) and
            // compiled here. Patterns come from the operator, not from callers.
            guard let regex = try? Regex(pattern) else { return false }
            return (try? regex.wholeMatch(in: number)) != nil
        }
    }

    /// The named groups of a regex pattern that matched `number` (empty for other forms when they
    /// match), or nil when it does not match.
    public func captures(_ number: String) -> [String: String]? {
        guard case .regex(let pattern) = form else { return matches(number) ? [:] : nil }
        guard let regex = try? Regex(pattern), let match = try? regex.wholeMatch(in: number) else { return nil }
        var result: [String: String] = [:]
        for name in NumberPattern.groupNames(pattern) {
            if let value = match.output[name]?.substring { result[name] = String(value) }
        }
        return result
    }

    /// Whether this is a literal: then it matches exactly one value.
    public var isLiteral: Bool {
        if case .literal = form { return true }
        return false
    }

    /// The named groups of a regex, in order (`(?<name>` and `(?P<name>`).
    public static func groupNames(_ pattern: String) -> [String] {
        var names: [String] = []
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" {
                i += 2
                continue
            }
            if chars[i] == "(", i + 2 < chars.count, chars[i + 1] == "?" {
                var j = i + 2
                if j < chars.count, chars[j] == "P" { j += 1 }
                if j < chars.count, chars[j] == "<", j + 1 < chars.count, chars[j + 1] != "=", chars[j + 1] != "!" {
                    var name = ""
                    j += 1
                    while j < chars.count, chars[j] != ">" {
                        name.append(chars[j])
                        j += 1
                    }
                    if !name.isEmpty { names.append(name) }
                }
            }
            i += 1
        }
        return names
    }

    /// NFA simulation: the set of pattern positions reachable after each character, so even
    /// patterns with several `.` or `!` cost O(length × pattern) and never backtrack.
    static func run(_ elements: [PatternElement], on input: [Character]) -> Bool {
        var states = closure(of: [0], in: elements)
        for c in input {
            var next: Set<Int> = []
            for s in states where s < elements.count {
                switch elements[s] {
                case .one(let set): if set.contains(c) { next.insert(s + 1) }
                case .oneOrMore:
                    next.insert(s)
                    next.insert(s + 1)
                case .zeroOrMore: next.insert(s)
                }
            }
            states = closure(of: next, in: elements)
            if states.isEmpty { return false }
        }
        return states.contains(elements.count)
    }

    /// `!` may match nothing, so a state before it also stands after it.
    private static func closure(of states: Set<Int>, in elements: [PatternElement]) -> Set<Int> {
        var result = states
        var work = Array(states)
        while let s = work.popLast() {
            if s < elements.count, case .zeroOrMore = elements[s], !result.contains(s + 1) {
                result.insert(s + 1)
                work.append(s + 1)
            }
        }
        return result
    }
}

extension NumberPattern {
    /// A pattern error: the offset (in characters) inside the pattern text, and what is wrong.
    public struct Problem: Error, Hashable, Sendable {
        public var offset: Int
        public var message: String
        public var hint: String?
    }

    /// A literal value.
    public static func literal(_ value: String) -> NumberPattern {
        NumberPattern(form: .literal(value), source: value)
    }

    /// Compiles `_...` (Asterisk style) text; `text` includes the leading `_`.
    public static func asterisk(_ text: String) throws(Problem) -> NumberPattern {
        let chars = Array(text)
        guard chars.first == "_" else { throw Problem(offset: 0, message: "an Asterisk-style pattern starts with '_'") }
        guard chars.count > 1 else { throw Problem(offset: 0, message: "empty pattern '_'", hint: "for example _1NXXNXXXXXX or _X.") }
        var elements: [PatternElement] = []
        var i = 1
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "X", "x": elements.append(.one(CharacterSet(ranges: ["0"..."9"])))
            case "Z", "z": elements.append(.one(CharacterSet(ranges: ["1"..."9"])))
            case "N", "n": elements.append(.one(CharacterSet(ranges: ["2"..."9"])))
            case ".": elements.append(.oneOrMore)
            case "!": elements.append(.zeroOrMore)
            case "[":
                let open = i
                var ranges: [ClosedRange<Character>] = []
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == "]" {
                        closed = true
                        break
                    }
                    if i + 2 < chars.count, chars[i + 1] == "-", chars[i + 2] != "]" {
                        let upper = chars[i + 2]
                        guard d <= upper else {
                            throw Problem(
                                offset: i, message: "range '\(d)-\(upper)' runs backwards",
                                hint: "write the lower end first, e.g. [\(upper)-\(d)]")
                        }
                        ranges.append(d...upper)
                        i += 3
                    } else {
                        ranges.append(d...d)
                        i += 1
                    }
                }
                guard closed else { throw Problem(offset: open, message: "'[' without a closing ']'") }
                guard !ranges.isEmpty else { throw Problem(offset: open, message: "empty set '[]' matches nothing") }
                elements.append(.one(CharacterSet(ranges: ranges)))
            case "]":
                throw Problem(offset: i, message: "']' without an opening '['")
            case "-":
                // Asterisk ignores dashes, so operators can write _1-NXX-NXX-XXXX for readability.
                break
            default:
                guard c.isASCII, c.isNumber || c == "*" || c == "#" || c == "+" else {
                    throw Problem(
                        offset: i, message: "'\(c)' is not a pattern character",
                        hint: "patterns use digits, * # +, X (0-9), Z (1-9), N (2-9), [ranges], . and !; use a /regex/ for anything else")
                }
                elements.append(.one(CharacterSet(ranges: [c...c])))
            }
            i += 1
        }
        return NumberPattern(form: .asterisk(elements), source: text)
    }

    /// Checks and keeps a regular expression (`text` without its slashes).
    public static func regex(_ text: String) throws(Problem) -> NumberPattern {
        guard !text.isEmpty else { throw Problem(offset: 0, message: "empty regular expression") }
        do {
            _ = try Regex(text)
        } catch {
            throw Problem(offset: 0, message: "bad regular expression: \(error)")
        }
        return NumberPattern(form: .regex(text), source: "/\(text)/")
    }
}
