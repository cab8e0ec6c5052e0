import Foundation
import TestSupport
import Testing

@testable import SDP

@Suite struct SDPParserTests {
    static let minimal = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"

    /// The error a body gives, or `nil` if it parses.
    func error(_ text: String) -> SDPParseError? {
        error(Array(text.utf8))
    }

    func error(_ bytes: [UInt8]) -> SDPParseError? {
        do {
            _ = try SessionDescription(parsing: bytes)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Tolerance

    @Test func lfOnlyLineEndsParseLikeCRLF() throws {
        let crlf = Self.minimal + "m=audio 6000 RTP/AVP 0\r\na=sendrecv\r\n"
        let lf = crlf.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(try SessionDescription(parsing: lf) == SessionDescription(parsing: crlf))
    }

    @Test func trailingBlankLinesAndMissingFinalLineEndAreAccepted() throws {
        let base = try SessionDescription(parsing: Self.minimal)
        #expect(try SessionDescription(parsing: Self.minimal + "\r\n\r\n") == base)
        #expect(
            try SessionDescription(parsing: "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0")
                == base)
    }

    @Test func unknownAttributesAreKeptVerbatimInOrder() throws {
        let text =
            Self.minimal
            + "a=X-custom:some value ; with: colons\r\nm=audio 6000 RTP/AVP 0\r\na=zz\r\na=label:1\r\na=empty:\r\n"
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.attributes == [SDPAttribute(name: "X-custom", value: "some value ; with: colons")])
        #expect(
            sdp.media[0].attributes == [
                SDPAttribute(name: "zz"), SDPAttribute(name: "label", value: "1"),
                SDPAttribute(name: "empty", value: ""),
            ])
        #expect(sdp.serialized() == text)
    }

    @Test func multicastConnectionSuffixes() throws {
        let ip4 = try SessionDescription(
            parsing: "v=0\r\no=- 1 1 IN IP4 a\r\ns=x\r\nc=IN IP4 224.2.1.1/127/3\r\nt=0 0\r\n")
        #expect(ip4.connection == SDPConnection(addrType: .ip4, address: "224.2.1.1", ttl: 127, numberOfAddresses: 3))
        let ip6 = try SessionDescription(
            parsing: "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=x\r\nc=IN IP6 ff15::101/3\r\nt=0 0\r\n")
        #expect(ip6.connection == SDPConnection(addrType: .ip6, address: "ff15::101", numberOfAddresses: 3))
        #expect(ip6.origin.addrType == .ip6)
        #expect(ip6.serialized().contains("c=IN IP6 ff15::101/3\r\n"))
    }

    @Test func bandwidthRepeatsAndPortCounts() throws {
        let text =
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=x\r\nb=AS:64\r\nt=10 20\r\nr=7d 1h 0 25h\r\nt=30 40\r\nm=audio 6000/2 RTP/AVP 0\r\nb=TIAS:64000\r\n"
        let sdp = try SessionDescription(parsing: text)
        #expect(sdp.bandwidths == [SDPBandwidth(type: "AS", value: 64)])
        #expect(
            sdp.timings == [SDPTiming(start: 10, stop: 20, repeats: ["7d 1h 0 25h"]), SDPTiming(start: 30, stop: 40)])
        #expect(sdp.media[0].numberOfPorts == 2)
        #expect(sdp.media[0].bandwidths == [SDPBandwidth(type: "TIAS", value: 64000)])
        #expect(sdp.serialized() == text)
    }

    // MARK: - Structure errors, each with its line

    @Test func missingVersion() {
        let failure = error("o=- 1 1 IN IP4 a\r\ns=x\r\nt=0 0\r\n")
        #expect(failure == SDPParseError(line: 1, reason: .versionNotFirst))
    }

    @Test func unsupportedVersion() {
        #expect(error("v=1\r\no=- 1 1 IN IP4 a\r\ns=x\r\nt=0 0\r\n")?.reason == .unsupportedVersion("1"))
    }

    @Test func missingOriginAndSessionName() {
        #expect(error("v=0\r\ns=x\r\nt=0 0\r\n") == SDPParseError(line: 2, reason: .missingLine(type: "o")))
        #expect(
            error("v=0\r\no=- 1 1 IN IP4 a\r\nt=0 0\r\n") == SDPParseError(line: 3, reason: .missingLine(type: "s")))
        #expect(error("v=0\r\no=- 1 1 IN IP4 a\r\n") == SDPParseError(line: 2, reason: .missingLine(type: "s")))
    }

    @Test func missingTiming() {
        let failure = error("v=0\r\no=- 1 1 IN IP4 a\r\ns=x\r\nc=IN IP4 a\r\nm=audio 1 RTP/AVP 0\r\n")
        #expect(failure == SDPParseError(line: 5, reason: .missingLine(type: "t")))
    }

    @Test func spaceAroundEqualsIsMalformed() {
        #expect(error("v = 0\r\n") == SDPParseError(line: 1, reason: .malformedLine))
        #expect(error(Self.minimal + "\r\nm=audio 1 RTP/AVP 0\r\n") == SDPParseError(line: 6, reason: .malformedLine))
    }

    @Test func badMediaPort() {
        let failure = error(Self.minimal + "m=audio abc RTP/AVP 0\r\n")
        #expect(failure == SDPParseError(line: 6, column: 9, reason: .invalidField("port", value: "abc")))
        #expect(error(Self.minimal + "m=audio 65536 RTP/AVP 0\r\n")?.reason == .invalidField("port", value: "65536"))
        #expect(error(Self.minimal + "m=audio -1 RTP/AVP 0\r\n")?.reason == .invalidField("port", value: "-1"))
        #expect(error(Self.minimal + "m=audio +5 RTP/AVP 0\r\n")?.reason == .invalidField("port", value: "+5"))
    }

    @Test func badMediaFormats() {
        #expect(error(Self.minimal + "m=audio 5 RTP/AVP\r\n")?.reason == .missingField("m= format"))
        #expect(
            error(Self.minimal + "m=audio 5 RTP/AVP 0 128\r\n")
                == SDPParseError(
                    line: 6, column: 21, reason: .invalidField("payload type", value: "128")))
        #expect(error(Self.minimal + "m=audio 5 RTP/AVP 0 x\r\n")?.reason == .invalidField("payload type", value: "x"))
    }

    @Test func badOrigin() {
        #expect(
            error("v=0\r\no=- x 1 IN IP4 a\r\ns=x\r\nt=0 0\r\n")
                == SDPParseError(
                    line: 2, column: 5, reason: .invalidField("sess-id", value: "x")))
        #expect(
            error("v=0\r\no=- 1 99999999999999999999 IN IP4 a\r\ns=x\r\nt=0 0\r\n")?.reason
                == .invalidField("sess-version", value: "99999999999999999999"))
        #expect(error("v=0\r\no=- 1 1 IN IP4\r\ns=x\r\nt=0 0\r\n")?.reason == .missingField("o= unicast-address"))
    }

    @Test func misplacedAndRepeatedLines() {
        #expect(
            error("v=0\r\no=- 1 1 IN IP4 a\r\ns=x\r\nr=1 2 3\r\nt=0 0\r\n")
                == SDPParseError(
                    line: 4, reason: .unexpectedLine(type: "r")))
        #expect(error(Self.minimal + "c=IN IP4 b\r\n") == SDPParseError(line: 6, reason: .duplicateLine(type: "c")))
        #expect(
            error(Self.minimal + "m=audio 1 RTP/AVP 0\r\nt=0 0\r\n")
                == SDPParseError(
                    line: 7, reason: .unexpectedLine(type: "t")))
        #expect(error(Self.minimal + "x=1\r\n") == SDPParseError(line: 6, reason: .unknownLineType(type: "x")))
        #expect(error(Self.minimal + "v=0\r\n") == SDPParseError(line: 6, reason: .duplicateLine(type: "v")))
        #expect(
            error(Self.minimal + "m=audio 1 RTP/AVP 0\r\nc=IN IP4 a\r\nc=IN IP4 b\r\n")?.reason
                == .duplicateLine(type: "c"))
    }

    @Test func badAttributeName() {
        #expect(
            error(Self.minimal + "a=:x\r\n")
                == SDPParseError(line: 6, column: 3, reason: .invalidField("attribute name", value: "")))
        #expect(error(Self.minimal + "a=a b:x\r\n")?.reason == .invalidField("attribute name", value: "a b"))
    }

    @Test func notText() {
        #expect(
            error(Array(Self.minimal.utf8) + [UInt8(ascii: "a"), UInt8(ascii: "="), 0xFF, 0xFE])
                == SDPParseError(
                    line: 6, column: 3, reason: .notText))
        #expect(error(Self.minimal + "a=x\0y\r\n") == SDPParseError(line: 6, column: 4, reason: .notText))
        #expect(error(Self.minimal + "a=x\ry\r\n") == SDPParseError(line: 6, column: 4, reason: .notText))
        #expect(error("")?.reason == .empty)
        #expect(error("\r\n\r\n")?.reason == .empty)
    }

    // MARK: - Limits

    @Test func bodyTooLarge() {
        let padding = String(repeating: "a=x\r\n", count: SDPLimits.maxBodyBytes / 5 + 1)
        let failure = error(Self.minimal + padding)
        #expect(failure == SDPParseError(line: 0, reason: .bodyTooLarge(limit: SDPLimits.maxBodyBytes)))
        #expect(failure?.sipStatusCode == 413)
    }

    @Test func tooManyLines() {
        let padding = String(repeating: "a=x\r\n", count: SDPLimits.maxLines)
        #expect(error(Self.minimal + padding)?.reason == .tooManyLines(limit: SDPLimits.maxLines))
        // Exactly at the limit is fine.
        let fits = String(repeating: "a=x\r\n", count: SDPLimits.maxLines - 5)
        #expect(error(Self.minimal + fits) == nil)
    }

    @Test func tooManyMediaSections() {
        let sections = String(repeating: "m=audio 0 RTP/AVP 0\r\n", count: SDPLimits.maxMediaSections + 1)
        #expect(
            error(Self.minimal + sections)
                == SDPParseError(
                    line: 6 + SDPLimits.maxMediaSections,
                    reason: .tooManyMediaSections(limit: SDPLimits.maxMediaSections)))
        let fits = String(repeating: "m=audio 0 RTP/AVP 0\r\n", count: SDPLimits.maxMediaSections)
        #expect(error(Self.minimal + fits) == nil)
    }

    @Test func tooManyFormats() {
        let formats = (0...SDPLimits.maxFormatsPerMedia).map { "\($0)" }.joined(separator: " ")
        #expect(
            error(Self.minimal + "m=audio 1 RTP/AVP \(formats)\r\n")?.reason
                == .tooManyFormats(limit: SDPLimits.maxFormatsPerMedia))
    }

    @Test func errorDescriptionNamesLineAndColumn() {
        let failure = error(Self.minimal + "m=audio abc RTP/AVP 0\r\n")
        #expect(failure?.description == "line 6, column 9: invalid port \"abc\"")
        #expect(failure?.sipStatusCode == 400)
    }

    // MARK: - Hostile input never crashes

    /// Random bytes, random printable lines, and mutations of the RFC bodies: each either parses
    /// (and then round-trips) or fails with a line inside the body.
    @Test func seededGarbageNeverCrashes() throws {
        var random = SeededGenerator(seed: 0x5D9_2026)
        let seeds = try Vectors.names().map { try Vectors.completeBody($0) }
        let alphabet = Array("vosciuepbtrzkam=:/ 0123456789IPN4RTAVP\r\n-.".utf8)
        var parsed = 0
        var answered = 0
        var failed = 0
        for round in 0..<3000 {
            var body: [UInt8]
            switch round % 3 {
            case 0:
                body = (0..<Int.random(in: 0...600, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
            case 1:
                body = (0..<Int.random(in: 0...600, using: &random)).map { _ in alphabet.randomElement(using: &random)!
                }
            default:
                body = seeds[Int.random(in: 0..<seeds.count, using: &random)]
                for _ in 0..<Int.random(in: 1...6, using: &random) where !body.isEmpty {
                    let position = Int.random(in: 0..<body.count, using: &random)
                    switch Int.random(in: 0..<4, using: &random) {
                    case 0: body[position] = UInt8.random(in: 0...255, using: &random)
                    case 1: body[position] = alphabet.randomElement(using: &random)!
                    case 2: body.remove(at: position)
                    default: body.removeSubrange(position...)
                    }
                }
            }
            let lineCount = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            do {
                let sdp = try SessionDescription(parsing: body)
                #expect(try SessionDescription(parsing: sdp.serialized()) == sdp)
                // Whatever parses can be answered without trapping, and the answer is valid SDP.
                var negotiator = SDPNegotiator(policy: .test())
                if case .answer(let answer, _) = negotiator.answer(sdp) {
                    #expect(try SessionDescription(parsing: answer.serialized()) == answer)
                    answered += 1
                }
                parsed += 1
            } catch {
                #expect(error.line >= 0 && error.line <= lineCount, "\(error)")
                #expect(error.column >= 1)
                failed += 1
            }
        }
        // Both outcomes are exercised.
        #expect(parsed > 0)
        #expect(answered > 0)
        #expect(failed > 0)
    }
}
