import Foundation

/// One line of the audit trail (DESIGN.md §1, §5): policy decisions and meeting mode changes.
/// The policy issue writes these; the table exists from schema v1 so no migration is needed then.
public struct AuditEntry: Sendable, Hashable {
    public var at: Date
    public var callID: String?
    public var meetingID: String?
    /// What happened, e.g. `policy.refuse`, `meeting.downgrade`.
    public var kind: String
    /// For a person: the decision's reason, who consented, which rule.
    public var detail: String

    public init(at: Date, callID: String? = nil, meetingID: String? = nil, kind: String, detail: String) {
        self.at = at
        self.callID = callID
        self.meetingID = meetingID
        self.kind = kind
        self.detail = detail
    }
}
