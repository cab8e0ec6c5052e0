import Frames
import Media
import Meetings
import ParticipantTransport

/// Everything that stops a meeting client, as one line a person can read. The one error type of the
/// `ParticipantClient` module: connection failures and refused joins end the session before it starts;
/// key and audio errors are about one epoch or one frame and are reported as events instead, except
/// where a caller asked for the operation directly (sending a frame, reading a WAV file).
public enum ParticipantClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server could not be reached, or did not upgrade to WebSocket.
    case connectionFailed(String)
    /// The gateway refused the join (`error` before `welcome`): wrong passcode, locked, full, not host.
    case refused(code: ParticipantErrorCode, reason: String)
    /// The connection closed before a `welcome` or an `error` arrived.
    case closedBeforeWelcome(WebSocketClose?)
    /// The gateway sent something this client cannot use (undecodable, out of order, a bad key manager).
    case protocolViolation(String)
    /// An epoch was refused: its manifest did not verify, or its secret did not open or match.
    case epochRefused(epoch: UInt64, FramesError)
    /// A frame could not be protected or opened (no key yet is not an error: it is counted).
    case frames(FramesError)
    /// Opus could not encode or decode.
    case audio(MediaError)
    /// A WAV file to send is not 48 kHz 16-bit mono, or cannot be read.
    case unusableWAV(path: String, reason: String)
    /// A recording could not be written.
    case recording(path: String, reason: String)
    /// The caller used the client out of order (sending before joining, a frame of the wrong size).
    case misuse(String)

    public var description: String {
        switch self {
        case .connectionFailed(let why): "cannot connect: \(why)"
        case .refused(let code, let reason): "the gateway refused the join: \(reason) (\(code))"
        case .closedBeforeWelcome(let close?): "the gateway closed the connection before admitting us: \(close)"
        case .closedBeforeWelcome(nil): "the connection closed before the gateway admitted us"
        case .protocolViolation(let why): "the gateway broke the participant protocol: \(why)"
        case .epochRefused(let epoch, let error): "key epoch \(epoch) refused: \(error)"
        case .frames(let error): "media frame: \(error)"
        case .audio(let error): "audio: \(error)"
        case .unusableWAV(let path, let reason): "\(path): \(reason)"
        case .recording(let path, let reason): "cannot record to \(path): \(reason)"
        case .misuse(let why): why
        }
    }
}
