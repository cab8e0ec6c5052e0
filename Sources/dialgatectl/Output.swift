import Foundation

/// Writes straight to the file descriptors: `print` is block-buffered into a pipe, and a
/// `calls --watch` reader must see each line as it happens.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func raw(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// A line on stderr as it is, without the `dialgatectl: ` prefix (a compiler-style
    /// `file:line:column: message` names its own source).
    static func errorLine(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("dialgatectl: " + text + "\n").utf8))
    }
}
