import Foundation
import Media
import Testing

/// The bundled prompts as the gateway loads them, and the errors for broken prompt files.
@Suite struct PromptLibraryTests {
    /// Loaded once for the suite: every test below reads the same, real resource bundle.
    static let library = Result { try PromptLibrary.bundled() }

    /// RMS in dBFS (0 dBFS = a square wave at full scale).
    static func rmsDBFS(_ samples: [Int16]) -> Double {
        let power = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
        return 10 * log10(max(power, 1e-12) / (32768.0 * 32768.0))
    }

    /// The bytes of a valid 8 kHz prompt file with `count` samples of a quiet ramp.
    static func validFile(count: Int = 800, rate: Int = 8000) throws -> [UInt8] {
        try WAVFile(sampleRate: rate, samples: (0..<count).map { Int16($0 % 200 - 100) }).serialized()
    }

    @Test(arguments: PromptLibrary.Name.allCases)
    func bundledPromptIsUsable(name: PromptLibrary.Name) throws {
        let prompt = try Self.library.get()[name]
        #expect(prompt.name == name)
        let seconds = Double(prompt.samples.count) / Double(PromptLibrary.sampleRate)
        // Spoken digits ("two") are single short words; sentences last at least half a second.
        let shortest = name.rawValue.hasPrefix("digit-") ? 0.25 : 0.5
        #expect((shortest...6).contains(seconds), "\(name.rawValue) lasts \(seconds) s")
        // make-prompts aims at about -16 dBFS of active speech; over the whole prompt (pauses
        // included) that is -16 to -19 dBFS. A silent or half-level prompt fails here.
        let level = Self.rmsDBFS(prompt.samples)
        #expect((-21 ... -14).contains(level), "\(name.rawValue) RMS \(level) dBFS")
        // Not clipped: no sample at full scale (the script's limiter keeps peaks below -0.5 dBFS).
        let peak = prompt.samples.map { abs(Int($0)) }.max() ?? 0
        #expect(peak < 31_000, "\(name.rawValue) peaks at \(peak)")
        #expect(prompt.duration == .microseconds(prompt.samples.count * 125))
    }

    @Test func promptTextsListExactlyTheNames() throws {
        // prompts.txt is what operators edit and make-prompts reads; it must match the enum.
        let texts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Media/Prompts/prompts.txt")
        let names = try String(contentsOf: texts, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { String($0.prefix { $0 != "|" }) }
        #expect(names == PromptLibrary.Name.allCases.map(\.rawValue))
        #expect(PromptLibrary.Name.enterMeetingID.fileName == "enter-meeting-id.wav")
    }

    @Test func loadsFromADirectoryAndNamesTheMissingFileWithItsPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prompts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in PromptLibrary.Name.allCases where name != .lobby {
            try Data(Self.validFile()).write(to: directory.appendingPathComponent(name.fileName))
        }
        let missing = directory.appendingPathComponent("lobby.wav").path
        #expect(throws: PromptError.missing(prompt: .lobby, file: missing)) { try PromptLibrary(directory: directory) }

        try Data(Self.validFile(count: 1234)).write(to: directory.appendingPathComponent("lobby.wav"))
        let library = try PromptLibrary(directory: directory)
        #expect(library[.lobby].samples.count == 1234)
        #expect(library.totalSamples == 1234 + 800 * (PromptLibrary.Name.allCases.count - 1))
    }

    /// A library where every prompt is valid except `.removed`, which is `bytes`.
    static func load(removed bytes: [UInt8]) throws(PromptError) -> PromptLibrary {
        let valid = (try? validFile()) ?? []
        return try PromptLibrary { $0 == .removed ? .bytes(bytes) : .bytes(valid) }
    }

    @Test func brokenWAVNamesThePrompt() throws {
        let garbage = Array("OggS, not a WAV file at all".utf8)
        #expect(throws: PromptError.malformed(prompt: .removed, file: "removed.wav", .notRIFF(found: "OggS"))) {
            try Self.load(removed: garbage)
        }
        let truncated = Array(try Self.validFile().prefix(50))
        do {
            _ = try Self.load(removed: truncated)
            Issue.record("a truncated prompt loaded")
        } catch {
            #expect(error.prompt == .removed)
            guard case .malformed(_, "removed.wav", .truncated) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("removed.wav"))
        }
    }

    @Test func wrongFormatSaysWhatTheFileIs() throws {
        #expect(throws: PromptError.wrongFormat(prompt: .removed, file: "removed.wav", found: "16000 Hz 16-bit mono PCM")) {
            try Self.load(removed: try Self.validFile(rate: 16_000))
        }
        // A stereo header: WAVFile refuses it, the prompt error says what it was.
        var stereo = try Self.validFile()
        stereo[22] = 2  // channels
        stereo[32] = 4  // block align
        #expect(throws: PromptError.wrongFormat(prompt: .removed, file: "removed.wav", found: "PCM, 2 channel(s), 16-bit")) {
            try Self.load(removed: stereo)
        }
        let error = PromptError.wrongFormat(prompt: .removed, file: "removed.wav", found: "PCM, 2 channel(s), 16-bit")
        #expect(error.description.contains("removed.wav is PCM, 2 channel(s), 16-bit"))
    }

    @Test func missingUnreadableAndEmptyPromptsAreTypedErrors() throws {
        let valid = try Self.validFile()
        #expect(throws: PromptError.missing(prompt: .goodbye, file: "goodbye.wav")) {
            try PromptLibrary { $0 == .goodbye ? .missing : .bytes(valid) }
        }
        #expect(throws: PromptError.unreadable(prompt: .welcome, file: "prompts/welcome.wav", reason: "permission denied")) {
            try PromptLibrary(folder: "prompts") { $0 == .welcome ? .unreadable("permission denied") : .bytes(valid) }
        }
        #expect(throws: PromptError.empty(prompt: .removed, file: "removed.wav")) {
            try Self.load(removed: try WAVFile(sampleRate: 8000, samples: []).serialized())
        }
    }
}
