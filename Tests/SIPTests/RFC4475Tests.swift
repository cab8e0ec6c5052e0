import Testing

@testable import SIP

/// What RFC 4475 (via INDEX.md) asks of each message.
struct TortureCase: CustomTestStringConvertible, Sendable {
    enum Outcome: Sendable {
        /// Parses and validates.
        case valid
        /// The datagram parser throws.
        case parseError(status: Int, reasonContains: String)
        /// Parses, but `validate()` throws.
        case validationError(status: Int, reasonContains: String)
        /// A response that must be dropped (parse or validation fails with `shouldDrop`).
        case drop
        /// No expectation but not crashing (test.dat, not described by the RFC).
        case rejectedSomehow
    }

    var name: String
    var outcome: Outcome

    var testDescription: String { name }

    static let all: [TortureCase] = {
        var cases = RFC4475.validNames.map { TortureCase(name: $0, outcome: .valid) }
        cases += [
            TortureCase(name: "badinv01", outcome: .validationError(status: 400, reasonContains: "Via")),
            TortureCase(name: "clerr", outcome: .parseError(status: 400, reasonContains: "Content-Length")),
            TortureCase(name: "ncl", outcome: .parseError(status: 400, reasonContains: "Content-Length")),
            TortureCase(name: "scalar02", outcome: .validationError(status: 400, reasonContains: "CSeq")),
            TortureCase(name: "scalarlg", outcome: .drop),
            TortureCase(
                name: "quotbal", outcome: .validationError(status: 400, reasonContains: "To: unterminated quoted")),
            TortureCase(name: "ltgtruri", outcome: .parseError(status: 400, reasonContains: "<>")),
            TortureCase(name: "lwsruri", outcome: .parseError(status: 400, reasonContains: "whitespace")),
            TortureCase(name: "lwsstart", outcome: .parseError(status: 400, reasonContains: "whitespace")),
            TortureCase(name: "trws", outcome: .parseError(status: 400, reasonContains: "whitespace")),
            TortureCase(name: "escruri", outcome: .validationError(status: 400, reasonContains: "Request-URI")),
            TortureCase(name: "regbadct", outcome: .validationError(status: 400, reasonContains: "Contact")),
            TortureCase(
                name: "badaspec", outcome: .validationError(status: 400, reasonContains: "spaces within addr-spec")),
            TortureCase(name: "baddn", outcome: .validationError(status: 400, reasonContains: "display name")),
            TortureCase(name: "badvers", outcome: .parseError(status: 505, reasonContains: "SIP/7.0")),
            TortureCase(name: "mismatch01", outcome: .validationError(status: 400, reasonContains: "CSeq")),
            TortureCase(name: "mismatch02", outcome: .validationError(status: 400, reasonContains: "CSeq")),
            TortureCase(name: "bigcode", outcome: .drop),
            TortureCase(name: "insuf", outcome: .validationError(status: 400, reasonContains: "Missing header")),
            TortureCase(name: "multi01", outcome: .validationError(status: 400, reasonContains: "more than once")),
            TortureCase(name: "mcl01", outcome: .parseError(status: 400, reasonContains: "Content-Length")),
            TortureCase(name: "test", outcome: .rejectedSomehow),
        ]
        return cases
    }()
}

@Suite("RFC 4475 torture messages")
struct RFC4475Tests {
    @Test func everyArchiveFileHasAnExpectation() {
        #expect(Set(TortureCase.all.map(\.name)) == Set(RFC4475.allNames))
        #expect(TortureCase.all.count == 50)
    }

    @Test(arguments: TortureCase.all)
    func torture(_ test: TortureCase) throws {
        let bytes = try RFC4475.bytes(test.name)
        let parsed = Result { () throws(SIPParseError) in try SIPMessageParser.parseDatagram(bytes) }
        switch test.outcome {
        case .valid:
            let message = try parsed.get()
            try message.validate()
        case .parseError(let status, let reason):
            guard case .failure(let error) = parsed else {
                Issue.record("\(test.name) parsed")
                return
            }
            #expect(error.statusCode == status)
            #expect(error.reason.contains(reason), "reason: \(error.reason)")
            #expect(error.isRequest == true)
            #expect(!error.shouldDrop)
            // Enough to build the answer (RFC 3261 §8.2.6.2).
            #expect(error.headers?.contains("Via") == true)
        case .validationError(let status, let reason):
            let message = try parsed.get()
            #expect(throws: SIPParseError.self) { try message.validate() }
            do {
                try message.validate()
            } catch {
                #expect(error.statusCode == status)
                #expect(error.reason.contains(reason), "reason: \(error.reason)")
                #expect(error.isRequest == true)
                #expect(error.headers == message.headers)
            }
        case .drop:
            do {
                let message = try parsed.get()
                try message.validate()
                Issue.record("\(test.name) was accepted")
            } catch {
                #expect(error.shouldDrop)
                #expect(error.isRequest == false)
            }
        case .rejectedSomehow:
            let result = Result { () throws(SIPParseError) in try parsed.get().validate() }
            if case .failure(let error) = result {
                #expect(!error.reason.isEmpty)
            } else {
                Issue.record("\(test.name) was accepted")
            }
        }
    }

    // MARK: Typed facts of the valid messages

    @Test func wsinvFoldingAndOddSpacing() throws {
        let request = try RFC4475.request("wsinv")
        #expect(request.uri.parameters == [SIPParameter("unknownparam")])
        let to = try request.headers.to()
        #expect(to.tag == "1918181833n")
        #expect(to.uri.user == "vivekg")
        let from = try request.headers.from()
        #expect(from.displayName == #"J Rosenberg \""#)
        #expect(from.tag == "98asjd8")
        #expect(try request.headers.maxForwards() == 68)
        #expect(try request.headers.cseq() == SIPCSeq(sequence: 9, method: .invite))
        #expect(request.headers["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(request.headers["UnknownHeaderWithUnusualValue"] == ";;,,;;,;")
        #expect(request.headers["Subject"] == "")
        let vias = try request.headers.vias()
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.branch) == ["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"])
        #expect(vias[2].host == "192.168.255.111")
        guard case .addresses(let contacts) = try request.headers.contacts() else {
            Issue.record("wildcard")
            return
        }
        #expect(contacts.count == 1)
        #expect(contacts[0].displayName == #"Quoted string """#)
        #expect(contacts[0].parameter("newparam") == .some("newvalue"))
        #expect(contacts[0].parameter("secondparam") == .some(nil))
        #expect(contacts[0].parameter("q") == .some("0.33"))
        let route = try request.headers.addresses("Route")
        #expect(route.first?.uri.parameter("unknownwith") == .some("value"))
        #expect(request.body.count == 150)
    }

    @Test func intmethUnknownMethodAndRawOctets() throws {
        let request = try RFC4475.request("intmeth")
        #expect(request.method == .other("!interesting-Method0123456789_*+`.%indeed'~"))
        #expect(request.uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(request.uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        let to = try request.headers.to()
        #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
        let from = try request.headers.from()
        #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
        #expect(from.tag == "_token~1'+`*%!-.")
        #expect(try request.headers.cseq().method == request.method)
        #expect(request.headers["extensionHeader-!.%*+_`'~"]?.hasPrefix("\u{FEFF}") == true)
    }

    @Test func esc01UserPartIsUnescaped() throws {
        let request = try RFC4475.request("esc01")
        #expect(request.uri.user == "sips:user@example.com")
        #expect(request.uri.host == "example.net")
        #expect(try request.headers.to().uri.user == "user")
        #expect(try request.headers.from().uri.user == "I have spaces")
        let contact = try #require(try request.headers.contacts().addresses.first)
        #expect(contact.uri.user == "caller")
        #expect(contact.uri.parameter("lr") == .some(nil))
        // RFC 4475 §3.1.1.3: no recursive unescaping.
        #expect(contact.uri.parameter("name") == .some("value%41"))
        #expect(try request.headers.contentType()?.essence == "application/sdp")
    }

    @Test func escnullKeepsTwoContacts() throws {
        let request = try RFC4475.request("escnull")
        let users = try request.headers.contacts().addresses.map(\.uri.user)
        #expect(users == ["\u{0}", "\u{0}\u{0}"])
    }

    @Test func esc02PercentOutsideURIsIsLiteral() throws {
        let request = try RFC4475.request("esc02")
        #expect(request.method == .other("RE%47IST%45R"))
        #expect(try request.headers.contacts().addresses.count == 2)
        #expect(request.headers["C%6Fntact"] != nil)
        #expect(try request.headers.from().displayName == "%Z%45")
    }

    @Test func lwsdispAcceptsNameGluedToBracket() throws {
        let request = try RFC4475.request("lwsdisp")
        let from = try request.headers.from()
        #expect(from.displayName == "caller")
        #expect(from.uri.user == "caller")
        #expect(from.tag == "323")
    }

    @Test func longreqHas34Vias() throws {
        let request = try RFC4475.request("longreq")
        #expect(try request.headers.vias().count == 34)
        let from = try request.headers.from()
        #expect(from.tag?.utf8.count == 155)
        #expect(from.uri.user?.hasPrefix("amazinglylongcallername") == true)
        let to = try request.headers.to()
        #expect(to.displayName?.hasSuffix("extreme proportion") == true)
        #expect(to.uri.port == 6000)
    }

    @Test func dblreqIgnoresTrailingOctets() throws {
        let bytes = try RFC4475.bytes("dblreq")
        let request = try RFC4475.request("dblreq")
        #expect(request.method == .register)
        #expect(request.body.isEmpty)
        #expect(bytes.count - request.serialized.count > 400)
        #expect(!request.serialized.contains(contentsOf: Array("INVITE".utf8)))
    }

    @Test func semiuriUserHasSemicolon() throws {
        let request = try RFC4475.request("semiuri")
        #expect(request.uri.user == "user;par=u@example.net")
        #expect(request.uri.host == "example.com")
        #expect(request.uri.parameters.isEmpty)
        #expect(
            try request.headers.optionTags("Accept") == [
                "application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed", "message/sip",
                "message/sipfrag",
            ])
    }

    @Test func transportsAreUppercasedTokens() throws {
        let request = try RFC4475.request("transports")
        #expect(try request.headers.vias().map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
        #expect(try request.headers.topVia().host == "t1.example.com")
    }

    @Test func mpart01BinaryPart() throws {
        let request = try RFC4475.request("mpart01")
        #expect(request.body.count == 553)
        let type = try #require(try request.headers.contentType())
        #expect(type.essence == "multipart/mixed")
        let boundary = try #require(type.parameter("boundary"))
        let multipart = try SIPMultipartBody(parsing: request.body, boundary: boundary)
        #expect(multipart.parts.count == 2)
        #expect(multipart.parts[0].headers["Content-Type"] == "text/plain")
        #expect(multipart.parts[0].body == Array("Hello".utf8))
        #expect(multipart.parts[1].headers["Content-Type"] == "application/octet-stream")
        #expect(multipart.parts[1].body.contains(0x00))
        #expect(multipart.parts[1].body.first == 0x30)
        #expect(try request.headers.topVia().rport == .requested)
    }

    @Test func unreasonKeepsUTF8Reason() throws {
        guard case .response(let response) = try RFC4475.message("unreason") else {
            Issue.record("not a response")
            return
        }
        #expect(response.statusCode == 200)
        #expect(response.reasonPhrase.hasPrefix("= 2**3 * 5**2 "))
        #expect(response.reasonPhrase.hasSuffix("- простое"))
    }

    @Test func noreasonHasEmptyReason() throws {
        guard case .response(let response) = try RFC4475.message("noreason") else {
            Issue.record("not a response")
            return
        }
        #expect(response.statusCode == 100)
        #expect(response.reasonPhrase == "")
    }

    @Test func inv2543BodyWithoutContentLength() throws {
        let request = try RFC4475.request("inv2543")
        #expect(request.headers.contains("Content-Length") == false)
        #expect(request.body.count == 105)
        #expect(try request.headers.topVia().branch == nil)
        #expect(try request.headers.from().tag == nil)
        #expect(try request.headers.maxForwards() == nil)
    }

    @Test func cparam01ParamBelongsToHeader() throws {
        let request = try RFC4475.request("cparam01")
        let contact = try #require(try request.headers.contacts().addresses.first)
        #expect(contact.parameter("unknownparam") == .some(nil))
        #expect(contact.uri.parameters.isEmpty)
    }

    @Test func cparam02ParamBelongsToURI() throws {
        let request = try RFC4475.request("cparam02")
        let contact = try #require(try request.headers.contacts().addresses.first)
        #expect(contact.parameters.isEmpty)
        #expect(contact.uri.parameter("unknownparam") == .some(nil))
    }

    @Test func regescrtURIHeader() throws {
        let request = try RFC4475.request("regescrt")
        let contact = try #require(try request.headers.contacts().addresses.first)
        #expect(contact.uri.headers == [SIPParameter("Route", "<sip:sip.example.com>")])
        #expect(contact.uri.description == "sip:user@example.com?Route=%3Csip:sip.example.com%3E")
    }

    @Test func applicationLayerFactsAreAtHand() throws {
        #expect(try RFC4475.request("unkscm").uri.scheme == .other("nobodyKnowsThisScheme"))
        #expect(try RFC4475.request("novelsc").uri.scheme == .other("soap.beep"))
        let unksm2 = try RFC4475.request("unksm2")
        #expect(try unksm2.headers.to().uri.scheme == .other("isbn"))
        let bext = try RFC4475.request("bext01")
        #expect(try bext.headers.optionTags("Require") == ["nothingSupportsThis", "nothingSupportsThisEither"])
        #expect(try bext.headers.optionTags("Proxy-Require") == ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"])
        #expect(try RFC4475.request("invut").headers.contentType()?.essence == "application/unknownformat")
        #expect(try RFC4475.request("zeromf").headers.maxForwards() == 0)
        #expect(try RFC4475.request("badbranch").headers.topVia().branch == "z9hG4bK")
        #expect(try RFC4475.request("sdp01").headers.optionTags("Accept") == ["text/nobodyKnowsThis"])
    }

    @Test func mismatch02LeavesTheChoiceOf501ToTheUA() throws {
        let request = try RFC4475.request("mismatch02")
        #expect {
            try request.validate()
        } throws: { error in
            (error as? SIPParseError)?.kind == .unknownMethodMismatch
        }
        let known = try RFC4475.request("mismatch01")
        #expect {
            try known.validate()
        } throws: { error in
            (error as? SIPParseError)?.kind == .methodMismatch
        }
    }

    @Test func scalarsAreReported() throws {
        let scalar02 = try RFC4475.request("scalar02")
        #expect(throws: SIPParseError.badHeader("CSeq", "sequence number above 2**31")) { try scalar02.headers.cseq() }
        #expect(throws: SIPParseError.self) { try scalar02.headers.maxForwards() }
        #expect(throws: SIPParseError.self) { try scalar02.headers.expires() }
        guard case .response(let response) = try RFC4475.message("scalarlg") else {
            Issue.record("not a response")
            return
        }
        #expect(throws: SIPParseError.self) { try response.headers.cseq() }
    }

    @Test func bigcodeIsDropped() throws {
        #expect {
            try RFC4475.message("bigcode")
        } throws: { error in
            let error = error as? SIPParseError
            return error?.kind == .invalidStatusCode && error?.shouldDrop == true
        }
    }

    @Test func baddnWithoutFinalEmptyLineDoesNotHang() throws {
        let bytes = try RFC4475.bytes("baddn")
        #expect(bytes.count == 331)
        let message = try SIPMessageParser.parseDatagram(bytes)
        #expect(message.body.isEmpty)
        // On a stream it is simply incomplete.
        var framer = SIPStreamFramer()
        framer.append(bytes)
        #expect(try framer.nextMessage() == nil)
    }
}

extension Array where Element == UInt8 {
    func contains(contentsOf needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
