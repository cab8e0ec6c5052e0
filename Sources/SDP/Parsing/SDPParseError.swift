/// Why an SDP body could not be read, and where.
///
/// `line` and `column` are 1-based, counted in the body as received (a lone LF ends a line as well
/// as CRLF). `line` is 0 for problems with the body as a whole (its size, or a missing line found
/// only at the end).
public struct SDPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: Reason

    public init(line: Int, column: Int = 1, reason: Reason) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public enum Reason: Hashable, Sendable {
        /// The body is longer than `SDPLimits.maxBodyBytes`.
        case bodyTooLarge(limit: Int)
        /// More lines than `SDPLimits.maxLines`.
        case tooManyLines(limit: Int)
        /// More `m=` sections than `SDPLimits.maxMediaSections`.
        case tooManyMediaSections(limit: Int)
        /// More formats on one `m=` line than `SDPLimits.maxFormatsPerMedia`.
        case tooManyFormats(limit: Int)
        /// The body is empty.
        case empty
        /// Bytes that are not UTF-8 text, or a NUL or lone CR inside a line (RFC 8866 §9 `text`).
        case notText
        /// A line that is not `<letter>=<value>` (RFC 8866 §5: no space around `=`).
        case malformedLine
        /// The first line is not `v=` (RFC 8866 §5).
        case versionNotFirst
        /// `v=` with a value other than 0 (RFC 8866 §5.1).
        case unsupportedVersion(String)
        /// A required line (`o=`, `s=`, `t=`) is missing, or not where RFC 8866 §5 puts it.
        case missingLine(type: Character)
        /// A line type that may not appear at this point (e.g. `r=` before any `t=`, `o=` inside a
        /// media section).
        case unexpectedLine(type: Character)
        /// A line that may appear only once in its section appears again.
        case duplicateLine(type: Character)
        /// A line type this parser does not know; RFC 8866 §5 says to ignore the whole description.
        case unknownLineType(type: Character)
        /// A line lacks a field its grammar requires (e.g. an `m=` line with no format).
        case missingField(String)
        /// A field does not match its grammar (e.g. a non-numeric port).
        case invalidField(String, value: String)
    }

    /// The SIP status a UAS should answer an INVITE with when its offer cannot be read:
    /// 413 for an oversized body (RFC 3261 §21.4.11), 400 for malformed syntax (§21.4.1).
    public var sipStatusCode: Int {
        switch reason {
        case .bodyTooLarge, .tooManyLines: 413
        default: 400
        }
    }

    public var description: String {
        let position = line > 0 ? "line \(line), column \(column)" : "SDP body"
        return "\(position): \(reasonText)"
    }

    /// The reason alone, for a SIP reason phrase or a log line.
    public var reasonText: String {
        switch reason {
        case .bodyTooLarge(let limit): "body larger than \(limit) bytes"
        case .tooManyLines(let limit): "more than \(limit) lines"
        case .tooManyMediaSections(let limit): "more than \(limit) m= sections"
        case .tooManyFormats(let limit): "more than \(limit) formats on one m= line"
        case .empty: "empty body"
        case .notText: "not UTF-8 text (or a NUL or lone CR inside a line)"
        case .malformedLine: "expected <letter>=<value>"
        case .versionNotFirst: "the first line must be v="
        case .unsupportedVersion(let value): "unsupported SDP version \"\(value)\""
        case .missingLine(let type): "missing \(type)= line"
        case .unexpectedLine(let type): "\(type)= line not allowed here"
        case .duplicateLine(let type): "second \(type)= line in the same section"
        case .unknownLineType(let type): "unknown line type \(type)="
        case .missingField(let field): "missing \(field)"
        case .invalidField(let field, let value): "invalid \(field) \"\(value)\""
        }
    }
}
