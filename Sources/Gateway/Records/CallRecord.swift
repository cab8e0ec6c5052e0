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
    /// What policy decided for this leg (`admit`, `refused-e2ee`, `lobby`, ...): the snapshot's.
    public var policyDecision: String? { call.policyDecision }
    /// Why, for a person.
    public var policyReason: String? { call.policyReason }

    public init(call: CallSnapshot, policyDecision: String? = nil, policyReason: String? = nil) {
        self.call = call
        if let policyDecision { self.call.policyDecision = policyDecision }
        if let policyReason { self.call.policyReason = policyReason }
    }

    /// The gateway call id (the table's key).
    public var id: String { call.id }
}
