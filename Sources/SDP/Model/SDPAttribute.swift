/// An `a=` line (RFC 8866 §5.13): a property attribute `a=<name>` (value `nil`) or a value
/// attribute `a=<name>:<value>`. The value is everything after the first colon, verbatim.
public struct SDPAttribute: Hashable, Sendable {
    public var name: String
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == SDPAttribute {
    /// The values of every attribute with this name (names compare case-sensitively, as RFC 8866
    /// §5.13 leaves case to each attribute and all the ones used here are lowercase).
    public func values(of name: String) -> [String] {
        compactMap { $0.name == name ? ($0.value ?? "") : nil }
    }

    /// The value of the first attribute with this name, `""` for a property attribute.
    public func firstValue(of name: String) -> String? {
        first { $0.name == name }.map { $0.value ?? "" }
    }

    /// Whether an attribute with this name is present.
    public func contains(named name: String) -> Bool {
        contains { $0.name == name }
    }
}
