import Media

/// Plays the application's items (prompt samples, tones, silence) frame by frame.
struct LegPlayer {
    private var items: [LegMediaConfiguration.PlaybackItem] = []
    private var index = 0
    /// Samples already played of the current item (prompts and silence).
    private var position = 0
    private var tone = ToneGenerator()
    private var toneStarted = false

    mutating func load(_ application: LegMediaConfiguration.Application) {
        if case .playback(let items) = application { self.items = items } else { items = [] }
        index = 0
        position = 0
        toneStarted = false
    }

    mutating func stop() { index = items.count }

    /// One frame into `frame`; false once everything has played (the frame is then silence).
    mutating func nextFrame(into frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        var filled = 0
        while filled < frame.count, index < items.count {
            let rest = UnsafeMutableBufferPointer(rebasing: frame[filled...])
            switch items[index] {
            case .samples(_, let samples):
                let count = min(rest.count, samples.count - position)
                for offset in 0..<count { rest[offset] = samples[position + offset] }
                position += count
                filled += count
                if position >= samples.count { advance() }
            case .silence(let duration):
                let total = Int(duration.components.seconds) * 8000 + Int(duration.components.attoseconds / 125_000_000_000_000)
                let count = min(rest.count, total - position)
                for offset in 0..<count { rest[offset] = 0 }
                position += count
                filled += count
                if position >= total { advance() }
            case .tone(let item):
                if !toneStarted {
                    tone.start(item)
                    toneStarted = true
                }
                let more = tone.generate(into: rest)
                filled = frame.count
                if !more { advance() }
            }
        }
        for offset in filled..<frame.count { frame[offset] = 0 }
        return filled > 0
    }

    private mutating func advance() {
        index += 1
        position = 0
        toneStarted = false
    }
}
