import Foundation

// File access lives here, apart from the pure decoding in PromptLibrary.swift.
extension PromptLibrary {
    /// Name of the folder of prompt files inside the Media target's resource bundle
    /// (Package.swift copies `Sources/Media/Prompts/Audio` as is).
    static let bundledFolder = "Audio"

    /// The prompts shipped with dialgate (`Sources/Media/Prompts/Audio`, made by
    /// `scripts/make-prompts`). Call once at startup and share the result.
    public static func bundled() throws(PromptError) -> PromptLibrary {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent(bundledFolder, isDirectory: true) else {
            throw .missing(prompt: .welcome, file: "\(bundledFolder)/\(Name.welcome.fileName) (no resource bundle)")
        }
        return try PromptLibrary(directory: folder)
    }

    /// Prompts read from `directory/NAME.wav`, e.g. an operator's own recordings.
    public init(directory: URL) throws(PromptError) {
        try self.init(folder: directory.path) { name in
            let url = directory.appendingPathComponent(name.fileName, isDirectory: false)
            guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
            do {
                return .bytes(Array(try Data(contentsOf: url)))
            } catch {
                return .unreadable(String(describing: error))
            }
        }
    }
}
