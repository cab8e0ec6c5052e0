// Timing and table helpers. The small ones (`consume`, `opaque`, `format`, `pad`) are copied from
// Benchmarks/SIPBenchmarks/main.swift: sharing them would need a benchmark-support module of its own,
// more than these few lines are worth.

/// One 20 ms frame of a phone leg's media, repeatable: the thing timed.
protocol FrameLoop: AnyObject {
    /// Untimed: gets the input of the next `count` frames ready (the phone's SRTP packets).
    func prepare(_ count: Int)
    /// Timed: frame `index` of the prepared batch: one datagram in, one 20 ms tick out.
    func frame(_ index: Int)
}

/// Frames per batch: 5 s of audio, prepared untimed, then run timed.
let batchFrames = 250

/// Keeps results alive so the optimizer cannot drop the work.
@inline(never) func consume<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Hides a value from the optimizer, so work on it cannot be hoisted out of the timing loop.
@_optimize(none) func opaque<T>(_ value: T) -> T { value }

/// Runs `loop` for about `duration` of timed frames (in untimed-prepared batches) and returns
/// microseconds per frame. The first batch is a warm-up (it also lets the leg's source latch lock
/// and its jitter buffer start playing).
func microsecondsPerFrame(_ loop: FrameLoop, duration: Duration = .milliseconds(700)) -> Double {
    let clock = ContinuousClock()
    loop.prepare(batchFrames)
    for index in 0..<batchFrames { loop.frame(index) }
    var frames = 0
    var elapsed = Duration.zero
    while elapsed < duration {
        loop.prepare(batchFrames)
        let start = clock.now
        for index in 0..<batchFrames { loop.frame(index) }
        elapsed += clock.now - start
        frames += batchFrames
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds * 1e6 / Double(frames)
}

/// Runs `loop` for exactly `frames` frames, untimed (for valgrind: allocation counts, call graphs).
/// With `prepareOnly` it prepares the same batches and runs none, so the difference between the two
/// runs is what the frames themselves cost.
func run(_ loop: FrameLoop, frames: Int, prepareOnly: Bool) {
    var done = 0
    while done < frames {
        let count = min(batchFrames, frames - done)
        loop.prepare(count)
        if !prepareOnly {
            for index in 0..<count { loop.frame(index) }
        }
        done += count
    }
}

/// Stops the benchmark when its own setup fails: the figures would mean nothing.
func must<T>(_ what: String, _ body: () throws -> T) -> T {
    do {
        return try body()
    } catch {
        fatalError("\(what): \(error)")
    }
}

func format(_ value: Double) -> String {
    let rounded = Int(value.rounded())
    var text = String(rounded)
    var index = text.count - 3
    while index > 0 {
        text.insert(",", at: text.index(text.startIndex, offsetBy: index))
        index -= 3
    }
    return text
}

/// `value` with `places` decimals (no Foundation).
func fixed(_ value: Double, _ places: Int) -> String {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < places { fraction = "0" + fraction }
    return places == 0 ? String(whole) : "\(whole).\(fraction)"
}

func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
