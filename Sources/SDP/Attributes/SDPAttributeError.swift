/// Why the value of a known attribute (rtpmap, fmtp, rtcp, crypto, ...) could not be read.
///
/// The typed accessors on `MediaDescription` skip attributes that fail like this: RFC 4568 §5.1.2
/// and RFC 3264 §6 both have an answerer ignore lines it cannot use rather than fail the session.
public struct SDPAttributeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The attribute name, e.g. `crypto`.
    public var attribute: String
    /// What is wrong, for logs.
    public var reason: String

    public init(attribute: String, reason: String) {
        self.attribute = attribute
        self.reason = reason
    }

    public var description: String { "a=\(attribute): \(reason)" }
}
