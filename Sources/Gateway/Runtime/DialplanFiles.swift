import Dialplan
import Foundation

/// Reading dialplan files for the pure parser: the one place that touches the file system.
public enum DialplanFiles {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The sources a PATH names: the file, or the folder's `*.dialplan` files in name order.
    public static func sources(at path: String) throws -> [DialplanSource] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw Failure(description: "no such file or folder")
        }
        guard isFolder.boolValue else { return [try read(normalize(path))] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".dialplan") }.sorted()
        if names.isEmpty { throw Failure(description: "no .dialplan files in this folder") }
        return try names.map { try read(normalize(path + "/" + $0)) }
    }

    /// An include, relative to the folder of the file that includes it.
    public static func resolve(_ include: String, from file: String) -> DialplanSource? {
        let folder = (file as NSString).deletingLastPathComponent
        let path = include.hasPrefix("/") || folder.isEmpty ? include : folder + "/" + include
        return try? read(normalize(path))
    }

    public static func read(_ path: String) throws -> DialplanSource {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "\(path): cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(description: "\(path): not UTF-8 text") }
        return DialplanSource(path: path, text: text)
    }

    /// One name per file (`DialplanSource.normalizedPath`).
    public static func normalize(_ path: String) -> String { DialplanSource.normalizedPath(path) }
}
