import Foundation
import Media

/// Compares the audio a phone sent with what it heard back, by numbers rather than by ear: the
/// best normalised cross-correlation over a window of delays, and the levels of both signals.
///
/// Both signals are brought to `comparisonRate` (8 kHz, the G.711 band that every codec under
/// test carries) by simple averaging decimation or linear interpolation: good enough to compare
/// shapes, and not a resampler for anything else. The correlation for each delay is computed for
/// all delays at once with an FFT, then normalised by the energy of the sent signal and of the
/// received stretch it is laid against, so a value of 1 means "the same waveform, any gain".
enum AudioCheck {
    /// The rate both signals are compared at.
    static let comparisonRate = 8000

    /// The outcome of one comparison.
    struct Result: Sendable, CustomStringConvertible {
        /// Best normalised correlation found, in -1...1 (0 when either side is silent).
        var correlation: Double
        /// Where it was found: how much later the sent audio starts in the received recording.
        var lag: Duration
        /// The lag in samples at `comparisonRate`.
        var lagSamples: Int
        /// RMS of the sent signal, dBFS.
        var sentLevel: Double
        /// RMS of the received stretch that matched, dBFS (-inf for digital silence).
        var receivedLevel: Double

        var description: String {
            let lagMilliseconds = Double(lagSamples) * 1000 / Double(AudioCheck.comparisonRate)
            return String(
                format: "correlation %.4f at lag %.1f ms, sent %.1f dBFS, received %.1f dBFS", correlation, lagMilliseconds,
                sentLevel, receivedLevel)
        }
    }

    /// Reads a 16-bit mono WAV with the project's own parser.
    static func load(_ url: URL) throws -> WAVFile {
        let bytes = [UInt8](try Data(contentsOf: url))
        do { return try WAVFile(bytes: bytes) } catch { throw HarnessError("\(url.lastPathComponent): \(error)") }
    }

    /// Compares the files at `sent` and `received`; see `compare(sent:received:maximumLag:)`.
    static func compare(sent: URL, received: URL, maximumLag: Duration = .seconds(1)) throws -> Result {
        try compare(sent: load(sent), received: load(received), maximumLag: maximumLag)
    }

    /// Lays `sent` against `received` at every delay from 0 to `maximumLag` and returns the
    /// delay where they match best. The received recording must cover the sent signal at that
    /// delay; a shorter overlap (recording cut short) is compared over what there is.
    static func compare(sent: WAVFile, received: WAVFile, maximumLag: Duration = .seconds(1)) throws -> Result {
        let x = resample(sent).map(Double.init)
        let y = resample(received).map(Double.init)
        guard !x.isEmpty, !y.isEmpty else { throw HarnessError("nothing to compare: sent \(x.count) samples, received \(y.count)") }
        let (seconds, attoseconds) = maximumLag.components
        let maximumLagSamples = max(0, Int(seconds) * comparisonRate + Int(attoseconds / 1_000_000_000_000_000) * comparisonRate / 1000)
        let lags = min(maximumLagSamples, y.count - 1)

        let products = crossCorrelation(x, y, lags: lags + 1)
        // Prefix sums of energy, so each window's energy is one subtraction.
        var sentEnergy = [0.0], receivedEnergy = [0.0]
        for sample in x { sentEnergy.append(sentEnergy[sentEnergy.count - 1] + sample * sample) }
        for sample in y { receivedEnergy.append(receivedEnergy[receivedEnergy.count - 1] + sample * sample) }

        var best = (correlation: 0.0, lag: 0)
        for lag in 0...lags {
            let overlap = min(x.count, y.count - lag)
            guard overlap > 0 else { break }
            // Require half the sent signal in the window, so a lucky match on a sliver cannot win.
            guard overlap * 2 >= x.count else { break }
            let energy = sentEnergy[overlap] * (receivedEnergy[lag + overlap] - receivedEnergy[lag])
            guard energy > 0 else { continue }
            let value = products[lag] / energy.squareRoot()
            if value > best.correlation { best = (value, lag) }
        }
        let overlap = max(1, min(x.count, y.count - best.lag))
        let sentRMS = (sentEnergy[x.count] / Double(x.count)).squareRoot()
        let receivedRMS = ((receivedEnergy[best.lag + overlap] - receivedEnergy[best.lag]) / Double(overlap)).squareRoot()
        return Result(
            correlation: best.correlation, lag: .microseconds(best.lag * 1_000_000 / comparisonRate), lagSamples: best.lag,
            sentLevel: decibels(sentRMS), receivedLevel: decibels(receivedRMS))
    }

    /// RMS relative to a full-scale 16-bit sample, in dB.
    static func decibels(_ rms: Double) -> Double { 20 * log10(rms / 32768) }

    /// The samples at `comparisonRate`: averaged in blocks when the file's rate is a whole
    /// multiple (48 kHz → 8 kHz averages 6), linearly interpolated otherwise.
    static func resample(_ file: WAVFile) -> [Int16] {
        let rate = file.sampleRate
        if rate == comparisonRate { return file.samples }
        if rate > comparisonRate, rate % comparisonRate == 0 {
            let factor = rate / comparisonRate
            return stride(from: 0, to: file.samples.count - factor + 1, by: factor).map { start in
                var sum = 0
                for index in start..<start + factor { sum += Int(file.samples[index]) }
                return Int16(sum / factor)
            }
        }
        guard rate > 0, file.samples.count > 1 else { return file.samples }
        let count = file.samples.count * comparisonRate / rate
        return (0..<count).map { index in
            let position = Double(index) * Double(rate) / Double(comparisonRate)
            let lower = min(Int(position), file.samples.count - 2)
            let fraction = position - Double(lower)
            let value = Double(file.samples[lower]) * (1 - fraction) + Double(file.samples[lower + 1]) * fraction
            return Int16(max(-32768, min(32767, value.rounded())))
        }
    }

    /// `result[lag] = Σ x[i]·y[i+lag]` for `lag` in `0..<lags`, by FFT (O(n log n)).
    static func crossCorrelation(_ x: [Double], _ y: [Double], lags: Int) -> [Double] {
        var size = 1
        while size < x.count + y.count { size <<= 1 }
        var xr = x + [Double](repeating: 0, count: size - x.count), xi = [Double](repeating: 0, count: size)
        var yr = y + [Double](repeating: 0, count: size - y.count), yi = [Double](repeating: 0, count: size)
        fft(&xr, &xi, inverse: false)
        fft(&yr, &yi, inverse: false)
        // Y · conj(X) transforms back to the correlation with y delayed against x.
        var pr = [Double](repeating: 0, count: size), pi = [Double](repeating: 0, count: size)
        for k in 0..<size {
            pr[k] = yr[k] * xr[k] + yi[k] * xi[k]
            pi[k] = yi[k] * xr[k] - yr[k] * xi[k]
        }
        fft(&pr, &pi, inverse: true)
        return (0..<min(lags, size)).map { pr[$0] / Double(size) }
    }

    /// In-place iterative radix-2 FFT; `real.count` must be a power of two.
    static func fft(_ real: inout [Double], _ imaginary: inout [Double], inverse: Bool) {
        let n = real.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j {
                real.swapAt(i, j)
                imaginary.swapAt(i, j)
            }
        }
        var length = 2
        while length <= n {
            let angle = (inverse ? 2 : -2) * Double.pi / Double(length)
            let (stepReal, stepImaginary) = (cos(angle), sin(angle))
            for start in stride(from: 0, to: n, by: length) {
                var (wReal, wImaginary) = (1.0, 0.0)
                for k in 0..<length / 2 {
                    let a = start + k, b = a + length / 2
                    let tReal = real[b] * wReal - imaginary[b] * wImaginary
                    let tImaginary = real[b] * wImaginary + imaginary[b] * wReal
                    real[b] = real[a] - tReal
                    imaginary[b] = imaginary[a] - tImaginary
                    real[a] += tReal
                    imaginary[a] += tImaginary
                    (wReal, wImaginary) = (wReal * stepReal - wImaginary * stepImaginary, wReal * stepImaginary + wImaginary * stepReal)
                }
            }
            length <<= 1
        }
    }
}
