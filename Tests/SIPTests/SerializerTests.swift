import Testing

@testable import SIP

@Suite("Serializer")
struct SerializerTests {
    @Test func canonicalRequest() {
        var headers = SIPHeaders()
        headers.add("v", "SIP/2.0/UDP host.example.com;branch=z9hG4bK1")
        headers.add("l", "999")
        headers.add("f", "<sip:a@example.com>;tag=1")
        headers.add("t", "<sip:b@example.com>")
        headers.add("i", "call-1")
        headers.add("cseq", "1 INVITE")
        headers.add("X-Thing", "kept")
        headers.add("Content-Length", "5")
        let request = SIPRequest(
            method: .invite, uri: SIPURI(scheme: .sip, user: "b", host: "example.com"), headers: headers,
            body: Array("hello".utf8))
        let expected =
            "INVITE sip:b@example.com SIP/2.0\r\n" + "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1\r\n"
            + "Content-Length: 5\r\n" + "From: <sip:a@example.com>;tag=1\r\n" + "To: <sip:b@example.com>\r\n"
            + "Call-ID: call-1\r\n" + "CSeq: 1 INVITE\r\n" + "X-Thing: kept\r\n" + "\r\n" + "hello"
        #expect(String(decoding: request.serialized, as: UTF8.self) == expected)
    }

    @Test func contentLengthAddedLastWhenAbsent() {
        let response = SIPResponse(statusCode: 180, headers: ["Call-ID": "x"])
        #expect(
            String(decoding: response.serialized, as: UTF8.self)
                == "SIP/2.0 180 Ringing\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func serializeAppendsToCallersBuffer() {
        var buffer: [UInt8] = [0x41]
        SIPMessage.response(SIPResponse(statusCode: 200)).serialize(into: &buffer)
        #expect(buffer.first == 0x41)
        #expect(buffer.dropFirst().elementsEqual("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n".utf8))
    }

    @Test func valuesCannotInjectLines() throws {
        var response = SIPResponse(statusCode: 200, reasonPhrase: "OK\r\nEvil: 1")
        response.headers.add("Subject", "a\r\nEvil: 2")
        let parsed = try SIPMessageParser.parseDatagram(response.serialized)
        #expect(parsed.headers["Evil"] == nil)
    }

    /// parse → serialize → parse gives the same message, up to the canonical header names and
    /// the Content-Length the serializer computes; a second serialization is byte-identical.
    @Test(arguments: RFC4475.validNames)
    func roundTrip(_ name: String) throws {
        let first = try RFC4475.message(name)
        let bytes = first.serialized
        let second = try SIPMessageParser.parseDatagram(bytes)
        try second.validate()
        #expect(second.serialized == bytes)
        #expect(normalized(second) == normalized(first))
    }

    private func normalized(_ message: SIPMessage) -> [SIPHeaderField] {
        message.headers.fields
            .filter { SIPHeaders.canonicalName($0.name) != "content-length" }
            .map { SIPHeaderField(name: SIPHeaders.standardName($0.name), value: $0.value) }
    }

    @Test func roundTripKeepsTypedValues() throws {
        let request = try RFC4475.request("esc01")
        guard case .request(let again) = try SIPMessageParser.parseDatagram(request.serialized) else {
            Issue.record("not a request")
            return
        }
        #expect(again.uri == request.uri)
        #expect(again.method == request.method)
        #expect(again.body == request.body)
        #expect(try again.headers.contacts() == request.headers.contacts())
    }
}
