/// The gateway's spoken prompts, decoded once into 8 kHz 16-bit samples and looked up by name.
///
/// Build one at startup (`PromptLibrary.bundled()`, or `init(directory:)` for an operator's own
/// recordings) and hand it to the call flows; playing a prompt then shares its sample storage
/// instead of copying or reading files during a call. Parsing is pure: `init(loading:)` takes the
/// bytes of each file from its caller, so tests need no files.
public struct PromptLibrary: Sendable {
    /// Sample rate of every prompt: a phone leg's rate (DESIGN.md §3), so no resampling on play.
    public static let sampleRate = 8000
    /// File name extension of a prompt file.
    public static let fileExtension = "wav"

    /// The prompts the call flows use. Raw values are the file names (without `.wav`) and the
    /// names in `Sources/Media/Prompts/prompts.txt`: a contract with the dialplans.
    public enum Name: String, CaseIterable, Sendable, Hashable {
        case welcome
        case enterMeetingID = "enter-meeting-id"
        case enterPasscode = "enter-passcode"
        case wrongEntry = "wrong-entry"
        case joining
        case meetingE2EE = "meeting-e2ee"
        case srtpRequired = "srtp-required"
        case goodbye
        case echoTest = "echo-test"
        case toneTest = "tone-test"
        case meetingNotFound = "meeting-not-found"
        case waitingForHost = "waiting-for-host"
        case removed
        case lobby
        case meetingDowngraded = "meeting-downgraded"
        case meetingNotAvailable = "meeting-not-available"
        case muted
        case unmuted
        case participantCount = "participant-count"
        case digit0 = "digit-0"
        case digit1 = "digit-1"
        case digit2 = "digit-2"
        case digit3 = "digit-3"
        case digit4 = "digit-4"
        case digit5 = "digit-5"
        case digit6 = "digit-6"
        case digit7 = "digit-7"
        case digit8 = "digit-8"
        case digit9 = "digit-9"

        /// The prompt's file name, e.g. "enter-meeting-id.wav".
        public var fileName: String { "\(rawValue).\(PromptLibrary.fileExtension)" }
    }

    /// What a loader hands back for one prompt file.
    public enum FileContents: Sendable {
        /// The file's bytes.
        case bytes([UInt8])
        /// No such file.
        case missing
        /// The file exists but could not be read, and why.
        case unreadable(String)
    }

    private let prompts: [Name: Prompt]

    /// Loads every prompt in `Name.allCases`, asking `load` for each file's contents; throws for
    /// the first prompt (in `allCases` order) that is missing, unreadable, malformed, not 8 kHz
    /// 16-bit mono, or empty. Errors name the file as `folder/NAME.wav` (or `NAME.wav` without
    /// a folder).
    public init(folder: String? = nil, loading load: (Name) -> FileContents) throws(PromptError) {
        var prompts: [Name: Prompt] = [:]
        for name in Name.allCases {
            let file = folder.map { "\($0)/\(name.fileName)" } ?? name.fileName
            let bytes: [UInt8]
            switch load(name) {
            case .bytes(let contents): bytes = contents
            case .missing: throw .missing(prompt: name, file: file)
            case .unreadable(let reason): throw .unreadable(prompt: name, file: file, reason: reason)
            }
            prompts[name] = try Self.decode(name, file: file, bytes)
        }
        self.prompts = prompts
    }

    /// The prompt called `name` (every name is present once the library is built).
    public subscript(name: Name) -> Prompt {
        // `init` stores every case of `Name` or throws, so the lookup cannot fail.
        prompts[name] ?? Prompt(name: name, samples: [])
    }

    /// Total samples held, for a startup log line.
    public var totalSamples: Int { prompts.values.reduce(0) { $0 + $1.samples.count } }

    /// Parses one file, mapping WAV errors to prompt errors that name the prompt and its file.
    static func decode(_ name: Name, file fileName: String, _ bytes: [UInt8]) throws(PromptError) -> Prompt {
        let file: WAVFile
        do {
            file = try WAVFile(bytes: bytes)
        } catch .unsupportedFormat(let tag, let channels, let bits) {
            let format = tag == 1 ? "PCM" : "format \(tag)"
            throw .wrongFormat(prompt: name, file: fileName, found: "\(format), \(channels) channel(s), \(bits)-bit")
        } catch {
            throw .malformed(prompt: name, file: fileName, error)
        }
        guard file.sampleRate == Self.sampleRate else {
            throw .wrongFormat(prompt: name, file: fileName, found: "\(file.sampleRate) Hz 16-bit mono PCM")
        }
        guard !file.samples.isEmpty else { throw .empty(prompt: name, file: fileName) }
        return Prompt(name: name, samples: file.samples)
    }
}
