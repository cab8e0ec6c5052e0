/// A sliding anti-replay window over one sender's CTR values, after RFC 3711 §3.3.2 (which
/// RFC 9605 §9.3 suggests adapting to SFrame).
///
/// It remembers the newest accepted counter and which of the 127 counters below it were accepted:
/// 128 counters in all, 2.56 s of 20 ms audio frames, far more reordering than a jitter buffer waits
/// for. A counter ahead of the newest is always fresh (senders may skip counters); one the window has
/// already seen is a replay; one 128 or more below the newest is too old to tell and is refused.
///
/// Check with `verdict(for:)` before decrypting, and `accept(_:)` only after the frame authenticated,
/// so forged frames cannot move the window.
public struct SFrameReplayWindow: Sendable, Equatable {
    /// How many counters the window tells apart (the newest and the 127 before it).
    public static let size = 128

    /// What the window says about a counter.
    public enum Verdict: Sendable, Equatable {
        case fresh
        case replayed
        case tooOld
    }

    /// The highest counter accepted so far, or nil before the first frame.
    public private(set) var newest: UInt64?
    /// Bit i of the 128-bit map (low word bits 0–63, high word 64–127) is set when `newest - i` was accepted.
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    public init() {}

    /// Whether a frame with this counter may be accepted.
    public func verdict(for counter: UInt64) -> Verdict {
        guard let newest, counter <= newest else { return .fresh }
        let age = newest - counter
        guard age < UInt64(Self.size) else { return .tooOld }
        let seen = age < 64 ? (low >> age) & 1 : (high >> (age - 64)) & 1
        return seen == 0 ? .fresh : .replayed
    }

    /// Records an authenticated frame's counter. Call only after `verdict(for:)` said `.fresh`.
    public mutating func accept(_ counter: UInt64) {
        guard let newest else {
            self.newest = counter
            low = 1
            return
        }
        if counter > newest {
            shift(by: counter - newest)
            low |= 1
            self.newest = counter
        } else {
            let age = newest - counter
            guard age < UInt64(Self.size) else { return }
            if age < 64 { low |= 1 << age } else { high |= 1 << (age - 64) }
        }
    }

    /// Moves the map `distance` counters toward the past.
    private mutating func shift(by distance: UInt64) {
        switch distance {
        case 0:
            return
        case 1..<64:
            high = high << distance | low >> (64 - distance)
            low <<= distance
        case 64..<128:
            high = low << (distance - 64)
            low = 0
        default:
            high = 0
            low = 0
        }
    }
}
