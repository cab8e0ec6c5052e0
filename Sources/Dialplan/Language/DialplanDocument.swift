/// Everything a set of dialplan files says, with includes expanded where they were written.
///
/// Routes keep the order in which they appear (a call takes the first route that matches); the
/// other declarations are looked up by name.
public struct DialplanDocument: Hashable, Sendable {
    /// Every file read, in the order it was first read.
    public var files: [String] = []
    public var includes: [Include] = []
    public var variables: [Variable] = []
    public var trunks: [Trunk] = []
    public var routes: [Route] = []
    public var policies: [PolicyProfile] = []
    public var tiers: [Tier] = []

    public init() {}

    public func route(named name: String) -> Route? { routes.first { $0.name == name } }
    public func trunk(named name: String) -> Trunk? { trunks.first { $0.name == name } }
    public func policy(named name: String) -> PolicyProfile? { policies.first { $0.name == name } }
    public func tier(named name: String) -> Tier? { tiers.first { $0.name == name } }
}

/// One top-level statement of a file, in file order.
public enum Declaration: Hashable, Sendable {
    case include(Include)
    case variable(Variable)
    case trunk(Trunk)
    case route(Route)
    case policy(PolicyProfile)
    case tier(Tier)
}

/// One file's declarations, as the parser read them (includes not yet followed).
public struct DialplanFile: Hashable, Sendable {
    public var path: String
    public var declarations: [Declaration]
}

/// `include "other.dialplan"`: the path is relative to the including file.
public struct Include: Hashable, Sendable {
    public var path: String
    public var location: SourceLocation
}

/// `set NAME = VALUE`: a variable (top level: for every call; in a route: a step).
public struct Variable: Hashable, Sendable {
    public var name: String
    public var value: Value
    public var location: SourceLocation
}

/// A value as written: text (may hold `${name}` references), or another variable.
public enum Value: Hashable, Sendable {
    case text(String)
    case variable(String)

    /// The `${name}` (and `$name` for `.variable`) references inside it.
    public var references: [String] {
        switch self {
        case .variable(let name): [name]
        case .text(let text): Value.interpolations(in: text)
        }
    }

    static func interpolations(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { break }
            names.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}

/// A name used somewhere (a prompt, a route, a trunk, a policy), where it is written.
public struct Reference: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var location: SourceLocation

    public init(_ name: String, at location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var description: String { name }
}

extension DialplanDocument {
    /// Variables some `check-passcode` compares: what a caller types into them is a secret, masked in
    /// logs and call timelines.
    public var passcodeVariables: Set<String> {
        var names: Set<String> = []
        for route in routes {
            Self.visit(route.steps + (route.onFailure ?? [])) { action in
                if case .checkPasscode(let value) = action { names.formUnion(value.references) }
            }
        }
        return names
    }

    /// Routes that collect into a passcode variable: digits typed ahead on them (during a prompt,
    /// before the `collect`) may be a passcode.
    public var passcodeRoutes: Set<String> {
        let secrets = passcodeVariables
        var names: Set<String> = []
        for route in routes {
            Self.visit(route.steps + (route.onFailure ?? [])) { action in
                if case .collect(let collect) = action, secrets.contains(collect.variable) { names.insert(route.name) }
            }
        }
        return names
    }

    /// Every step's action, `tries` blocks included.
    private static func visit(_ steps: [Step], _ body: (Step.Action) -> Void) {
        for step in steps {
            body(step.action)
            if case .tries(_, _, let inner) = step.action { visit(inner, body) }
        }
    }
}
