/// What the caller plays for one frame period, as decided by `JitterBuffer.pop(at:)`.
public enum JitterBufferOutput<Frame> {
    /// Play this frame (decode it).
    case frame(Frame, sequence: UInt16, timestamp: UInt32)
    /// Play a concealment frame: G.711 legs use `G711Concealer`, Opus legs run the decoder's
    /// PLC, or FEC from `JitterBuffer.nextFrame` when the reason is `.missing`.
    case conceal(JitterBufferConcealment)
    /// Nothing to play, not even concealment: before the first packet, or after the stream has been
    /// silent for longer than the maximum delay. Play silence or comfort noise.
    case empty
}

/// Why the jitter buffer asks for concealment.
public enum JitterBufferConcealment: Sendable, Equatable {
    /// The packet with this sequence number was due and had not arrived (a loss, or later a late
    /// packet); the buffer moved past it.
    case missing(sequence: UInt16)
    /// Nothing is buffered at all: the stream has a gap (loss burst, jitter spike or a pause).
    case underrun
    /// The next frame is not due yet: the buffer is growing its delay, or the sender skipped time
    /// (discontinuous transmission).
    case waiting
}

extension JitterBufferOutput: Sendable where Frame: Sendable {}
extension JitterBufferOutput: Equatable where Frame: Equatable {}

/// Counters and the delay figures of one jitter buffer, for call records and metrics.
public struct JitterBufferStatistics: Sendable, Equatable {
    /// Packets accepted into the buffer.
    public var inserted = 0
    /// Frames handed out to be played.
    public var played = 0
    /// `.conceal` outputs of every kind.
    public var concealed = 0
    /// Packets that arrived after their playout time (dropped), including those arriving after the
    /// buffer had already concealed them.
    public var late = 0
    /// Sequence numbers the buffer passed while missing and that have not arrived since.
    public var lost = 0
    /// Packets received twice (the copy is dropped).
    public var duplicates = 0
    /// Held frames pushed out because a packet arrived more than `capacity` frames ahead.
    public var discardedForOverflow = 0
    /// Packets outside the RFC 3550 A.1 window (dropout / misorder) that did not start a new stream.
    public var discardedOutOfRange = 0
    /// Times the stream restarted (two consecutive packets far outside the window).
    public var restarts = 0
    /// Frames dropped on purpose to bring the delay down.
    public var droppedToShrink = 0
    /// Concealment frames inserted on purpose to raise the delay.
    public var stretched = 0
    /// Playout delay now: how long after its earliest seen transit a frame is played.
    public var currentDelay: Duration = .zero
    /// The delay the buffer adapts towards (measured spread + margin, within min...max).
    public var targetDelay: Duration = .zero
    /// Measured jitter: the spread (max - min) of transit times over the jitter window.
    public var jitter: Duration = .zero
    /// Frames held now.
    public var held = 0
}
