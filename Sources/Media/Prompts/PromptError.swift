/// Why a bundled (or operator-supplied) prompt cannot be played, naming the prompt and its file.
///
/// Loading fails as a whole at startup, so a gateway never answers a call it cannot greet.
public enum PromptError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file for the prompt (`file` is the name that was looked for, e.g. "welcome.wav").
    case missing(prompt: PromptLibrary.Name, file: String)
    /// The file exists but could not be read (permissions, I/O error).
    case unreadable(prompt: PromptLibrary.Name, file: String, reason: String)
    /// The file is not a WAV file dialgate can parse.
    case malformed(prompt: PromptLibrary.Name, file: String, WAVError)
    /// A WAV file, but not 8 kHz 16-bit mono linear PCM; `found` says what it is instead.
    case wrongFormat(prompt: PromptLibrary.Name, file: String, found: String)
    /// A valid WAV file without a single sample.
    case empty(prompt: PromptLibrary.Name, file: String)

    /// The prompt this error is about.
    public var prompt: PromptLibrary.Name {
        switch self {
        case .missing(let prompt, _), .unreadable(let prompt, _, _), .malformed(let prompt, _, _),
            .wrongFormat(let prompt, _, _), .empty(let prompt, _):
            prompt
        }
    }

    public var description: String {
        switch self {
        case .missing(let prompt, let file): "prompt \"\(prompt.rawValue)\": file \(file) not found"
        case .unreadable(let prompt, let file, let reason): "prompt \"\(prompt.rawValue)\": cannot read \(file): \(reason)"
        case .malformed(let prompt, let file, let error): "prompt \"\(prompt.rawValue)\": \(file) is not a usable WAV file: \(error)"
        case .wrongFormat(let prompt, let file, let found):
            "prompt \"\(prompt.rawValue)\": \(file) is \(found); prompts must be \(PromptLibrary.sampleRate) Hz 16-bit mono PCM"
        case .empty(let prompt, let file): "prompt \"\(prompt.rawValue)\": \(file) has no samples"
        }
    }
}
