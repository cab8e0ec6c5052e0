/// Identifies a transaction for matching (RFC 3261 §17.1.3, §17.2.3): the branch and sent-by of
/// the top Via, and the method.
///
/// Keys exist only for RFC 3261 branches (starting with the magic cookie `z9hG4bK`, §8.1.1.7);
/// requests from RFC 2543 peers need the older matching rules, which callers handle themselves.
/// Callers build keys from the parsed top Via; this type only takes the strings.
public struct SIPTransactionKey: Hashable, Sendable, CustomStringConvertible {
    /// The branch parameter, lower-cased (RFC 3261 §7.3.1: parameter values are case-insensitive
    /// unless stated otherwise).
    public let branch: String
    /// The sent-by (`host[:port]`) of the top Via, lower-cased (host names are case-insensitive).
    public let sentBy: String
    /// The method, with ACK folded into INVITE (RFC 3261 §17.2.3: an ACK matches the INVITE it
    /// acknowledges) and CANCEL kept distinct (§9.2: a CANCEL is a transaction of its own).
    public let method: SIPMethod

    /// The RFC 3261 magic cookie every compliant branch starts with (§8.1.1.7).
    public static let magicCookie = "z9hG4bK"

    /// Returns nil when `branch` is not an RFC 3261 branch (no magic cookie, or nothing after it).
    public init?(branch: String, sentBy: String, method: SIPMethod) {
        let lowered = branch.lowercased()
        let cookie = SIPTransactionKey.magicCookie.lowercased()
        guard lowered.hasPrefix(cookie), lowered.utf8.count > cookie.utf8.count else { return nil }
        self.branch = lowered
        self.sentBy = sentBy.lowercased()
        self.method = SIPTransactionKey.matchingMethod(method)
    }

    private init(uncheckedBranch: String, sentBy: String, method: SIPMethod) {
        self.branch = uncheckedBranch
        self.sentBy = sentBy
        self.method = method
    }

    /// A key for a request without an RFC 3261 branch (RFC 2543 peers, RFC 4475 §3.4.1; or a
    /// bare magic cookie, §3.2.1), built from the fields that identify the request there: Call-ID,
    /// From tag, CSeq number and the top Via's sent-by (RFC 3261 §17.2.3, last paragraphs). The
    /// `rfc2543;` prefix can never collide with a real branch.
    public static func rfc2543(callID: String, fromTag: String, sequence: UInt32, sentBy: String, method: SIPMethod) -> SIPTransactionKey {
        SIPTransactionKey(
            uncheckedBranch: "rfc2543;\(callID);\(fromTag);\(sequence)", sentBy: sentBy.lowercased(), method: matchingMethod(method))
    }

    /// The same branch and sent-by for another method (ACK folded into INVITE).
    public func with(method: SIPMethod) -> SIPTransactionKey {
        SIPTransactionKey(uncheckedBranch: branch, sentBy: sentBy, method: SIPTransactionKey.matchingMethod(method))
    }

    /// The key of the INVITE server transaction a CANCEL with this key refers to
    /// (RFC 3261 §9.2: same top Via branch and sent-by, method INVITE).
    public var invite: SIPTransactionKey { with(method: .invite) }

    static func matchingMethod(_ method: SIPMethod) -> SIPMethod {
        method == .ack ? .invite : method
    }

    public var description: String { "\(method) \(branch)@\(sentBy)" }
}
