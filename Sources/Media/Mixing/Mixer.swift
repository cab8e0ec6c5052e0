/// Mixes one frame period of N inputs into M outputs, each output hearing everyone but itself
/// ("N-1" mixes), with saturating 16-bit results. Pure and allocation-free per frame: the sum lives
/// in a 32-bit accumulator allocated once, inputs and outputs are the caller's buffers.
///
/// Per frame: `begin()`, `add(_:)` each input present this period, then `write(into:excluding:)`
/// for each output (excluding that participant's own input, or nothing for a listener who only
/// hears). Excluding works by subtracting the input from the exact sum before clipping, so an
/// output is the clipped sum of the others, as if mixed separately (O(N + M) per sample, not N·M).
public struct Mixer: Sendable {
    /// Largest frame the mixer accepts: 120 ms at 48 kHz (the longest Opus frame, RFC 6716 §2.1.4).
    public static let maximumFrameSize = 5760
    /// Inputs in one mix at most: keeps the 32-bit sum exact (65 536 × 32 768 < 2^31 needs ≤ 65 535).
    public static let maximumInputs = 65_535

    /// Samples per frame (160 for 20 ms at 8 kHz).
    public let frameSize: Int
    private var sum: [Int32]
    private var inputs = 0

    /// A mixer for frames of `frameSize` samples (clamped to 1...`maximumFrameSize`).
    public init(frameSize: Int = 160) {
        self.frameSize = min(max(frameSize, 1), Self.maximumFrameSize)
        sum = Array(repeating: 0, count: self.frameSize)
    }

    /// Inputs added since `begin()`.
    public var inputCount: Int { inputs }

    /// Starts a new frame period (clears the sum).
    public mutating func begin() {
        sum.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
        inputs = 0
    }

    /// Adds one input frame; samples past `frameSize` are ignored, a short frame counts as
    /// silence at its end. Returns false (and adds nothing) once `maximumInputs` is reached.
    @discardableResult
    public mutating func add(_ input: UnsafeBufferPointer<Int16>) -> Bool {
        guard inputs < Self.maximumInputs else { return false }
        inputs += 1
        let count = min(input.count, frameSize)
        sum.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<count { buffer[index] &+= Int32(input[index]) }
        }
        return true
    }

    /// Writes the mix of every added input except `excluded` (pass the same buffer that was added
    /// for this participant, or nil for everyone) into `output`, clipped to 16 bits. Writes
    /// `min(output.count, frameSize)` samples and returns that count.
    @discardableResult
    public func write(into output: UnsafeMutableBufferPointer<Int16>, excluding excluded: UnsafeBufferPointer<Int16>? = nil) -> Int {
        let count = min(output.count, frameSize)
        sum.withUnsafeBufferPointer { total in
            for index in 0..<count {
                var value = total[index]
                if let excluded, index < excluded.count { value &-= Int32(excluded[index]) }
                output[index] = Int16(clamping: value)
            }
        }
        return count
    }
}

extension Mixer {
    /// Convenience for tests and non-hot paths: every input's N-1 mix, in input order.
    public static func mixEveryoneButSelf(_ frames: [[Int16]], frameSize: Int) -> [[Int16]] {
        var mixer = Mixer(frameSize: frameSize)
        mixer.begin()
        for frame in frames { frame.withUnsafeBufferPointer { _ = mixer.add($0) } }
        return frames.map { frame in
            var output = [Int16](repeating: 0, count: mixer.frameSize)
            frame.withUnsafeBufferPointer { own in
                output.withUnsafeMutableBufferPointer { _ = mixer.write(into: $0, excluding: own) }
            }
            return output
        }
    }
}
