import Meetings
import ParticipantTransport

/// What a meeting client reports, in the order it happened (`MeetingClient.events`).
public enum MeetingEvent: Sendable, Equatable {
    /// The gateway admitted us: our id, sender index, the mode and who is here.
    case joined(Welcome)
    /// Someone joined, left, was muted or removed, or started or stopped speaking.
    case roster(RosterUpdate)
    /// A new key epoch was verified and installed; frames of it can be sent and opened.
    case epoch(EpochInfo)
    /// An epoch was refused (bad signature, stale, not for us): the keys stay as they were.
    case epochRefused(epoch: UInt64, reason: String)
    /// `e2ee`: nobody here may give us keys yet, or the key manager left with nobody to take over; the
    /// reason says who we wait for. Frames keep the last epoch's keys meanwhile.
    case waitingForKeys(reason: String)
    /// The meeting's mode, at join and whenever an epoch changes it (`reason` says why).
    case mode(MeetingMode, reason: String)
    /// Something to show that is not a roster change (a phone caller refused by policy).
    case notice(Notice)
    /// As the host of an `e2ee` meeting: a phone caller asks to join; `answer` is what this client said.
    case admissionRequest(AdmissionRequest, answer: AdmissionAnswer)
    /// The meeting was locked or unlocked.
    case locked(Bool)
    /// The meeting ended; the connection closes next.
    case ended(reason: String)
    /// The gateway refused a command or the join, or broke the protocol.
    case error(code: ParticipantErrorCode, reason: String)
    /// The connection closed (with the gateway's close frame, if it sent one). Always the last event.
    case closed(WebSocketClose?)
}
