/// How a `JitterBuffer` is sized and how far its playout delay may adapt.
public struct JitterBufferConfiguration: Sendable, Equatable {
    /// Hard upper bound on slots, whatever a caller asks for: 1024 frames is 20 s of 20 ms audio.
    public static let maximumCapacity = 1024
    /// RFC 3550 Appendix A.1: a jump ahead larger than this is a restart, not a loss burst.
    public static let maximumDropout = 3000
    /// RFC 3550 Appendix A.1: a packet further behind than this is a restart, not a late packet.
    public static let maximumMisorder = 100

    /// RTP clock rate of the payload (8000 for G.711, 48000 for Opus per RFC 7587 §4.1).
    public var clockRate: Int
    /// Timestamp units per frame (160 for 20 ms at 8 kHz).
    public var samplesPerFrame: Int
    /// Lowest playout delay the buffer adapts down to.
    public var minimumDelay: Duration
    /// Highest playout delay the buffer adapts up to.
    public var maximumDelay: Duration
    /// Frames held at most; rounded up to a power of two (so sequence numbers index slots across the
    /// 65535 → 0 wrap). Packets beyond it push the oldest out (`discardedForOverflow`).
    public var capacity: Int
    /// Packets over which jitter (the spread of transit times) is measured; the delay adapts down once
    /// a spike has left this window.
    public var jitterWindow: Int
    /// Margin added to the measured spread, absorbing the media clock's own scheduling slack.
    public var safetyMargin: Duration
    /// Pops between two delay reductions, so the delay comes down gently (one frame at a time).
    public var shrinkInterval: Int

    /// Defaults for a phone leg: 8 kHz, 20 ms frames, 20–200 ms delay, 64 slots (1.28 s).
    public init(
        clockRate: Int = 8000, samplesPerFrame: Int = 160, minimumDelay: Duration = .milliseconds(20),
        maximumDelay: Duration = .milliseconds(200), capacity: Int = 64, jitterWindow: Int = 100,
        safetyMargin: Duration = .milliseconds(10), shrinkInterval: Int = 25
    ) {
        self.clockRate = clockRate
        self.samplesPerFrame = samplesPerFrame
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.capacity = capacity
        self.jitterWindow = jitterWindow
        self.safetyMargin = safetyMargin
        self.shrinkInterval = shrinkInterval
    }

    /// Checks the values, returning what is wrong with them.
    func validated() throws(JitterBufferError) -> Self {
        guard (1...384_000).contains(clockRate) else { throw .invalidConfiguration("clock rate \(clockRate) out of 1...384000") }
        guard (1...clockRate).contains(samplesPerFrame) else {
            throw .invalidConfiguration("samples per frame \(samplesPerFrame) out of 1...\(clockRate)")
        }
        guard minimumDelay >= .zero, minimumDelay <= maximumDelay, maximumDelay <= .seconds(10) else {
            throw .invalidConfiguration("delays must satisfy 0 <= minimum (\(minimumDelay)) <= maximum (\(maximumDelay)) <= 10 s")
        }
        guard (2...Self.maximumCapacity).contains(capacity) else {
            throw .invalidConfiguration("capacity \(capacity) out of 2...\(Self.maximumCapacity)")
        }
        guard (1...10_000).contains(jitterWindow) else { throw .invalidConfiguration("jitter window \(jitterWindow) out of 1...10000") }
        guard safetyMargin >= .zero, safetyMargin <= .seconds(1) else { throw .invalidConfiguration("safety margin out of 0...1 s") }
        guard shrinkInterval >= 1 else { throw .invalidConfiguration("shrink interval must be at least 1 pop") }
        return self
    }
}

/// Why a jitter buffer could not be made.
public enum JitterBufferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A configuration value is out of range; the text says which.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid jitter buffer configuration: \(reason)"
        }
    }
}
