/// Packet-loss concealment for G.711 at 8 kHz, after ITU-T G.711 Appendix I in spirit: during a loss
/// it repeats the last pitch period of the good signal, fading it out, then plays silence; the first
/// good frame after a loss is cross-faded in so the join does not click.
///
/// Stepped by the caller per frame (any frame size), in the caller's buffers; history lives in
/// storage allocated once. Simplified against Appendix I: one pitch estimate per loss, no 3.75 ms
/// output delay, a fixed-length cross-fade.
public struct G711Concealer: Sendable {
    /// G.711 Appendix I: pitch search range 40...120 samples (200 Hz down to 66.7 Hz).
    public static let minimumPitch = 40
    public static let maximumPitch = 120
    /// Full level for the first 10 ms of a loss (80 samples), as in Appendix I.
    public static let fadeStart = 80
    /// Then fading 20 % per 10 ms, silent after 60 ms (480 samples).
    public static let silenceAfter = 480
    /// Cross-fade into the first good frame after a loss: 4 ms.
    public static let crossFade = 32
    /// Samples kept: the correlation window plus the longest pitch.
    static let historyLength = 2 * maximumPitch + 80
    static let correlationWindow = 80

    private var history: [Int16]
    private var pitch = maximumPitch
    /// Position in the repeated period and samples concealed so far in this loss.
    private var phase = 0
    private var concealedSamples = 0
    private var concealing = false

    public init() {
        history = Array(repeating: 0, count: Self.historyLength)
    }

    /// True while a loss is being concealed (since the last `conceal` without a good frame).
    public var isConcealing: Bool { concealing }

    /// Call with each good (decoded) frame. After a loss, the frame's start is cross-faded from the
    /// concealment in place. The frame then becomes history for the next loss.
    public mutating func received(_ frame: UnsafeMutableBufferPointer<Int16>) {
        if concealing {
            let count = min(Self.crossFade, frame.count)
            for index in 0..<count {
                let concealed = Int32(nextConcealedSample())
                let weight = Int32(index + 1)
                let mixed = (concealed * (Int32(count) + 1 - weight) + Int32(frame[index]) * weight) / (Int32(count) + 1)
                frame[index] = Int16(mixed)
            }
            concealing = false
        }
        remember(UnsafeBufferPointer(frame))
    }

    /// Fills `frame` with concealment for one missing frame.
    public mutating func conceal(into frame: UnsafeMutableBufferPointer<Int16>) {
        if !concealing {
            concealing = true
            concealedSamples = 0
            phase = 0
            pitch = estimatePitch()
        }
        for index in frame.indices { frame[index] = nextConcealedSample() }
    }

    /// The next sample of the repeated period, with the Appendix I fade.
    private mutating func nextConcealedSample() -> Int16 {
        defer { concealedSamples += 1 }
        guard concealedSamples < Self.silenceAfter else { return 0 }
        let sample = history[Self.historyLength - pitch + phase]
        phase = (phase + 1) % pitch
        guard concealedSamples >= Self.fadeStart else { return sample }
        let remaining = Self.silenceAfter - concealedSamples
        return Int16(Int32(sample) * Int32(remaining) / Int32(Self.silenceAfter - Self.fadeStart))
    }

    /// Normalised autocorrelation of the last 10 ms against each lag in the pitch range.
    private func estimatePitch() -> Int {
        history.withUnsafeBufferPointer { samples in
            let end = samples.count
            var best = Self.maximumPitch
            var bestScore = -Double.infinity
            for lag in Self.minimumPitch...Self.maximumPitch {
                var cross = 0.0
                var energy = 1.0
                for index in (end - Self.correlationWindow)..<end {
                    let a = Double(samples[index])
                    let b = Double(samples[index - lag])
                    cross += a * b
                    energy += b * b
                }
                let score = cross / energy.squareRoot()
                if score > bestScore {
                    bestScore = score
                    best = lag
                }
            }
            return best
        }
    }

    private mutating func remember(_ frame: UnsafeBufferPointer<Int16>) {
        let length = Self.historyLength
        history.withUnsafeMutableBufferPointer { buffer in
            if frame.count >= length {
                for index in 0..<length { buffer[index] = frame[frame.count - length + index] }
                return
            }
            let keep = length - frame.count
            for index in 0..<keep { buffer[index] = buffer[index + frame.count] }
            for index in 0..<frame.count { buffer[keep + index] = frame[index] }
        }
    }
}
