import Foundation
import Testing

@testable import Meetings

/// Hostile and broken input: every refusal is typed, says how to close, and never traps.
@Suite struct ParticipantProtocolHostileInputTests {
    static let key32 = Data(repeating: 1, count: 32).base64EncodedString()
    static let key64 = Data(repeating: 2, count: 64).base64EncodedString()

    static func hello(
        version: String = "2", meeting: String = "\"123456789\"", passcode: String = "\"4321\"", name: String = "\"Al\"",
        role: String = "\"guest\"", signingKey: String? = nil, agreementKey: String? = nil, signature: String? = nil
    ) -> String {
        """
        {"type":"hello","version":\(version),"meeting":\(meeting),"passcode":\(passcode),"name":\(name),"role":\(role),\
        "identity":{"signingKey":"\(signingKey ?? key32)","agreementKey":"\(agreementKey ?? key32)",\
        "agreementKeySignature":"\(signature ?? key64)"}}
        """
    }

    func refusal(_ text: String, from direction: ParticipantProtocol.Direction = .fromClient) -> ParticipantProtocolError? {
        do {
            _ = try ParticipantProtocol.decode(text, from: direction)
            return nil
        } catch {
            return error
        }
    }

    @Test func theHelloTemplateIsValid() {
        #expect(refusal(Self.hello()) == nil)
    }

    @Test func sizeIsCheckedBeforeParsing() {
        let huge = [UInt8](repeating: UInt8(ascii: "{"), count: ParticipantProtocol.maxClientMessageBytes + 1)
        #expect(throws: ParticipantProtocolError.tooBig(size: 131_073, limit: 131_072)) {
            try ParticipantProtocol.decode(huge, from: .fromClient)
        }
        #expect(ParticipantProtocolError.tooBig(size: 1, limit: 0).closeCode == .messageTooBig)
        let paddedHello = Self.hello(name: "\"" + String(repeating: "a", count: 200) + "\"") + String(repeating: " ", count: 131_000)
        #expect(refusal(paddedHello)?.closeCode == .messageTooBig)
    }

    @Test(arguments: [
        ("", ParticipantProtocolError.malformedJSON("empty message")),
        ("   ", .malformedJSON("empty message")),
        ("[1,2]", .notAnObject),
        ("\"hello\"", .notAnObject),
        ("42", .notAnObject),
        ("null", .notAnObject),
        ("{}", .missingType),
        (#"{"type":5}"#, .missingType),
        (#"{"type":"shout"}"#, .unknownType("shout")),
        (#"{"type":"welcome","version":2}"#, .wrongDirection("welcome")),
        (#"{"type":"mute","participant":2}"#, .missingField(type: "mute", field: "muted")),
        (#"{"type":"mute","participant":"2","muted":true}"#, .invalidField(type: "mute", field: "participant")),
        (#"{"type":"mute","participant":-1,"muted":true}"#, .invalidField(type: "mute", field: "participant")),
        (#"{"type":"mute","participant":4294967296,"muted":true}"#, .invalidField(type: "mute", field: "participant")),
        (#"{"type":"mute","participant":1.5,"muted":true}"#, .invalidField(type: "mute", field: "participant")),
        (#"{"type":"lock","locked":null}"#, .invalidField(type: "lock", field: "locked")),
        (#"{"type":"remove"}"#, .missingField(type: "remove", field: "participant")),
    ])
    func malformedMessagesAreProtocolErrors(text: String, expected: ParticipantProtocolError) {
        let error = refusal(text)
        #expect(error == expected)
        #expect(
            [WebSocketCloseCode.protocolError].contains(error?.closeCode ?? .normalClosure),
            "\(text) closes with 1002, not \(String(describing: error?.closeCode))")
    }

    @Test func brokenJSONIsAProtocolError() {
        for text in [#"{"type":"end""#, "{type:end}", #"{"type":"end"} trailing"#, #"{"type":"end" "x":1}"#] {
            guard case .malformedJSON = refusal(text) else {
                Issue.record("\(text.debugDescription) gave \(String(describing: refusal(text)))")
                continue
            }
        }
        // A raw control character in a string is refused one way or another, always with 1002.
        #expect(refusal("{\"type\":\"\u{0}\"}")?.closeCode == .protocolError)
        #expect(refusal(#"{"type":"mute","participant":2,"muted":true,"roster":[{"id":-1}]}"#) == nil, "unknown fields are ignored")
        #expect(
            refusal(#"{"type":"roster","event":"joined","participant":{"id":-1}}"#, from: .fromGateway)
                == .invalidField(type: "roster", field: "participant"))
    }

    @Test func wrongVersionIsUnsupportedData() {
        let error = refusal(Self.hello(version: "1"))
        #expect(error == .unsupportedVersion(1))
        #expect(error?.closeCode == .unsupportedData)
        #expect(error?.errorCode == .unsupportedVersion)
        #expect(error?.reason == "unsupported protocol version 1 (this gateway speaks 2)")
        #expect(refusal(#"{"type":"hello","version":99,"anything":"else"}"#) == .unsupportedVersion(99), "version first")
        #expect(refusal(#"{"type":"hello"}"#) == .missingField(type: "hello", field: "version"))
    }

    @Test(arguments: [
        (hello(signingKey: Data(count: 31).base64EncodedString()), "identity.signingKey"),
        (hello(signingKey: Data(count: 33).base64EncodedString()), "identity.signingKey"),
        (hello(agreementKey: Data(count: 64).base64EncodedString()), "identity.agreementKey"),
        (hello(signature: Data(count: 32).base64EncodedString()), "identity.agreementKeySignature"),
        (hello(signingKey: "not base64!"), "identity.signingKey"),
        (hello(meeting: "\"12345678\""), "meeting"),
        (hello(meeting: "\"123456789012\""), "meeting"),
        (hello(meeting: "\"12345678a\""), "meeting"),
        (hello(meeting: "\"١٢٣٤٥٦٧٨٩\""), "meeting"),
        (hello(passcode: "\"123\""), "passcode"),
        (hello(passcode: "\"12345678901\""), "passcode"),
        (hello(name: "\"" + String(repeating: "x", count: 257) + "\""), "name"),
    ])
    func outOfBoundsValuesArePolicyViolations(text: String, field: String) {
        guard case .invalidValue(let type, let badField, _) = refusal(text) else {
            Issue.record("not refused as invalid: \(String(describing: refusal(text)))")
            return
        }
        #expect(type == "hello")
        #expect(badField == field)
        #expect(refusal(text)?.closeCode == .policyViolation)
    }

    @Test func unknownRoleIsAProtocolError() {
        #expect(refusal(Self.hello(role: "\"admin\"")) == .invalidField(type: "hello", field: "role"))
        #expect(refusal(Self.hello(name: "17")) == .invalidField(type: "hello", field: "name"))
    }

    @Test func deepNestingIsRefusedBeforeTheParser() {
        let deep = #"{"type":"end","x":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        #expect(refusal(deep) == .tooDeep(limit: ParticipantProtocol.maxNestingDepth))
        // Brackets inside strings are text, not nesting.
        #expect(refusal(#"{"type":"end","x":"[[[[[[[[[[[[[[[[{{{{{{{{{{"}"#) == nil)
        #expect(refusal(#"{"type":"end","x":"\"[[[[[[[[[[[[[[[[[[[["}"#) == nil)
    }

    @Test func invalidUTF8IsInvalidPayload() {
        let bytes: [UInt8] = Array(#"{"type":"end","x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: ParticipantProtocolError.notUTF8) { try ParticipantProtocol.decode(bytes, from: .fromClient) }
        #expect(ParticipantProtocolError.notUTF8.closeCode == .invalidPayload)
    }

    @Test func everyErrorSaysOneShortLine() {
        let errors: [ParticipantProtocolError] = [
            .tooBig(size: 1, limit: 0), .notUTF8, .malformedJSON(String(repeating: "x\n", count: 300)), .tooDeep(limit: 8),
            .notAnObject, .missingType, .unknownType(String(repeating: "t", count: 500)), .wrongDirection("welcome"),
            .missingField(type: "hello", field: "version"), .invalidField(type: "mute", field: "muted"),
            .invalidValue(type: "hello", field: "name", reason: "is long"), .unsupportedVersion(3),
            .unexpectedMessage(type: "hello", reason: "again"), .unexpectedBinary, .badFrame(size: 5000, reason: "big"),
            .badFrame(size: 2, reason: "small"),
        ]
        for error in errors {
            #expect(!error.reason.isEmpty)
            #expect(error.reason.utf8.count <= WebSocketCloseCode.maxReasonBytes)
            #expect(!error.reason.contains("\n"))
            #expect(error.errorMessage == .error(code: error.errorCode, reason: error.reason))
        }
    }
}
