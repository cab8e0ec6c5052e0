/// One decoded prompt: 8 kHz 16-bit samples, shared (copy-on-write) by everything that plays it.
public struct Prompt: Sendable, Equatable {
    /// Which prompt this is.
    public let name: PromptLibrary.Name
    /// The samples at `PromptLibrary.sampleRate`.
    public let samples: [Int16]

    public init(name: PromptLibrary.Name, samples: [Int16]) {
        self.name = name
        self.samples = samples
    }

    /// Length when played.
    public var duration: Duration { .microseconds(samples.count * (1_000_000 / PromptLibrary.sampleRate)) }
}
