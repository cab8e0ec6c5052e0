import Foundation

/// Where one phone leg meets its meeting's bridge: 20 ms frames of 8 kHz PCM each way, through
/// two small queues. The leg runs on a media event loop and the bridge elsewhere, so the port is
/// locked; neither side ever waits for the other. A queue keeps at most `depth` frames and drops
/// its oldest when full, so clock drift between the two sides costs a frame now and then
/// (counted), never a growing delay.
public final class ConferencePort: @unchecked Sendable, Equatable {
    /// Samples per frame: 20 ms at 8 kHz (phone legs are 8 kHz, DESIGN.md §3).
    public static let frameSize = 160
    public let depth: Int

    private struct Queue {
        var samples: [Int16]
        var start = 0
        var count = 0
        var dropped = 0

        init(depth: Int) { samples = [Int16](repeating: 0, count: depth * ConferencePort.frameSize) }

        mutating func push(_ pcm: UnsafeBufferPointer<Int16>, depth: Int) {
            if count == depth {
                start = (start + 1) % depth
                count -= 1
                dropped += 1
            }
            let slot = (start + count) % depth * ConferencePort.frameSize
            let copied = min(pcm.count, ConferencePort.frameSize)
            samples.withUnsafeMutableBufferPointer { buffer in
                for index in 0..<copied { buffer[slot + index] = pcm[index] }
                for index in copied..<ConferencePort.frameSize { buffer[slot + index] = 0 }
            }
            count += 1
        }

        mutating func pop(into output: UnsafeMutableBufferPointer<Int16>, depth: Int) -> Bool {
            guard count > 0 else { return false }
            let slot = start * ConferencePort.frameSize
            samples.withUnsafeBufferPointer { buffer in
                for index in 0..<min(output.count, ConferencePort.frameSize) { output[index] = buffer[slot + index] }
            }
            start = (start + 1) % depth
            count -= 1
            return true
        }
    }

    private let lock = NSLock()
    private var fromLeg: Queue
    private var toLeg: Queue

    public init(depth: Int = 3) {
        self.depth = max(1, depth)
        fromLeg = Queue(depth: self.depth)
        toLeg = Queue(depth: self.depth)
    }

    /// The leg hands over what the phone said this period.
    public func depositFromLeg(_ pcm: UnsafeBufferPointer<Int16>) {
        lock.withLock { fromLeg.push(pcm, depth: depth) }
    }

    /// The bridge takes the phone's oldest waiting frame; false when none is waiting.
    public func takeFromLeg(into output: UnsafeMutableBufferPointer<Int16>) -> Bool {
        lock.withLock { fromLeg.pop(into: output, depth: depth) }
    }

    /// The bridge hands over the leg's mix for one period.
    public func depositForLeg(_ pcm: UnsafeBufferPointer<Int16>) {
        lock.withLock { toLeg.push(pcm, depth: depth) }
    }

    /// The leg takes the next mix to play; false when none is waiting (the leg then sends nothing).
    public func takeForLeg(into output: UnsafeMutableBufferPointer<Int16>) -> Bool {
        lock.withLock { toLeg.pop(into: output, depth: depth) }
    }

    /// Frames dropped because the other side fell behind: (from the phone, to the phone).
    public var dropped: (fromLeg: Int, toLeg: Int) { lock.withLock { (fromLeg.dropped, toLeg.dropped) } }

    public static func == (lhs: ConferencePort, rhs: ConferencePort) -> Bool { lhs === rhs }
}
