import Testing

@testable import SIP

@Suite("SIPURI")
struct URITests {
    @Test func fullSIPURI() throws {
        let uri = try SIPURI(
            parsing: "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi%20there&Priority=urgent")
        #expect(uri.scheme == .sips)
        #expect(uri.user == "alice")
        #expect(uri.password == "secret")
        #expect(uri.host == "2001:db8::1")
        #expect(uri.port == 5061)
        #expect(uri.parameters == [SIPParameter("transport", "tcp"), SIPParameter("lr")])
        #expect(uri.headers == [SIPParameter("Subject", "hi there"), SIPParameter("Priority", "urgent")])
        #expect(uri.hostPort == "[2001:db8::1]:5061")
        #expect(
            uri.description
                == "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?Subject=hi%20there&Priority=urgent")
    }

    @Test func schemeIsCaseInsensitive() throws {
        #expect(try SIPURI(parsing: "SIP:bob@example.com").scheme == .sip)
        #expect(try SIPURI(parsing: "SIP:bob@example.com").description == "sip:bob@example.com")
    }

    @Test func telURI() throws {
        let uri = try SIPURI(parsing: "tel:+1-201-555-0123;phone-context=example.com")
        #expect(uri.scheme == .tel)
        #expect(uri.user == "+1-201-555-0123")
        #expect(uri.parameter("phone-context") == .some("example.com"))
        #expect(uri.description == "tel:+1-201-555-0123;phone-context=example.com")
    }

    @Test func opaqueScheme() throws {
        let uri = try SIPURI(parsing: Substring("urn:service:sos"))
        #expect(uri.scheme == .other("urn"))
        #expect(uri.opaque == "service:sos")
        #expect(uri.description == "urn:service:sos")
    }

    @Test func escapesRoundTrip() throws {
        let uri = SIPURI(scheme: .sip, user: "a b@c;d", host: "example.com", parameters: [SIPParameter("x", "1 2")])
        #expect(uri.description == "sip:a%20b%40c;d@example.com;x=1%202")
        #expect(try SIPURI(parsing: uri.description) == uri)
    }

    @Test(arguments: [
        "", "sip:", "sip:@example.com", "sip:host:99999", "sip:host:", "sip:[::1", "sip:ho st", "1sip:x", "sip:a%4@h",
        "sip:host;", "sip:host;=v", "tel:", "mailto", "sip:a@h?=x", "sip:h<>",
    ])
    func malformed(_ text: String) {
        #expect(throws: SIPParseError.self) { try SIPURI(parsing: text) }
    }

    @Test func hostPortWithoutPort() throws {
        #expect(try SIPURI(parsing: "sip:example.com").hostPort == "example.com")
        #expect(try SIPURI(parsing: "sip:192.0.2.1:5060").port == 5060)
    }
}
