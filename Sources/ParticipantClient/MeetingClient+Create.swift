import Frames
import Meetings
import NIOConcurrencyHelpers
import ParticipantTransport

/// A meeting a host client created: what to share with guests.
public struct CreatedMeeting: Sendable {
    public var meeting: String
    public var passcode: String
    public var mode: MeetingMode
    /// The identity that is the meeting's host: join with it to be the host.
    public var host: ParticipantIdentity
}

extension MeetingClient {
    /// Creates a meeting over the participant protocol (`create`), with `identity` (a new one when
    /// nil) as its host:
    /// only a client holding that identity's key joins it as host afterwards. `meeting` and
    /// `passcode` are optional requests; the gateway picks them otherwise.
    public static func createMeeting(
        server: String, trustedCertificates: String? = nil, identity given: ParticipantIdentity? = nil, name: String,
        mode: MeetingMode = .standard, meeting: String? = nil, passcode: String? = nil
    ) async throws(ParticipantClientError) -> CreatedMeeting {
        let identity: ParticipantIdentity
        if let given {
            identity = given
        } else {
            do throws(FramesError) { identity = try ParticipantIdentity.generate() } catch { throw .frames(error) }
        }
        let session: WebSocketSession
        do {
            session = try await ParticipantWebSocketClient.connect(server, trustedCertificates: trustedCertificates)
        } catch {
            throw .connectionFailed("\(server): \(error)")
        }
        let request = CreateMeeting(
            name: name, mode: mode, meeting: meeting, passcode: passcode, identity: IdentityKeys(identity.publicIdentity))
        session.outbox.send(text: ParticipantProtocol.encode(.create(request)))
        let answer = NIOLockedValueBox<Result<CreatedMeeting, ParticipantClientError>?>(nil)
        let close = await session.run { message in
            guard case .text(let text) = message, answer.withLockedValue({ $0 == nil }) else { return }
            let result: Result<CreatedMeeting, ParticipantClientError>
            switch try? ParticipantProtocol.decode(text, from: .fromGateway) {
            case .created(let meeting, let passcode, let mode)?:
                result = .success(CreatedMeeting(meeting: meeting, passcode: passcode, mode: mode, host: identity))
            case .error(let code, let reason)?:
                result = .failure(.refused(code: code, reason: reason))
            default:
                result = .failure(.protocolViolation("expected 'created' or 'error', got: \(text.prefix(80))"))
            }
            answer.withLockedValue { $0 = result }
            session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "done"))
        }
        guard let result = answer.withLockedValue({ $0 }) else { throw .closedBeforeWelcome(close) }
        return try result.get()
    }
}
