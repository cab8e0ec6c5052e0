import Foundation
import SIP
import Testing

@testable import Calls

/// Every RFC 4475 torture message through the user agent (the gateway as an endpoint, UAS),
/// each with the final answer the RFC asks for. Where RFC 4475 leaves a choice ("may reject as
/// malformed, or be liberal"), both answers are listed. Responses are never answered.
@Suite struct RFC4475UserAgentTests {
    struct Expectation: CustomStringConvertible, Sendable {
        let file: String
        /// Acceptable final statuses; empty means the message must be dropped without a response.
        let statuses: Set<Int>
        let why: String
        var description: String { file }
    }

    static let expectations: [Expectation] = [
        // §3.1.1 valid messages: parsed, then answered as an endpoint would.
        .init(file: "wsinv.dat", statuses: [481], why: "well-formed; its To tag names a dialog we do not have"),
        .init(file: "intmeth.dat", statuses: [501], why: "unknown method → 501 with Allow"),
        .init(file: "esc01.dat", statuses: [404], why: "user part sips:user@example.com is not one of our numbers"),
        .init(file: "escnull.dat", statuses: [405], why: "REGISTER at a non-registrar → 405 with Allow"),
        .init(file: "esc02.dat", statuses: [501], why: "RE%47IST%45R is an unknown method, not REGISTER"),
        .init(file: "lwsdisp.dat", statuses: [200], why: "OPTIONS"),
        .init(file: "longreq.dat", statuses: [404], why: "long values parse; the number is unknown"),
        .init(file: "dblreq.dat", statuses: [405], why: "the REGISTER is handled, trailing octets ignored"),
        .init(file: "semiuri.dat", statuses: [200], why: "OPTIONS"),
        .init(file: "transports.dat", statuses: [200], why: "OPTIONS"),
        .init(file: "mpart01.dat", statuses: [405], why: "MESSAGE is known but not served here"),
        .init(file: "unreason.dat", statuses: [], why: "a response matching no transaction is dropped"),
        .init(file: "noreason.dat", statuses: [], why: "a response matching no transaction is dropped"),
        // §3.1.2 invalid messages.
        .init(file: "badinv01.dat", statuses: [400], why: "extraneous separators"),
        .init(file: "clerr.dat", statuses: [400], why: "Content-Length larger than the datagram"),
        .init(file: "ncl.dat", statuses: [400], why: "negative Content-Length"),
        .init(file: "scalar02.dat", statuses: [400], why: "CSeq above 2**31"),
        .init(file: "scalarlg.dat", statuses: [], why: "a response with overlarge values is discarded"),
        .init(file: "quotbal.dat", statuses: [400], why: "unterminated quoted string"),
        .init(file: "ltgtruri.dat", statuses: [400, 404], why: "<> around the Request-URI: reject, or ignore them"),
        .init(file: "lwsruri.dat", statuses: [400, 404], why: "LWS inside the Request-URI"),
        .init(file: "lwsstart.dat", statuses: [400, 404], why: "extra SP in the request line: reject, or be liberal"),
        .init(file: "trws.dat", statuses: [400, 200], why: "trailing SP in the request line: reject, or be liberal"),
        .init(file: "escruri.dat", statuses: [400, 404], why: "escaped headers in the Request-URI"),
        .init(file: "baddate.dat", statuses: [400, 404], why: "non-GMT Date: reject, or ignore the Date"),
        .init(file: "regbadct.dat", statuses: [400, 405], why: "name-addr without <>: reject, or infer them"),
        .init(file: "badaspec.dat", statuses: [400, 404], why: "spaces within addr-spec"),
        .init(file: "baddn.dat", statuses: [400], why: "non-token characters in display names"),
        .init(file: "badvers.dat", statuses: [505], why: "SIP/7.0"),
        .init(file: "mismatch01.dat", statuses: [400], why: "CSeq method differs from the request method"),
        .init(file: "mismatch02.dat", statuses: [501], why: "unknown method with a CSeq mismatch: 501 preferred"),
        .init(file: "bigcode.dat", statuses: [], why: "a response code above 699 is dropped"),
        // §3.2 transaction layer.
        .init(file: "badbranch.dat", statuses: [200, 400], why: "branch is only the magic cookie: RFC 2543 matching, or 400"),
        // §3.3 application layer.
        .init(file: "insuf.dat", statuses: [400], why: "missing Call-ID, From and To"),
        .init(file: "unkscm.dat", statuses: [416], why: "unknown Request-URI scheme"),
        .init(file: "novelsc.dat", statuses: [416], why: "soap.beep URIs are never meaningful here"),
        .init(file: "unksm2.dat", statuses: [405], why: "REGISTER at a non-registrar"),
        .init(file: "bext01.dat", statuses: [420], why: "Require with unsupported options → 420 with Unsupported"),
        .init(file: "invut.dat", statuses: [415], why: "unknown Content-Type → 415 with Accept"),
        .init(file: "regaut01.dat", statuses: [405], why: "REGISTER at an endpoint that is not a registrar → 405"),
        .init(file: "multi01.dat", statuses: [400], why: "multiple values in single-value headers"),
        .init(file: "mcl01.dat", statuses: [400], why: "two Content-Length values"),
        .init(file: "bcast.dat", statuses: [], why: "a 200 with a broadcast Via matching nothing is discarded"),
        .init(file: "zeromf.dat", statuses: [200], why: "Max-Forwards 0 at an endpoint: OPTIONS is answered"),
        .init(file: "cparam01.dat", statuses: [405], why: "REGISTER at a non-registrar"),
        .init(file: "cparam02.dat", statuses: [405], why: "REGISTER at a non-registrar"),
        .init(file: "regescrt.dat", statuses: [405], why: "REGISTER at a non-registrar"),
        .init(file: "sdp01.dat", statuses: [406], why: "Accept without application/sdp → 406 with Warning 399"),
        // §3.4 backward compatibility.
        .init(file: "inv2543.dat", statuses: [404], why: "RFC 2543 INVITE accepted; the number is unknown"),
    ]

    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SIPTests/Vectors/RFC4475")

    @Test(arguments: expectations)
    func answersAsTheRFCSays(_ expectation: Expectation) throws {
        let bytes = Array(try Data(contentsOf: Self.vectors.appendingPathComponent(expectation.file)))
        var harness = UserAgentHarness()
        let actions = harness.receive(bytes: bytes)
        let finals = actions.statuses.filter { $0 >= 200 }
        if expectation.statuses.isEmpty {
            #expect(actions.statuses.isEmpty, "\(expectation.file) must be dropped (\(expectation.why)), got \(actions.statuses)")
        } else {
            #expect(
                finals.count == 1 && expectation.statuses.contains(finals[0]),
                "\(expectation.file): \(expectation.why); got \(actions.statuses)")
        }
        // The answers the RFC asks to carry more than a status.
        let response = actions.responses.last
        switch expectation.file {
        case "intmeth.dat", "esc02.dat", "mismatch02.dat", "escnull.dat":
            #expect(response?.headers["Allow"] == "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, PRACK")
        case "bext01.dat":
            #expect(response?.headers["Unsupported"] == "nothingSupportsThis, nothingSupportsThisEither")
        case "invut.dat":
            #expect(response?.headers["Accept"] == "application/sdp, multipart/mixed")
        case "sdp01.dat":
            #expect(response?.headers["Warning"]?.hasPrefix("399 ") == true)
        default:
            break
        }
        if let response, response.statusCode == 400 {
            #expect(
                response.reasonPhrase != "Bad Request" && !response.reasonPhrase.isEmpty, "a 400 names the problem: \(expectation.file)")
        }
        // And nothing was kept: no call, whatever the message.
        #expect(harness.userAgent.activeCalls.isEmpty)
    }

    /// The archive's extra file has no expected behaviour; it must only not crash.
    @Test func extraArchiveFileDoesNotCrash() throws {
        var harness = UserAgentHarness()
        _ = harness.receive(bytes: Array(try Data(contentsOf: Self.vectors.appendingPathComponent("test.dat"))))
    }

    @Test func everyDocumentedFileHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.vectors.path).filter {
            $0.hasSuffix(".dat") && $0 != "test.dat"
        }
        #expect(Set(files) == Set(Self.expectations.map(\.file)))
    }
}
