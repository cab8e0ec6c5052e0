#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

/// A tone to play: one or two sine components with an on/off cadence.
public struct Tone: Sendable, Equatable {
    /// One sine component and its level.
    public struct Component: Sendable, Equatable {
        /// Frequency in Hz.
        public var frequency: Double
        /// Level in dBm0 (see `Tone.amplitude(dBm0:)`).
        public var level: Double

        public init(frequency: Double, level: Double) {
            self.frequency = frequency
            self.level = level
        }
    }

    /// Components (none for silence, at most two are played).
    public var first: Component?
    public var second: Component?
    /// Duration of the sound in each cycle; nil means continuous.
    public var on: Duration?
    /// Silence after the sound in each cycle.
    public var off: Duration
    /// Whether the on/off cycle repeats; when not, the tone ends after one cycle.
    public var repeats: Bool

    public init(first: Component?, second: Component? = nil, on: Duration?, off: Duration = .zero, repeats: Bool) {
        self.first = first
        self.second = second
        self.on = on
        self.off = off
        self.repeats = repeats
    }

    /// G.711's "theoretical maximum load": a sine whose peak is full scale is +3.14 dBm0 (A-law;
    /// μ-law's figure is 3.17 dBm0, 0.03 dB apart). spandsp uses the same reference.
    public static let fullScaleSineLevel = 3.14

    /// Peak amplitude (16-bit linear) of a sine at `dBm0`: 0 dBm0 ≈ 22 800.
    public static func amplitude(dBm0 level: Double) -> Double {
        32767 * pow(10, (level - fullScaleSineLevel) / 20)
    }

    /// Continuous silence.
    public static let silence = Tone(first: nil, on: nil, repeats: false)

    /// A DTMF key (ITU-T Q.23 frequencies) for `duration`, followed by `pause` of silence. Levels:
    /// low group -10 dBm0, high group -8 dBm0 (2 dB normal twist, within Q.24 sending ranges).
    public static func dtmf(
        _ digit: DTMFDigit, duration: Duration = .milliseconds(100), pause: Duration = .milliseconds(100),
        lowLevel: Double = -10, highLevel: Double = -8
    ) -> Tone {
        Tone(
            first: Component(frequency: digit.rowFrequency, level: lowLevel),
            second: Component(frequency: digit.columnFrequency, level: highLevel), on: duration, off: pause, repeats: false)
    }

    /// North American ringback (ANSI T1.401): 440 + 480 Hz at -19 dBm0, 2 s on, 4 s off.
    public static let ringbackNorthAmerica = Tone(
        first: Component(frequency: 440, level: -19), second: Component(frequency: 480, level: -19), on: .seconds(2),
        off: .seconds(4), repeats: true)

    /// ITU-T E.180 / ETSI ringing tone: 425 Hz at -19 dBm0, 1 s on, 4 s off.
    public static let ringbackITU = Tone(
        first: Component(frequency: 425, level: -19), on: .seconds(1), off: .seconds(4), repeats: true)

    /// A beep: one tone for `duration`, then done.
    public static func beep(frequency: Double = 1000, duration: Duration = .milliseconds(200), level: Double = -13) -> Tone {
        Tone(first: Component(frequency: frequency, level: level), on: duration, repeats: false)
    }
}
