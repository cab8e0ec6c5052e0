import Dialplan
import Foundation

/// Files for the `dialgate dialplan test` tests: the repository's plans, scripts and prompt
/// recordings, read by path from the source tree (#filePath), as the command reads them.
enum DialtestFiles {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// A file, under its path relative to the repository.
    static func read(_ relative: String) throws -> DialplanSource {
        let url = repository.appendingPathComponent(relative)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw Missing(description: "no such file or folder") }
        return DialplanSource(path: relative, text: text)
    }

    /// A file, or a folder's `*.dialplan` files in name order (as `DialplanFiles.sources`).
    static func sources(_ relative: String) throws -> [DialplanSource] {
        let url = repository.appendingPathComponent(relative)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw Missing(description: "no such file or folder")
        }
        guard isFolder.boolValue else { return [try read(relative)] }
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".dialplan") }.sorted()
        return try names.map { try read(relative + "/" + $0) }
    }

    /// An include, relative to the including file.
    static func resolve(_ include: String, from file: String) -> DialplanSource? {
        let folder = (file as NSString).deletingLastPathComponent
        return try? read(DialplanSource.normalizedPath(folder.isEmpty ? include : folder + "/" + include))
    }

    /// The scripts shipped in `dialplans/tests/`, relative to the repository.
    static func shippedScripts() throws -> [String] {
        let folder = repository.appendingPathComponent("dialplans/tests")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix("." + DialplanTestScript.fileExtension) }.sorted().map { "dialplans/tests/" + $0 }
    }

    /// Each bundled prompt's length, from its recording (`Sources/Media/Prompts/Audio/NAME.wav`,
    /// 8 kHz 16-bit mono: a sample is 125 µs), as `PromptLibrary` would give it.
    static let promptDurations: [String: Duration] = {
        var durations: [String: Duration] = [:]
        for name in bundledPrompts {
            let url = repository.appendingPathComponent("Sources/Media/Prompts/Audio/\(name).wav")
            guard let bytes = try? [UInt8](Data(contentsOf: url)), let samples = dataSamples(bytes) else { continue }
            durations[name] = .microseconds(samples * 125)
        }
        return durations
    }()

    /// The sample count of a 16-bit WAV file's `data` chunk.
    static func dataSamples(_ bytes: [UInt8]) -> Int? {
        func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8) else { return nil }
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = u32(offset + 4)
            if bytes[offset..<(offset + 4)].elementsEqual("data".utf8) { return min(size, bytes.count - offset - 8) / 2 }
            offset += 8 + size + (size & 1)
        }
        return nil
    }

    /// Runs a script from the repository as `dialgate dialplan test` does.
    static func run(_ relative: String, safetyLimit: Duration = DialplanTestRunner.defaultSafetyLimit) throws -> DialplanTestSession.Result
    {
        DialplanTestSession.run(
            script: try read(relative), promptDurations: promptDurations, sources: { try sources($0) }, resolve: resolve,
            safetyLimit: safetyLimit)
    }
}
