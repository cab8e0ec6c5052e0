import Foundation
import Media
import TestSupport
import Testing

/// In-band DTMF detection on generated key sequences, with seeded noise.
@Suite struct DTMFToneDetectorTests {
    /// Gaussian noise (Box–Muller) from the seeded generator.
    struct Noise {
        var generator: SeededGenerator
        mutating func next(standardDeviation: Double) -> Double {
            let u1 = max(Double(generator.next() >> 11) / Double(1 << 53), 1e-300)
            let u2 = Double(generator.next() >> 11) / Double(1 << 53)
            return standardDeviation * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    /// Renders finite tones back to back through one generator, each exactly its on + off length.
    static func render(_ tones: [Tone]) -> [Double] {
        var generator = ToneGenerator()
        var output: [Double] = []
        for tone in tones {
            generator.start(tone)
            let length = (tone.on ?? .zero) + tone.off
            var samples = [Int16](repeating: 0, count: Int(length / .microseconds(125)))
            samples.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
            #expect(generator.isFinished)
            output += samples.map(Double.init)
        }
        return output
    }

    /// Adds white noise `snr` dB below `signalPower` and quantises to 16 bits.
    static func addNoise(_ signal: [Double], signalPower: Double, snr: Double, seed: UInt64) -> [Int16] {
        var noise = Noise(generator: SeededGenerator(seed: seed))
        let deviation = (signalPower / pow(10, snr / 10)).squareRoot()
        return signal.map { Int16(clamping: Int(($0 + noise.next(standardDeviation: deviation)).rounded())) }
    }

    static func detect(_ samples: [Int16], configuration: DTMFToneDetector.Configuration = .init()) -> String {
        var detector = DTMFToneDetector(configuration: configuration)
        var digits = ""
        for start in stride(from: 0, to: samples.count, by: 160) {
            samples[start..<min(start + 160, samples.count)].withUnsafeBufferPointer { frame in
                detector.process(frame) { digits.append($0.digit.character) }
            }
        }
        return digits
    }

    static func power(dBm0 level: Double) -> Double { pow(Tone.amplitude(dBm0: level), 2) / 2 }

    static let keys = "0123456789*#ABCD"

    @Test(arguments: [(70, 60, UInt64(1)), (100, 100, 2), (45, 45, 3)])
    func everyKeyOnceInOrderAt20dBSNR(on: Int, off: Int, seed: UInt64) {
        let tones = Self.keys.map { Tone.dtmf(DTMFDigit($0)!, duration: .milliseconds(on), pause: .milliseconds(off)) }
        let signal = Self.render([.dtmf(.one, duration: .zero, pause: .milliseconds(50))] + tones)
        let samples = Self.addNoise(signal, signalPower: Self.power(dBm0: -10) + Self.power(dBm0: -8), snr: 20, seed: seed)
        #expect(Self.detect(samples) == Self.keys)
    }

    @Test func aLongPressIsReportedOnceAndTwoPressesTwice() {
        let long = Self.render([.dtmf(.seven, duration: .seconds(2), pause: .milliseconds(100))])
        #expect(Self.detect(long.map { Int16($0) }) == "7")
        let twice = Self.render([.dtmf(.seven, duration: .milliseconds(80), pause: .milliseconds(40)), .dtmf(.seven)])
        #expect(Self.detect(twice.map { Int16($0) }) == "77")
    }

    @Test func singleToneIsNotAKey() {
        for frequency in DTMFDigit.rowFrequencies + DTMFDigit.columnFrequencies {
            let tone = Tone(first: .init(frequency: frequency, level: -5), on: .milliseconds(500), repeats: false)
            #expect(Self.detect(Self.render([tone]).map { Int16($0) }) == "", "\(frequency) Hz")
        }
    }

    /// Twist limits: 8 dB normal (column louder), 4 dB reverse (row louder).
    @Test(arguments: [(-17.0, -10.0, true), (-19.0, -10.0, false), (-10.0, -13.0, true), (-10.0, -15.0, false)])
    func twistLimits(low: Double, high: Double, accepted: Bool) {
        let samples = Self.render([.dtmf(.nine, duration: .milliseconds(200), lowLevel: low, highLevel: high)]).map { Int16($0) }
        #expect(Self.detect(samples) == (accepted ? "9" : ""))
    }

    /// The documented duration bounds, at every alignment against the detector's 102-sample blocks
    /// (in 1-sample steps): 18 ms or less never, from 31 ms (so the Q.24 40 ms minimum) always.
    @Test(arguments: [(12, ""), (17, ""), (18, ""), (31, "3"), (40, "3"), (45, "3")])
    func shortBlipsAreRejectedAndFortyMillisecondsAccepted(milliseconds: Int, expected: String) {
        for offset in 0..<DTMFToneDetector.blockSize {
            let lead = Tone(first: nil, on: .microseconds(125 * (offset + 1)), repeats: false)
            let samples = Self.render([lead, .dtmf(.three, duration: .milliseconds(milliseconds))]).map { Int16($0) }
            #expect(Self.detect(samples) == expected, "\(milliseconds) ms at offset \(offset) samples")
        }
    }

    @Test func weakTonesBelowTheLevelThresholdAreIgnored() {
        let samples = Self.render([.dtmf(.zero, duration: .milliseconds(200), lowLevel: -36, highLevel: -34)]).map { Int16($0) }
        #expect(Self.detect(samples) == "")
    }

    /// Voiced-speech-like signal: a gliding 100–180 Hz pitch with its harmonics up to 3.4 kHz and
    /// falling spectrum, plus noise. Its harmonics cross every DTMF frequency, yet no key appears.
    @Test func speechLikeSignalIsNotAKey() {
        var noise = Noise(generator: SeededGenerator(seed: 99))
        var phase = 0.0
        var samples: [Int16] = []
        for n in 0..<(8000 * 4) {
            let t = Double(n) / 8000
            let pitch = 140 + 40 * sin(2 * Double.pi * 0.7 * t)
            phase += pitch / 8000
            var value = 0.0
            var harmonic = 1.0
            while harmonic * pitch < 3400 {
                value += 4000 / harmonic * sin(2 * Double.pi * harmonic * phase)
                harmonic += 1
            }
            let envelope = 0.5 + 0.5 * sin(2 * Double.pi * 3 * t)  // syllables
            samples.append(Int16(clamping: Int((envelope * value + noise.next(standardDeviation: 300)).rounded())))
        }
        #expect(Self.detect(samples) == "")
        // White noise alone, loud, is no key either.
        var loud = Noise(generator: SeededGenerator(seed: 5))
        #expect(Self.detect((0..<16_000).map { _ in Int16(clamping: Int(loud.next(standardDeviation: 5000))) }) == "")
    }
}
