/// Symmetric RTP with strict source learning: which remote address a leg's media is accepted from.
///
/// The latch starts *learning*. Packets from one address with one SSRC and consecutive sequence
/// numbers build up a candidate; after `requiredPackets` of them (default 3) the latch *locks* onto that
/// address, and the adapter sends its own RTP there (symmetric RTP, RFC 4961). Once locked, packets
/// from any other address are dropped and counted (RTP bleed or injection). A new SSRC from the
/// locked address is accepted: the peer may restart its stream, but it cannot move.
///
/// To re-learn, e.g. after a re-INVITE whose SDP changes the remote address, call `relearn()`. The
/// drop counter survives re-learning.
///
/// During learning, the decision is `.learning`: the adapter may play these packets (the usual
/// choice, to avoid clipping the first 40 ms) but must not move its send address yet.
public struct RTPSourceLatch<Address: Hashable & Sendable>: Sendable {
    /// What to do with one packet.
    public enum Decision: Sendable, Hashable {
        /// Still learning; this packet is from the current candidate.
        case learning
        /// This packet completed learning: the latch is now locked onto `address`.
        case locked(Address)
        /// Locked, and the packet is from the locked address.
        case accept
        /// Locked, and the packet is from elsewhere: drop it.
        case drop
    }

    private enum State: Sendable {
        case learning(candidate: Candidate?)
        case locked(address: Address, ssrc: UInt32)
    }

    private struct Candidate: Sendable {
        var address: Address
        var ssrc: UInt32
        var lastSequence: UInt16
        var consecutive: Int
    }

    /// RFC 3550 A.1 uses two sequential packets (MIN_SEQUENTIAL); a latch that moves media wants more.
    public static var defaultRequiredPackets: Int { 3 }

    public let requiredPackets: Int
    private var state: State = .learning(candidate: nil)
    /// Packets dropped because they came from somewhere other than the locked address.
    public private(set) var droppedPackets: Int = 0
    /// How many times the candidate was abandoned during learning (address, SSRC or sequence broke).
    public private(set) var learningRestarts: Int = 0

    public init(requiredPackets: Int = RTPSourceLatch.defaultRequiredPackets) {
        self.requiredPackets = max(1, requiredPackets)
    }

    /// The locked address and SSRC, or nil while learning.
    public var lockedSource: (address: Address, ssrc: UInt32)? {
        if case .locked(let address, let ssrc) = state { return (address, ssrc) }
        return nil
    }

    public var isLocked: Bool { lockedSource != nil }

    /// Decides about one RTP packet from `address`.
    public mutating func receive(from address: Address, ssrc: UInt32, sequenceNumber: UInt16) -> Decision {
        switch state {
        case .locked(let lockedAddress, _):
            guard address == lockedAddress else {
                droppedPackets &+= 1
                return .drop
            }
            state = .locked(address: lockedAddress, ssrc: ssrc)
            return .accept
        case .learning(let candidate):
            var next: Candidate
            if var candidate, candidate.address == address, candidate.ssrc == ssrc,
                candidate.lastSequence &+ 1 == sequenceNumber
            {
                candidate.consecutive += 1
                candidate.lastSequence = sequenceNumber
                next = candidate
            } else {
                if candidate != nil { learningRestarts &+= 1 }
                next = Candidate(address: address, ssrc: ssrc, lastSequence: sequenceNumber, consecutive: 1)
            }
            if next.consecutive >= requiredPackets {
                state = .locked(address: address, ssrc: ssrc)
                return .locked(address)
            }
            state = .learning(candidate: next)
            return .learning
        }
    }

    /// Decides about one RTP packet from `address`, given its parsed header.
    public mutating func receive(_ header: RTPHeader, from address: Address) -> Decision {
        receive(from: address, ssrc: header.ssrc, sequenceNumber: header.sequenceNumber)
    }

    /// Forgets the locked source and learns again (after a re-INVITE or a remote address change).
    public mutating func relearn() {
        state = .learning(candidate: nil)
    }
}
