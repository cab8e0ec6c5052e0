import Testing

@testable import SIP

@Suite("Stream framing")
struct StreamFramerTests {
    static let options = crlf(
        "OPTIONS sip:a@example.com SIP/2.0", "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1",
        "To: <sip:a@example.com>",
        "From: <sip:b@example.com>;tag=1", "Call-ID: c1", "CSeq: 1 OPTIONS", "Max-Forwards: 70", "Content-Length: 4",
        "",
        "abcd")

    static let response = crlf(
        "SIP/2.0 200 OK", "Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1", "To: <sip:a@example.com>;tag=2",
        "From: <sip:b@example.com>;tag=1", "Call-ID: c1", "CSeq: 1 OPTIONS", "l: 0", "", "")

    /// Keep-alive CRLFs, a request with a body, a response, and another keep-alive.
    static let stream: [UInt8] =
        Array("\r\n\r\n".utf8) + options + Array("\r\n".utf8) + response + Array("\r\n\r\n".utf8)

    static func drain(_ framer: inout SIPStreamFramer) throws -> [SIPMessage] {
        var messages: [SIPMessage] = []
        while let message = try framer.nextMessage() { messages.append(message) }
        return messages
    }

    static func expected() throws -> [SIPMessage] {
        [try SIPMessageParser.parseDatagram(options), try SIPMessageParser.parseDatagram(response)]
    }

    @Test func wholeStreamAtOnce() throws {
        var framer = SIPStreamFramer()
        framer.append(Self.stream)
        #expect(try Self.drain(&framer) == Self.expected())
        #expect(framer.bufferedByteCount == 0)
    }

    /// Like NIO's ByteToMessageDecoderVerifier: every way of cutting the stream in two, and one
    /// byte at a time, gives the same messages.
    @Test func everySplitPoint() throws {
        let expected = try Self.expected()
        for split in 0...Self.stream.count {
            var framer = SIPStreamFramer()
            framer.append(Self.stream[..<split])
            var messages = try Self.drain(&framer)
            framer.append(Self.stream[split...])
            messages += try Self.drain(&framer)
            #expect(messages == expected, "split at \(split)")
        }
    }

    @Test func oneByteAtATime() throws {
        var framer = SIPStreamFramer()
        var messages: [SIPMessage] = []
        for byte in Self.stream {
            framer.append(CollectionOfOne(byte))
            messages += try Self.drain(&framer)
        }
        #expect(messages == (try Self.expected()))
    }

    @Test func manyMessagesCompactTheBuffer() throws {
        var framer = SIPStreamFramer()
        var count = 0
        for _ in 0..<200 {
            framer.append(Self.options)
            count += try Self.drain(&framer).count
        }
        #expect(count == 200)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func missingContentLengthIsUnrecoverable() throws {
        let bytes = crlf(
            "OPTIONS sip:a@example.com SIP/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "Call-ID: x", "", "")
        var framer = SIPStreamFramer()
        framer.append(bytes)
        #expect {
            try framer.nextMessage()
        } throws: { error in
            guard let error = error as? SIPParseError else { return false }
            return error.isUnrecoverable && error.kind == .badContentLength && error.headers?["Call-ID"] == "x"
                && error.reason.contains("connection must be closed")
        }
        framer.append(Self.options)
        #expect(throws: SIPParseError.self) { try framer.nextMessage() }
    }

    @Test(arguments: ["ncl", "mcl01"])
    func badContentLengthVectorsAreUnrecoverable(_ name: String) throws {
        var framer = SIPStreamFramer()
        framer.append(try RFC4475.bytes(name))
        #expect {
            try framer.nextMessage()
        } throws: { error in
            (error as? SIPParseError)?.isUnrecoverable == true
        }
    }

    @Test func clerrWaitsForMoreOnAStream() throws {
        var framer = SIPStreamFramer()
        framer.append(try RFC4475.bytes("clerr"))
        #expect(try framer.nextMessage() == nil)
    }

    @Test func malformedButFramedMessageIsRecoverable() throws {
        let bad = crlf("OPTIONS  sip:a@example.com SIP/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bK1", "l: 0", "", "")
        var framer = SIPStreamFramer()
        framer.append(bad + Self.options)
        #expect {
            try framer.nextMessage()
        } throws: { error in
            guard let error = error as? SIPParseError else { return false }
            return !error.isUnrecoverable && error.kind == .malformedStartLine && error.isRequest == true
        }
        #expect(try framer.nextMessage() == (try SIPMessageParser.parseDatagram(Self.options)))
    }

    @Test func endlessHeaderSectionIsCutOff() throws {
        var framer = SIPStreamFramer(limits: SIPLimits(maxHeaderSectionSize: 1024))
        framer.append(Array("OPTIONS sip:a@example.com SIP/2.0\r\n".utf8))
        var thrown: SIPParseError?
        for _ in 0..<100 {
            framer.append(Array("X-Filler: 0123456789012345678901234567890123456789\r\n".utf8))
            do { _ = try framer.nextMessage() } catch {
                thrown = error
                break
            }
        }
        #expect(thrown?.statusCode == 513)
        #expect(thrown?.isUnrecoverable == true)
    }

    @Test func oversizedBodyIsRefused() throws {
        var framer = SIPStreamFramer(limits: SIPLimits(maxStreamBodySize: 10))
        framer.append(crlf("MESSAGE sip:a@example.com SIP/2.0", "Content-Length: 11", "", ""))
        #expect {
            try framer.nextMessage()
        } throws: { error in
            (error as? SIPParseError)?.statusCode == 413
        }
    }
}
