import Foundation
import Media
import Testing

/// Tones checked with an independent DFT written here (not the detector's Goertzel) and with the
/// detector.
@Suite struct ToneGeneratorTests {
    /// Generates `milliseconds` of `tone` in 20 ms frames, as the media clock would.
    static func render(_ tone: Tone, milliseconds: Int, frame: Int = 160) -> [Int16] {
        var generator = ToneGenerator(tone: tone)
        var output: [Int16] = []
        var buffer = [Int16](repeating: 0, count: frame)
        for _ in 0..<(milliseconds * 8 / frame) {
            buffer.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
            output += buffer
        }
        return output
    }

    /// Magnitude of the discrete-time Fourier transform at `frequency`, normalised so a sine of
    /// amplitude A gives about A.
    static func dft(_ samples: ArraySlice<Int16>, at frequency: Double) -> Double {
        var real = 0.0
        var imaginary = 0.0
        let omega = 2 * Double.pi * frequency / 8000
        for (n, sample) in samples.enumerated() {
            real += Double(sample) * cos(omega * Double(n))
            imaginary -= Double(sample) * sin(omega * Double(n))
        }
        return 2 * (real * real + imaginary * imaginary).squareRoot() / Double(samples.count)
    }

    /// The `count` strongest spectral peaks between `low` and `high` Hz, refined to 0.25 Hz.
    static func peaks(_ samples: ArraySlice<Int16>, count: Int, low: Double = 300, high: Double = 2000) -> [Double] {
        let coarse = stride(from: low, through: high, by: 4).map { ($0, dft(samples, at: $0)) }
        var found: [Double] = []
        for (frequency, _) in coarse.sorted(by: { $0.1 > $1.1 }) where found.count < count {
            guard !found.contains(where: { abs($0 - frequency) < 40 }) else { continue }
            let fine = stride(from: frequency - 4, through: frequency + 4, by: 0.25).max { dft(samples, at: $0) < dft(samples, at: $1) }!
            found.append(fine)
        }
        return found.sorted()
    }

    @Test(arguments: DTMFDigit.allCases)
    func dtmfDigitHasTheQ23Frequencies(digit: DTMFDigit) {
        let samples = Self.render(.dtmf(digit, duration: .milliseconds(200), pause: .zero), milliseconds: 200)
        let found = Self.peaks(samples[200..<1400], count: 2)
        #expect(found.count == 2)
        #expect(abs(found[0] - digit.rowFrequency) <= 1.5, "\(found)")
        #expect(abs(found[1] - digit.columnFrequency) <= 1.5, "\(found)")
        var detector = DTMFToneDetector()
        let detected = samples.withUnsafeBufferPointer { detector.process($0) }
        #expect(detected == digit)
    }

    @Test func levelsFollowDBm0() {
        #expect(abs(Tone.amplitude(dBm0: 3.14) - 32767) < 0.5)
        #expect(abs(Tone.amplitude(dBm0: 0) - 22_826) < 5)
        let samples = Self.render(.beep(frequency: 1000, duration: .seconds(1), level: -10), milliseconds: 1000)
        let rms = (samples[800..<7200].map { Double($0) * Double($0) }.reduce(0, +) / 6400).squareRoot()
        let level = 20 * log10(rms * 2.0.squareRoot() / 32767) + Tone.fullScaleSineLevel
        #expect(abs(level - -10) < 0.05, "measured \(level) dBm0")
        #expect(abs(Self.dft(samples[800..<7200], at: 1000) - Tone.amplitude(dBm0: -10)) < 20)
    }

    @Test func phaseIsContinuousAcrossFrames() {
        // The same tone in 20 ms frames and in odd 7-sample frames is the same signal.
        let framed = Self.render(.ringbackNorthAmerica, milliseconds: 1000)
        var generator = ToneGenerator(tone: .ringbackNorthAmerica)
        var odd: [Int16] = []
        var buffer = [Int16](repeating: 0, count: 7)
        while odd.count < framed.count {
            buffer.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
            odd += buffer
        }
        #expect(Array(odd.prefix(framed.count)) == framed)
        // No jump larger than the steepest slope of the two sines.
        let amplitude = Tone.amplitude(dBm0: -19)
        let slope = 2 * Double.pi * (440 + 480) / 8000 * amplitude + 2
        let jumps = zip(framed.dropFirst(), framed).map { abs(Int($0) - Int($1)) }
        #expect(Double(jumps.max()!) <= slope)
    }

    @Test func ringbackCadenceAndFrequencies() {
        let samples = Self.render(.ringbackNorthAmerica, milliseconds: 7000)
        let found = Self.peaks(samples[1000..<2600], count: 2, low: 300, high: 700)
        #expect(abs(found[0] - 440) <= 1 && abs(found[1] - 480) <= 1, "\(found)")
        let energy = { (range: Range<Int>) in samples[range].map { abs(Int($0)) }.max() ?? 0 }
        #expect(energy(0..<16_000) > 2000)  // 2 s on
        #expect(energy(16_000..<48_000) == 0)  // 4 s off
        #expect(energy(48_000..<56_000) > 2000)  // and again
        let itu = Self.render(.ringbackITU, milliseconds: 1000)
        #expect(abs(Self.peaks(itu[1000..<2600], count: 1)[0] - 425) <= 1)
    }

    @Test func finiteTonesFinishAndSilenceIsSilent() {
        var generator = ToneGenerator(tone: .dtmf(.five, duration: .milliseconds(40), pause: .zero))
        var frame = [Int16](repeating: 1, count: 160)
        let first = frame.withUnsafeMutableBufferPointer { generator.generate(into: $0) }
        #expect(first == true)
        #expect(frame.contains { $0 != 0 })
        let second = frame.withUnsafeMutableBufferPointer { generator.generate(into: $0) }
        #expect(second == false && generator.isFinished)
        generator.start(.silence)
        frame.withUnsafeMutableBufferPointer { _ = generator.generate(into: $0) }
        #expect(frame.allSatisfy { $0 == 0 } && !generator.isFinished)
        let beep = Self.render(.beep(duration: .milliseconds(100)), milliseconds: 200)
        #expect(beep[0..<800].contains { abs($0) > 1000 } && beep[800...].allSatisfy { $0 == 0 })
    }
}
