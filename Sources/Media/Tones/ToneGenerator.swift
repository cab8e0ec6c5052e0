#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// Generates a `Tone` into the caller's frames, one frame per call, phase-continuous across frames.
///
/// Pure and allocation-free: the state is two phase accumulators and a position in the cadence.
/// Each burst starts and ends with a 2 ms ramp so cadence edges do not click.
public struct ToneGenerator: Sendable {
    /// Length of the on/off ramp, in samples at 8 kHz (2 ms).
    public static let rampDuration = Duration.milliseconds(2)

    public let sampleRate: Int
    public private(set) var tone: Tone
    private var firstPhase = 0.0
    private var secondPhase = 0.0
    private var firstStep = 0.0
    private var secondStep = 0.0
    private var firstAmplitude = 0.0
    private var secondAmplitude = 0.0
    private var onSamples: Int?
    private var cycleSamples = 0
    private var rampSamples = 1
    private var position = 0

    /// A generator for `tone`; `sampleRate` is clamped to 1...384000 Hz.
    public init(tone: Tone = .silence, sampleRate: Int = 8000) {
        self.sampleRate = min(max(sampleRate, 1), 384_000)
        self.tone = tone
        start(tone)
    }

    /// True once a non-repeating tone has played its cycle (output is silence from then on).
    public var isFinished: Bool {
        // Continuous and repeating tones never finish.
        guard !tone.repeats, onSamples != nil else { return false }
        return position >= cycleSamples
    }

    /// Switches to `tone`, starting its cadence from the beginning. Phases carry on, so changing
    /// between continuous tones of the same frequency does not click.
    public mutating func start(_ tone: Tone) {
        self.tone = tone
        position = 0
        let rate = Double(sampleRate)
        firstStep = (tone.first?.frequency ?? 0) / rate
        secondStep = (tone.second?.frequency ?? 0) / rate
        firstAmplitude = tone.first.map { Tone.amplitude(dBm0: $0.level) } ?? 0
        secondAmplitude = tone.second.map { Tone.amplitude(dBm0: $0.level) } ?? 0
        onSamples = tone.on.map { samples($0) }
        cycleSamples = (onSamples ?? 0) + samples(tone.off)
        rampSamples = max(1, samples(Self.rampDuration))
    }

    /// Writes the next `frame.count` samples. Returns false once the tone has finished.
    @discardableResult
    public mutating func generate(into frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        for index in frame.indices {
            frame[index] = nextSample()
        }
        return !isFinished
    }

    private mutating func nextSample() -> Int16 {
        var gain = 1.0
        if let onSamples {
            if tone.repeats, cycleSamples > 0, position >= cycleSamples { position = 0 }
            let inCycle = position
            if position < Int.max { position += 1 }
            guard inCycle < onSamples else {
                advancePhases()
                return 0
            }
            let edge = min(inCycle, onSamples - 1 - inCycle)
            if edge < rampSamples { gain = Double(edge + 1) / Double(rampSamples + 1) }
        }
        let value = gain * (firstAmplitude * sin(2 * Double.pi * firstPhase) + secondAmplitude * sin(2 * Double.pi * secondPhase))
        advancePhases()
        return Int16(min(max(value.rounded(), -32768), 32767))
    }

    private mutating func advancePhases() {
        firstPhase += firstStep
        firstPhase -= firstPhase.rounded(.down)
        secondPhase += secondStep
        secondPhase -= secondPhase.rounded(.down)
    }

    private func samples(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = (Double(seconds) + Double(attoseconds) / 1e18) * Double(sampleRate)
        guard total.isFinite, total > 0 else { return 0 }
        return Int(min(total.rounded(), 1e12))
    }
}
