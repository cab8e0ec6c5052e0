import Foundation
import Frames
import Testing

@testable import Meetings

/// Every message encodes and decodes back to itself; the documented JSON decodes as documented.
@Suite struct ParticipantProtocolTests {
    static let roster = [
        Participant(id: 1, name: "Alice", kind: .app, muted: false, senderIndex: 1, fingerprint: "3F7A 91C2 0B44 D8E1"),
        Participant(id: 2, name: "Phone ••• 1234", kind: .phone, muted: true, senderIndex: 2),
        Participant(
            id: 3, name: "Carol", kind: .app, senderIndex: 3, fingerprint: "AB12", role: .host, identity: Fixtures.guestIdentity(0x33)),
    ]

    static let clientMessages: [ParticipantMessage] = [
        .hello(Fixtures.hello(name: "Alice \"the host\" / 👩‍💻", role: .host)),
        .hello(Fixtures.hello(name: "Bob")),
        .mute(participant: 2, muted: true),
        .mute(participant: 4_294_967_295, muted: false),
        .remove(participant: 3),
        .lock(locked: true),
        .lock(locked: false),
        .end,
        .leave,
        .create(CreateMeeting(name: "Alice", identity: Fixtures.guestIdentity(0x17))),
        .create(
            CreateMeeting(name: "Alice", mode: .standard, meeting: "5550001112", passcode: "2468", identity: Fixtures.guestIdentity(0x18))),
        .rekey(
            Rekey(
                epoch: 4, manifest: Array(0..<120), signature: [UInt8](repeating: 7, count: 64),
                sealed: [.init(participant: 2, sealedSecret: [1, 2, 3]), .init(participant: 9, sealedSecret: [4])])),
        .rekey(Rekey(epoch: 1, manifest: [1], signature: [2], sealed: [])),
        .rekey(
            Rekey(
                epoch: 5, manifest: [1], signature: [2], sealed: [],
                gatewaySealedSecret: [UInt8](repeating: 3, count: SealedEpochSecret.encodedLength))),
        .admission(request: 1, accept: true),
        .admission(request: AdmissionRequestID(rawValue: .max), accept: false),
    ]

    static let gatewayMessages: [ParticipantMessage] = [
        .welcome(Welcome(participant: 1, senderIndex: 1, meeting: "12345678901", mode: .e2ee, roster: roster)),
        .welcome(Welcome(participant: 7, senderIndex: 9, meeting: "123456789", mode: .standard, roster: [])),
        .welcome(
            Welcome(
                participant: 8, senderIndex: 10, meeting: "123456789", mode: .standard, roster: [],
                keyManager: Fixtures.guestIdentity(0x42))),
        .welcome(
            Welcome(
                participant: 8, senderIndex: 10, meeting: "123456789", mode: .e2ee, roster: roster,
                keyManager: Fixtures.guestIdentity(0x43), epoch: 12, delegation: SignedManifestCopy(manifest: [1, 2, 3], signature: [4]))),
        .created(meeting: "5550001112", passcode: "093417", mode: .standard),
        .notice(Notice(event: .phoneRefused, name: "Phone ••• 4567", reason: "End-to-end encrypted meeting: phone callers cannot join")),
        .notice(Notice(event: .downgraded, name: "Phone ••• 4567", reason: "Alice consented")),
        .notice(Notice(event: .upgraded, name: "Alice", reason: "End-to-end encrypted again")),
        .notice(Notice(event: .admissionClosed, name: "Phone ••• 4567", reason: "The caller hung up")),
        .admissionRequest(
            AdmissionRequest(
                request: 3, name: "Phone ••• 4567", kind: .downgrade, automatic: true, timeout: 60, reUpgrade: false,
                gateway: Fixtures.guestIdentity(0x44))),
        .roster(RosterUpdate(event: .joined, participant: roster[0])),
        .roster(RosterUpdate(event: .speaking, participant: roster[1], speaking: true)),
        .epoch(
            EpochAnnouncement(
                epoch: UInt64(1) << 52, manifest: Array(0..<200), signature: [UInt8](repeating: 9, count: 64), sealedSecret: [1, 2, 3])),
        .locked(true),
        .ended(reason: "the host ended the meeting"),
        .error(code: .badCredentials, reason: "unknown meeting or wrong passcode"),
        .error(code: "somethingNewer", reason: "a code this build does not know"),
    ]

    @Test(arguments: clientMessages)
    func clientMessagesRoundTrip(message: ParticipantMessage) throws {
        let text = ParticipantProtocol.encode(message)
        #expect(try ParticipantProtocol.decode(text, from: .fromClient) == message)
        #expect(throws: ParticipantProtocolError.wrongDirection(message.kind.rawValue)) {
            try ParticipantProtocol.decode(text, from: .fromGateway)
        }
    }

    @Test(arguments: gatewayMessages)
    func gatewayMessagesRoundTrip(message: ParticipantMessage) throws {
        let text = ParticipantProtocol.encode(message)
        #expect(try ParticipantProtocol.decode(text, from: .fromGateway) == message)
        #expect(throws: ParticipantProtocolError.wrongDirection(message.kind.rawValue)) {
            try ParticipantProtocol.decode(text, from: .fromClient)
        }
    }

    @Test func everyKindIsCovered() {
        let kinds = Set((Self.clientMessages + Self.gatewayMessages).map(\.kind))
        #expect(kinds == Set(ParticipantMessage.Kind.allCases))
    }

    /// The examples of docs/participant-protocol.md, decoded.
    @Test func documentedHelloDecodes() throws {
        let key = Data(repeating: 0xA1, count: 32).base64EncodedString()
        let agreement = Data(repeating: 0xB2, count: 32).base64EncodedString()
        let signature = Data(repeating: 0xC3, count: 64).base64EncodedString()
        let text = """
            {"type":"hello","version":2,"meeting":"123456789","passcode":"4321","name":"Alice","role":"host",
             "identity":{"signingKey":"\(key)","agreementKey":"\(agreement)","agreementKeySignature":"\(signature)"},
             "client":"a field from the future is ignored"}
            """
        let message = try ParticipantProtocol.decode(text, from: .fromClient)
        #expect(message == .hello(Fixtures.hello(name: "Alice", role: .host)))
    }

    @Test func encodingIsCompactWithBase64AndNumbers() {
        let text = ParticipantProtocol.encode(
            .epoch(EpochAnnouncement(epoch: 3, manifest: [0xFB, 0xFF], signature: [0], sealedSecret: [])))
        #expect(text == #"{"epoch":3,"manifest":"+/8=","sealedSecret":"","signature":"AA==","type":"epoch"}"#)
        #expect(ParticipantProtocol.encode(.end) == #"{"type":"end"}"#)
        #expect(ParticipantProtocol.encode(.mute(participant: 2, muted: true)) == #"{"muted":true,"participant":2,"type":"mute"}"#)
    }

    @Test func helloDescriptionHidesThePasscode() {
        let hello = Fixtures.hello(name: "Alice", passcode: "98765")
        #expect(!hello.description.contains("98765"))
        #expect(!Fixtures.record().description.contains(Fixtures.passcode))
    }

    @Test func closeReasonsFitACloseFrame() {
        let long = String(repeating: "é", count: 200) + "\nsecond line"
        let reason = WebSocketCloseCode.closeReason(long)
        #expect(reason.utf8.count <= 123)
        #expect(!reason.contains("\n"))
        #expect(WebSocketCloseCode.closeReason("a\nb") == "a b")
    }
}
