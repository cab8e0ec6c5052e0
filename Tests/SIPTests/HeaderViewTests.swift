import Testing

@testable import SIP

@Suite("Typed header views")
struct HeaderViewTests {
    @Test func viaFields() throws {
        let via = try SIPVia(
            parsing: "SIP/2.0/udp [2001:db8::9]:5070 ;branch=z9hG4bK776asdhds ;received=192.0.2.1;rport=5071")
        #expect(via.transport == "UDP")
        #expect(via.host == "2001:db8::9")
        #expect(via.port == 5070)
        #expect(via.sentBy == "[2001:db8::9]:5070")
        #expect(via.branch == "z9hG4bK776asdhds")
        #expect(via.received == "192.0.2.1")
        #expect(via.rport == .value(5071))
        #expect(
            via.description == "SIP/2.0/UDP [2001:db8::9]:5070;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5071")
        #expect(try SIPVia(parsing: via.description) == via)
    }

    @Test func viaSetters() {
        var via = SIPVia(transport: "tcp", host: "example.com")
        via.branch = "z9hG4bK1"
        via.rport = .requested
        #expect(via.description == "SIP/2.0/TCP example.com;branch=z9hG4bK1;rport")
        via.received = "192.0.2.7"
        via.rport = .value(4000)
        #expect(via.description == "SIP/2.0/TCP example.com;branch=z9hG4bK1;rport=4000;received=192.0.2.7")
        via.rport = .absent
        via.branch = nil
        #expect(via.description == "SIP/2.0/TCP example.com;received=192.0.2.7")
    }

    @Test func severalViasOnOneLine() throws {
        let vias = try SIPVia.parseList("SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5062")
        #expect(vias.map(\.host) == ["a.example.com", "b.example.com"])
        #expect(vias[1].port == 5062)
    }

    @Test(arguments: ["SIP/3.0/UDP host", "SIP/2.0 host", "SIP/2.0/UDP", "SIP/2.0/UDP host;", "SIP/2.0/UDP host:x"])
    func badVia(_ text: String) {
        #expect(throws: SIPParseError.self) { try SIPVia(parsing: text) }
    }

    @Test func nameAddressForms() throws {
        let quoted = try SIPNameAddress(parsing: #""Alice \"A\" Smith" <sip:alice@example.com;transport=tcp>;tag=1234"#)
        #expect(quoted.displayName == #"Alice "A" Smith"#)
        #expect(quoted.uri.parameter("transport") == .some("tcp"))
        #expect(quoted.tag == "1234")
        #expect(quoted.description == #""Alice \"A\" Smith" <sip:alice@example.com;transport=tcp>;tag=1234"#)
        #expect(try SIPNameAddress(parsing: quoted.description) == quoted)

        let tokens = try SIPNameAddress(parsing: "Bob  Jones <sip:bob@example.com>")
        #expect(tokens.displayName == "Bob Jones")

        let spec = try SIPNameAddress(parsing: "sip:carol@example.com;tag=99")
        #expect(spec.displayName == nil)
        #expect(spec.uri.parameters.isEmpty)
        #expect(spec.tag == "99")
    }

    @Test(arguments: [
        "\"unterminated <sip:a@b>", "Bell, Alexander <sip:a@b>", "< sip:a@b>", "<sip:a@b", "sip:a@b?x=y", "",
        "\"x\" sip:a@b",
    ])
    func badNameAddress(_ text: String) {
        #expect(throws: SIPParseError.self) { try SIPNameAddress(parsing: text, header: "To") }
    }

    @Test func contacts() throws {
        var headers = SIPHeaders()
        headers.add("Contact", "*")
        #expect(try headers.contacts() == .wildcard)
        headers.add("m", "<sip:a@b>")
        #expect(throws: SIPParseError.self) { try headers.contacts() }
        var list = SIPHeaders()
        list.add("Contact", #""A, B" <sip:a@b;x=1,2>, <sip:c@d>;expires=60"#)
        list.add("m", "sip:e@f")
        let addresses = try list.contacts().addresses
        #expect(addresses.map(\.uri.host) == ["b", "d", "f"])
        #expect(addresses[0].displayName == "A, B")
        #expect(addresses[1].parameter("expires") == .some("60"))
        #expect(try SIPHeaders().contacts() == .addresses([]))
    }

    @Test func cseq() throws {
        #expect(try SIPCSeq(parsing: "0009 INVITE") == SIPCSeq(sequence: 9, method: .invite))
        #expect(try SIPCSeq(parsing: "2147483647 BYE").sequence == 2_147_483_647)
        #expect(throws: SIPParseError.badHeader("CSeq", "sequence number above 2**31")) {
            try SIPCSeq(parsing: "2147483648 BYE")
        }
        #expect(throws: SIPParseError.self) { try SIPCSeq(parsing: "INVITE") }
        #expect(throws: SIPParseError.self) { try SIPCSeq(parsing: "1INVITE") }
        #expect(throws: SIPParseError.self) { try SIPCSeq(parsing: "1 INV ITE") }
        #expect(SIPCSeq(sequence: 5, method: .ack).description == "5 ACK")
    }

    @Test func scalarAccessors() throws {
        let headers: SIPHeaders = ["Max-Forwards": "070", "l": "0012", "Expires": "3600", "Call-ID": "abc@host"]
        #expect(try headers.maxForwards() == 70)
        #expect(try headers.contentLength() == 12)
        #expect(try headers.expires() == 3600)
        #expect(try headers.callID() == "abc@host")
        let bad: SIPHeaders = ["Max-Forwards": "256", "Content-Length": "-1", "Expires": "4294967296"]
        #expect(throws: SIPParseError.self) { try bad.maxForwards() }
        #expect(throws: SIPParseError.self) { try bad.contentLength() }
        #expect(throws: SIPParseError.self) { try bad.expires() }
        #expect(throws: SIPParseError(.missingHeader("Call-ID"), "Missing header: Call-ID")) { try bad.callID() }
        #expect(try bad.contentType() == nil)
    }

    @Test func optionTagsOverSeveralLines() throws {
        var headers = SIPHeaders()
        headers.add("Supported", "timer, 100rel")
        headers.add("k", "replaces,,")
        headers.add("Allow", "INVITE, ACK")
        #expect(try headers.optionTags("Supported") == ["timer", "100rel", "replaces"])
        #expect(try headers.optionTags("Require") == [])
        #expect(try headers.optionTags("allow") == ["INVITE", "ACK"])
    }

    @Test func mediaType() throws {
        let type = try SIPMediaType(parsing: #"Multipart/Mixed ; boundary="a b";charset=utf-8"#)
        #expect(type.essence == "multipart/mixed")
        #expect(type.parameter("boundary") == "a b")
        #expect(type.parameter("charset") == "utf-8")
        #expect(throws: SIPParseError.self) { try SIPMediaType(parsing: "sdp") }
    }

    @Test func standardNames() {
        #expect(SIPHeaders.standardName("v") == "Via")
        #expect(SIPHeaders.standardName("CALL-ID") == "Call-ID")
        #expect(SIPHeaders.standardName("cseq") == "CSeq")
        #expect(SIPHeaders.standardName("www-authenticate") == "WWW-Authenticate")
        #expect(SIPHeaders.standardName("X-Custom-thing") == "X-Custom-thing")
        #expect(SIPHeaders.standardName("Via") == "Via")
        #expect(SIPHeaders.standardName("Session-Expires") == "Session-Expires")
    }

    /// The lookups' name match (no lower-cased copies) answers as comparing canonical names would.
    @Test func nameMatchAgreesWithCanonicalNames() {
        let written = [
            "Via", "VIA", "via", "v", "V", "i", "Call-ID", "call-id", "CALL-ID", "Call-Id", "x", "Session-Expires",
            "CSeq", "cseq", "To", "t", "T", "Tó", "Toe", "", "X-Custom", "x-custom", "Content-Length", "l", "L",
            "Record-Route", "record-routE", "Max-Forwards", "max_forwards",
        ]
        let keys = [
            "via", "call-id", "session-expires", "cseq", "to", "x-custom", "content-length", "record-route", "max-forwards", "from",
        ]
        for name in written {
            for key in keys {
                #expect(SIPHeaders.name(name, is: key) == (SIPHeaders.canonicalName(name) == key), "\(name) vs \(key)")
            }
        }
        let headers: SIPHeaders = ["v": "SIP/2.0/UDP a", "VIA": "SIP/2.0/UDP b", "Call-Id": "c1", "l": "0"]
        #expect(headers.values("Via") == ["SIP/2.0/UDP a", "SIP/2.0/UDP b"])
        #expect(headers["call-id"] == "c1")
        #expect(headers["Content-Length"] == "0")
    }
}
