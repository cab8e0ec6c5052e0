#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// Detects in-band DTMF keys in 8 kHz audio, stepped by the caller's frames (any size).
///
/// Eight Goertzel filters (ITU-T Q.23 frequencies) run over blocks of `blockSize` (102) samples,
/// 12.75 ms. A block names a key when all of these hold:
/// - the strongest row and column tone are each at least `minimumLevel` (dBm0);
/// - twist within limits: the column tone at most `normalTwist` dB above the row tone (normal
///   twist), the row tone at most `reverseTwist` dB above the column tone (reverse twist);
/// - each is at least `relativePeak` dB above the other tones of its group;
/// - the two tones carry at least `minimumToneRatio` of the block's energy. This is the speech and
///   noise check (speech spreads its energy over many harmonics). It replaces the classic second
///   harmonic filters, which at this block size cannot be told apart from column tones
///   (2 × 697 Hz = 1394 Hz lies 58 Hz from 1336 Hz, less than one 78 Hz bin). It also makes a block
///   that is only partly covered by a tone fail (the ratio tracks the covered fraction).
/// A key is reported once, when `requiredBlocks` (2) consecutive blocks name it; it can be reported
/// again only after `pauseBlocks` (2) blocks that name no key, or when another key takes over.
/// A block only partly covered by a tone fails (leakage breaks the relative-peak check, the energy
/// ratio tracks the covered share), so in practice a block counts when nearly covered. Measured at
/// every alignment (1/8 ms steps, `DTMFToneDetectorTests`): keys of 31 ms or more are always
/// accepted, so the Q.24 40 ms minimum holds with margin; keys of 18 ms or less never are. A pause of
/// 40 ms always separates two presses.
public struct DTMFToneDetector: Sendable {
    /// Thresholds; the defaults follow ITU-T Q.24 / Bellcore receiver figures.
    public struct Configuration: Sendable, Equatable {
        /// Weakest tone accepted, dBm0 per tone.
        public var minimumLevel: Double = -30
        /// Column above row, dB (normal twist, Bellcore: 8 dB).
        public var normalTwist: Double = 8
        /// Row above column, dB (reverse twist, Bellcore: 4 dB).
        public var reverseTwist: Double = 4
        /// How far the chosen tone must stand above the others in its group, dB.
        public var relativePeak: Double = 6
        /// Share of the block energy the two tones must carry (0...1).
        public var minimumToneRatio: Double = 0.5
        /// Consecutive valid blocks before a key is reported.
        public var requiredBlocks: Int = 2
        /// Consecutive blocks without a key that end a press.
        public var pauseBlocks: Int = 2

        public init() {}
    }

    /// A key press found in the audio.
    public struct Detection: Sendable, Equatable {
        public var digit: DTMFDigit
        /// Index (from the detector's first sample) of the first sample of the first valid block.
        public var startSample: Int
    }

    /// Goertzel block length: 102 samples at 8 kHz (bins 78 Hz apart, fine enough for Q.23's 73 Hz
    /// smallest spacing with exact-frequency coefficients).
    public static let blockSize = 102
    public static let sampleRate = 8000.0

    public let configuration: Configuration
    private let coefficients: SIMD8<Double>
    private var s1 = SIMD8<Double>()
    private var s2 = SIMD8<Double>()
    private var blockEnergy = 0.0
    private var blockFill = 0
    private var samplesSeen = 0

    private var candidate: DTMFDigit?
    private var candidateBlocks = 0
    private var candidateStart = 0
    private var active: DTMFDigit?
    private var emptyBlocks = 0

    // Thresholds precomputed as power ratios.
    private let minimumTonePower: Double
    private let normalTwistRatio: Double
    private let reverseTwistRatio: Double
    private let relativePeakRatio: Double

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        var coefficients = SIMD8<Double>()
        let frequencies = DTMFDigit.rowFrequencies + DTMFDigit.columnFrequencies
        for index in 0..<8 {
            coefficients[index] = 2 * cos(2 * Double.pi * frequencies[index] / Self.sampleRate)
        }
        self.coefficients = coefficients
        // Goertzel power of a sine of amplitude A over N samples is about (A·N/2)².
        let amplitude = Tone.amplitude(dBm0: configuration.minimumLevel)
        minimumTonePower = (amplitude * Double(Self.blockSize) / 2) * (amplitude * Double(Self.blockSize) / 2)
        normalTwistRatio = Self.powerRatio(dB: configuration.normalTwist)
        reverseTwistRatio = Self.powerRatio(dB: configuration.reverseTwist)
        relativePeakRatio = Self.powerRatio(dB: configuration.relativePeak)
    }

    /// Feeds audio; calls `onDigit` for each new key press found (at most one per 2 blocks).
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>, onDigit: (Detection) -> Void) {
        for sample in samples {
            let x = Double(sample)
            let s0 = coefficients * s1 - s2 + SIMD8(repeating: x)
            s2 = s1
            s1 = s0
            blockEnergy += x * x
            blockFill += 1
            samplesSeen &+= 1
            if blockFill == Self.blockSize {
                if let detection = endBlock() { onDigit(detection) }
            }
        }
    }

    /// Feeds one frame and returns the key press it completed, if any (a 20 ms frame can complete
    /// at most one).
    public mutating func process(_ samples: UnsafeBufferPointer<Int16>) -> DTMFDigit? {
        var found: DTMFDigit?
        process(samples) { found = $0.digit }
        return found
    }

    /// Judges the finished block and steps the press state machine.
    private mutating func endBlock() -> Detection? {
        let power = s1 * s1 + s2 * s2 - coefficients * s1 * s2
        let blockStart = samplesSeen &- Self.blockSize
        let digit = classify(power)
        s1 = SIMD8()
        s2 = SIMD8()
        blockEnergy = 0
        blockFill = 0

        guard let digit else {
            candidate = nil
            candidateBlocks = 0
            emptyBlocks += 1
            if emptyBlocks >= configuration.pauseBlocks { active = nil }
            return nil
        }
        emptyBlocks = 0
        if digit == candidate {
            candidateBlocks += 1
        } else {
            candidate = digit
            candidateBlocks = 1
            candidateStart = blockStart
        }
        guard candidateBlocks >= configuration.requiredBlocks, active != digit else { return nil }
        active = digit
        return Detection(digit: digit, startSample: candidateStart)
    }

    private func classify(_ power: SIMD8<Double>) -> DTMFDigit? {
        var row = 0
        var column = 4
        for index in 1..<4 where power[index] > power[row] { row = index }
        for index in 5..<8 where power[index] > power[column] { column = index }
        let rowPower = power[row]
        let columnPower = power[column]
        guard rowPower >= minimumTonePower, columnPower >= minimumTonePower else { return nil }
        // Twist: Bellcore limits, normal (column louder) and reverse (row louder).
        guard columnPower <= rowPower * normalTwistRatio, rowPower <= columnPower * reverseTwistRatio else { return nil }
        for index in 0..<4 where index != row && power[index] * relativePeakRatio > rowPower { return nil }
        for index in 4..<8 where index != column && power[index] * relativePeakRatio > columnPower { return nil }
        // Energy of a tone in the block is about 2·|X|²/N; compare with the block's total.
        let toneEnergy = 2 * (rowPower + columnPower) / Double(Self.blockSize)
        guard toneEnergy >= configuration.minimumToneRatio * blockEnergy else { return nil }
        return DTMFDigit.keypad[row][column - 4]
    }

    private static func powerRatio(dB: Double) -> Double { pow(10, dB / 10) }
}
