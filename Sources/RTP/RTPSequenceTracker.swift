/// The RFC 3550 Appendix A.1 source state: validates a source by its sequence numbers and extends
/// them with a cycle count.
///
/// A new source is on probation until `minimumSequential` packets arrive in sequence. A jump of more
/// than `maximumDropout` ahead, or more than `maximumMisorder` behind, is treated as a possible restart:
/// the packet is rejected, and if the next packet follows it in sequence, the sender restarted and the
/// state starts over (A.1 `bad_seq`).
public struct RTPSequenceTracker: Sendable, Hashable {
    /// RFC 3550 A.1: `MAX_DROPOUT`.
    public static let maximumDropout: UInt16 = 3000
    /// RFC 3550 A.1: `MAX_MISORDER`.
    public static let maximumMisorder: UInt16 = 100
    /// RFC 3550 A.1: `MIN_SEQUENTIAL`.
    public static let minimumSequential = 2
    /// RFC 3550 A.1: `RTP_SEQ_MOD`.
    static let sequenceModulus: UInt32 = 1 << 16

    /// What one packet did to the source state.
    public enum Outcome: Sendable, Hashable {
        /// The source is still on probation; the packet should not be played or counted yet.
        case probation
        /// A valid packet, in order or with a permissible gap; carries its extended sequence number.
        case accepted(extendedSequence: UInt32)
        /// A valid packet older than the highest seen (reordered or duplicate); counted as received.
        case late(extendedSequence: UInt32)
        /// A jump too large to accept; if the next packet follows this one, the source restarts.
        case rejectedJump
        /// Two sequential packets after a large jump: the sender restarted; state was reset to this packet.
        case restarted(extendedSequence: UInt32)
    }

    // A.1 `source` fields, named as in the RFC.
    private(set) var maxSeq: UInt16
    private(set) var cycles: UInt32
    private(set) var baseSeq: UInt32
    private var badSeq: UInt32
    private var probation: Int
    /// Packets received and counted (A.1 `received`).
    public private(set) var received: UInt32

    /// Starts tracking from the source's first packet (A.1: `init_seq` then probation), then call
    /// `update(_:)` with that same first packet.
    public init(firstSequenceNumber seq: UInt16) {
        maxSeq = seq &- 1
        cycles = 0
        baseSeq = UInt32(seq)
        badSeq = Self.sequenceModulus + 1  // A.1: "so seq == bad_seq is false"
        probation = Self.minimumSequential
        received = 0
    }

    /// True once probation is over.
    public var isValid: Bool { probation == 0 }

    /// The highest extended sequence number seen (A.1 `cycles + max_seq`).
    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maxSeq) }

    /// RFC 3550 A.3: packets expected since the base sequence number.
    public var expected: UInt32 { extendedHighestSequence &- baseSeq &+ 1 }

    /// The first sequence number counted after probation (A.1 `base_seq`).
    public var baseSequence: UInt32 { baseSeq }

    private mutating func initSeq(_ seq: UInt16) {
        baseSeq = UInt32(seq)
        maxSeq = seq
        badSeq = Self.sequenceModulus + 1
        cycles = 0
        received = 0
    }

    /// RFC 3550 A.1 `update_seq`.
    public mutating func update(_ seq: UInt16) -> Outcome {
        let udelta = seq &- maxSeq
        if probation > 0 {
            // A.1: packets must be in sequence during probation.
            if seq == maxSeq &+ 1 {
                probation -= 1
                maxSeq = seq
                if probation == 0 {
                    initSeq(seq)
                    received &+= 1
                    return .accepted(extendedSequence: extendedHighestSequence)
                }
            } else {
                probation = Self.minimumSequential - 1
                maxSeq = seq
            }
            return .probation
        } else if udelta < Self.maximumDropout {
            // A.1: in order, with a permissible gap; a smaller number means it wrapped.
            if seq < maxSeq { cycles &+= Self.sequenceModulus }
            maxSeq = seq
            received &+= 1
            return .accepted(extendedSequence: extendedHighestSequence)
        } else if UInt32(udelta) <= Self.sequenceModulus - UInt32(Self.maximumMisorder) {
            // A.1: the sequence number made a very large jump.
            if UInt32(seq) == badSeq {
                // Two sequential packets: assume the other side restarted without telling us.
                initSeq(seq)
                received &+= 1
                return .restarted(extendedSequence: extendedHighestSequence)
            }
            badSeq = (UInt32(seq) + 1) & (Self.sequenceModulus - 1)
            return .rejectedJump
        } else {
            // A.1: duplicate or reordered packet; counted, and its extended number lies behind max.
            received &+= 1
            let back = UInt32(maxSeq &- seq)
            return .late(extendedSequence: extendedHighestSequence &- back)
        }
    }
}
