import Foundation
import Logging
import Testing

@testable import Gateway

/// `--log-format logfmt|json`: hostile values (a caller's display name, a header) can neither break a
/// line, forge a field, nor put a control character on an operator's terminal.
@Suite struct StructuredLogHandlerTests {
    static let time = Date(timeIntervalSince1970: 1_796_000_000.25)
    static let hostile = "Bob\" admin=yes\nlevel=critical \u{1B}[31mred\u{7}\\ é 📞"

    @Test func jsonLinesParseBackToWhatWasLogged() throws {
        let line = StructuredLogHandler.line(
            format: .json, time: Self.time, level: .warning, label: "dialgate.sip", message: "security: request refused",
            metadata: ["caller": "\(Self.hostile)", "count": "3"])
        #expect(!line.contains("\n") && !line.contains("\u{1B}") && !line.contains("\u{7}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["caller"] == Self.hostile, "the value survives whole")
        #expect(object["level"] == "warning" && object["logger"] == "dialgate.sip" && object["msg"] == "security: request refused")
        #expect(object["ts"] == "2026-11-30T00:53:20.250Z")
        #expect(object["count"] == "3" && object.count == 6)
    }

    @Test func logfmtQuotesAndEscapesOnlyWhatNeedsIt() {
        let line = StructuredLogHandler.line(
            format: .logfmt, time: Self.time, level: .info, label: "dialgate.sip", message: "digit",
            metadata: ["call": "c7f3a2", "caller": "\(Self.hostile)", "empty": "", "weird key!": "x"])
        #expect(!line.contains("\n") && !line.contains("\u{1B}"))
        #expect(line.hasPrefix("ts=2026-11-30T00:53:20.250Z level=info logger=dialgate.sip msg=digit call=c7f3a2 "))
        #expect(line.contains(#"caller="Bob\" admin=yes\nlevel=critical \u001b[31mred\u0007\\ é 📞""#), "\(line)")
        #expect(line.contains(#"empty="""#))
        #expect(line.contains("weird_key_=x"))
        // The forged field is inside the quoted value, not a field of its own.
        #expect(!line.contains(" admin=yes "))
    }

    @Test func theHandlerWritesOneLinePerEventWithTheLoggersMetadata() {
        let lines = LinesBox()
        var handler = StructuredLogHandler(label: "dialgate.test", format: .json) { lines.append($0) }
        handler[metadataKey: "node"] = "a"
        let logger = Logger(label: "dialgate.test") { _ in handler }
        logger.info("call ended", metadata: ["call": "1"])
        logger.debug("not at info")
        #expect(lines.value.count == 1)
        #expect(lines.value.first?.hasSuffix("\"call\":\"1\",\"node\":\"a\"}\n") == true, "\(lines.value)")
    }
}

final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var value: [String] { lock.withLock { lines } }
}
