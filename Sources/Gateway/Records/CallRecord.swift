import ControlAPI
import Foundation

/// One row of the call records (DESIGN.md §5): the call as the control API shows it, plus what only
/// the records keep (the policy decision). Media quality is part of the snapshot (`call.quality`),
/// stored in its own columns.
///
/// Composition rather than a copy of ``CallSnapshot``'s fields, so a field added to the snapshot
/// cannot be forgotten here (the store's column mapping still has to learn it, in a new migration).
public struct CallRecord: Sendable, Hashable {
    public var call: CallSnapshot
    /// What policy decided for this leg (`allow`, `refuse`, `lobby`, `downgrade`); filled by the
    /// policy issue.
    public var policyDecision: String?
    /// Why, for a person (which rule, which line).
    public var policyReason: String?
    public init(call: CallSnapshot, policyDecision: String? = nil, policyReason: String? = nil) {
        self.call = call
        self.policyDecision = policyDecision
        self.policyReason = policyReason
    }

    /// The gateway call id (the table's key).
    public var id: String { call.id }
}
