import Foundation
import Logging

/// How the daemon writes its log lines (`dialgate serve --log-format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's stream format: `TIMESTAMP LEVEL LABEL: key=value ... [MODULE] message`, for people.
    case text
    /// One logfmt line per event: `ts=... level=info logger=dialgate.sip msg="..." key=value ...`;
    /// a value with a space, `=`, `"` or a control character is quoted and escaped.
    case logfmt
    /// One JSON object per line: `{"ts":...,"level":...,"logger":...,"msg":...,"key":"value",...}`.
    case json
}

/// A swift-log handler for the structured formats (issue 8): one line per event on stderr, every field
/// escaped so that no value (a caller's display name, a SIP header, a digit string) can break a line,
/// forge a field, or carry a terminal escape. Lines are written whole, under a lock shared by all
/// handlers, so lines from different threads never interleave.
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let format: LogFormat
    let write: @Sendable (String) -> Void

    public init(label: String, format: LogFormat, write: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError) {
        self.label = label
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        write(
            Self.line(format: format, time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged) + "\n")
    }

    /// One formatted line (no newline). Fields in a fixed order, then the metadata sorted by key.
    static func line(format: LogFormat, time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata)
        -> String
    {
        let fields: [(String, String)] =
            [("ts", timestamp(time)), ("level", level.rawValue), ("logger", label), ("msg", message)]
            + metadata.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
        switch format {
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        case .logfmt, .text:
            return fields.map { "\(logfmtKey($0.0))=\(logfmtValue($0.1))" }.joined(separator: " ")
        }
    }

    /// RFC 3339 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// A JSON string (RFC 8259 §7): quotes, backslashes and every control character escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A logfmt value: bare when it is non-empty and has no space, `=`, `"`, backslash or control
    /// character; otherwise quoted with the JSON escapes.
    static func logfmtValue(_ text: String) -> String {
        let bare =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar != "=" && scalar != "\"" && scalar != "\\" && !(0x7F...0x9F).contains(scalar.value)
                    && !scalar.properties.isWhitespace
            }
        return bare ? text : jsonString(text)
    }

    /// Keys come from the code, but a key is still kept to `[A-Za-z0-9_.-]`.
    static func logfmtKey(_ key: String) -> String {
        let kept = key.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "_.-".unicodeScalars.contains(scalar) ? Character(scalar) : "_"
        }
        return kept.isEmpty ? "_" : String(kept)
    }

    private static let lock = NSLock()

    /// Writes one whole line to stderr.
    public static let standardError: @Sendable (String) -> Void = { line in
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
