import ControlAPI
import Foundation

/// One row of the call records (DESIGN.md §5): the call as the control API shows it, plus what only
/// the records keep (the policy decision, quality figures).
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
    // Quality figures: placeholders only. The RTP statistics issue fills them (RFC 3550 §6.4 report
    // blocks); until then they stay nil. Nullable columns so the schema need not change then.
    /// Fraction of media packets lost, in percent.
    public var packetLossPercent: Double?
    /// Interarrival jitter, in milliseconds (RFC 3550 §6.4.1).
    public var jitterMilliseconds: Double?
    /// Round-trip time, in milliseconds (RFC 3550 §6.4.1, from LSR/DLSR).
    public var roundTripMilliseconds: Double?
    /// Estimated mean opinion score, 1.0 to 5.0.
    public var mos: Double?

    public init(
        call: CallSnapshot, policyDecision: String? = nil, policyReason: String? = nil,
        packetLossPercent: Double? = nil, jitterMilliseconds: Double? = nil,
        roundTripMilliseconds: Double? = nil, mos: Double? = nil
    ) {
        self.call = call
        self.policyDecision = policyDecision
        self.policyReason = policyReason
        self.packetLossPercent = packetLossPercent
        self.jitterMilliseconds = jitterMilliseconds
        self.roundTripMilliseconds = roundTripMilliseconds
        self.mos = mos
    }

    /// The gateway call id (the table's key).
    public var id: String { call.id }
}
