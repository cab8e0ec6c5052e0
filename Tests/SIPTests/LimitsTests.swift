import Testing

@testable import SIP

@Suite("Parser limits and datagram rules")
struct LimitsTests {
    static func request(headers: [String], body: String = "") -> [UInt8] {
        Array((["INVITE sip:a@example.com SIP/2.0"] + headers + ["", body]).joined(separator: "\r\n").utf8)
    }

    @Test func datagramTooLarge() {
        let bytes = Self.request(headers: ["Content-Length: 70000"], body: String(repeating: "x", count: 70_000))
        #expect(throws: SIPParseError(.limitExceeded, "Message Too Large (limit 65535 octets)", statusCode: 513)) {
            try SIPMessageParser.parseDatagram(bytes)
        }
    }

    @Test func tooManyHeaders() {
        let bytes = Self.request(headers: (0..<300).map { "X-\($0): y" })
        #expect {
            try SIPMessageParser.parseDatagram(bytes)
        } throws: { error in
            let error = error as? SIPParseError
            return error?.statusCode == 513 && error?.headers?.count == 256
        }
    }

    @Test func requestURITooLong() {
        let line = "INVITE sip:\(String(repeating: "a", count: 5000))@example.com SIP/2.0\r\n\r\n"
        #expect {
            try SIPMessageParser.parseDatagram(Array(line.utf8))
        } throws: { error in
            (error as? SIPParseError)?.statusCode == 414
        }
    }

    @Test func headerLineTooLong() {
        let bytes = Self.request(headers: ["Subject: " + String(repeating: "s", count: 9000)])
        #expect {
            try SIPMessageParser.parseDatagram(bytes)
        } throws: { error in
            (error as? SIPParseError)?.statusCode == 513
        }
    }

    @Test func tooManyVias() throws {
        let headers = (0..<71).map { "Via: SIP/2.0/UDP h\($0).example.com;branch=z9hG4bK\($0)" }
        let message = try SIPMessageParser.parseDatagram(Self.request(headers: headers))
        #expect {
            try message.headers.vias()
        } throws: { error in
            (error as? SIPParseError)?.kind == .limitExceeded
        }
    }

    @Test func leadingCRLFAndFoldingAndBareLF() throws {
        let text = "\r\n\r\nOPTIONS sip:a@example.com SIP/2.0\nSubject: one\n\t two\nContent-Length: 0\n\n"
        guard case .request(let request) = try SIPMessageParser.parseDatagram(Array(text.utf8)) else {
            Issue.record("not a request")
            return
        }
        #expect(request.method == .options)
        #expect(request.headers["Subject"] == "one two")
    }

    @Test func headerLineWithoutColon() {
        #expect {
            try SIPMessageParser.parseDatagram(Self.request(headers: ["Via: SIP/2.0/UDP h", "Foobar roobar"]))
        } throws: { error in
            let error = error as? SIPParseError
            return error?.kind == .malformedHeaderLine && error?.headers?["Via"] == "SIP/2.0/UDP h"
        }
    }

    @Test func responseVersionAndCodes() {
        for line in ["SIP/2.0 99 Low", "SIP/2.0 700 High", "SIP/2.0 2000 Long", "SIP/3.0 200 OK", "SIP/2.0 2x0 OK"] {
            #expect {
                try SIPMessageParser.parseDatagram(Array("\(line)\r\n\r\n".utf8))
            } throws: { error in
                (error as? SIPParseError)?.shouldDrop == true
            }
        }
    }

    @Test func requestWithoutViaCannotBeAnswered() {
        #expect {
            try SIPMessageParser.parseDatagram(Array("INVITE  sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n".utf8))
        } throws: { error in
            let error = error as? SIPParseError
            return error?.isRequest == true && error?.shouldDrop == true
        }
    }

    @Test func emptyDatagram() {
        #expect(throws: SIPParseError.self) { try SIPMessageParser.parseDatagram([]) }
        #expect(throws: SIPParseError.self) { try SIPMessageParser.parseDatagram(Array("\r\n\r\n".utf8)) }
    }

    @Test func multipartErrors() {
        #expect(throws: SIPParseError.self) {
            try SIPMultipartBody(parsing: Array("no delimiters".utf8), boundary: "b")
        }
        #expect(throws: SIPParseError.self) { try SIPMultipartBody(parsing: Array("--b\r\n\r\nx".utf8), boundary: "b") }
        let ok = try? SIPMultipartBody(parsing: Array("preamble\r\n--b\r\n\r\nx\r\n--b--\r\n".utf8), boundary: "b")
        #expect(ok?.parts.map(\.body) == [Array("x".utf8)])
    }
}
