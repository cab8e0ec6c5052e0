import Frames
import Meetings

/// What a client joins with (the `dialgate-participant` flags of DESIGN.md §3).
public struct MeetingClientConfiguration: Sendable {
    /// `ws://HOST:PORT` or `wss://HOST:PORT` (the path defaults to `/v1`).
    public var server: String
    /// For `wss://`: a PEM file of certificates to trust (a private CA, or the gateway's own
    /// self-signed certificate); the system's roots when nil.
    public var trustedCertificates: String?
    /// The meeting ID, 9 to 11 digits.
    public var meeting: String
    /// 4 to 10 digits.
    public var passcode: String
    /// The name to be shown with (the gateway cleans and shortens it).
    public var name: String
    public var role: ParticipantRole
    /// The identity to join with; nil makes a fresh one.
    public var identity: ParticipantIdentity?
    /// Where to record the mix of everyone heard (48 kHz 16-bit mono WAV), if anywhere.
    public var recordMix: String?
    /// A directory for one WAV file per sender heard, if any.
    public var recordDirectory: String?
    /// `e2ee`: the host fingerprint the person was given with the invitation. When set, a `welcome`
    /// naming another host ends the session (a gateway swapping keys before first use is caught here).
    public var expectedHost: IdentityFingerprint?
    /// As the host of an `e2ee` meeting: the display names of participants to name co-hosts (they manage
    /// the keys while the host is away) once they are in the meeting.
    public var coHostNames: [String] = []
    /// Where to write every frame sent and received, byte for byte (one JSON line each: direction,
    /// base64 frame), if anywhere. For checking what the gateway forwards.
    public var frameLog: String?
    /// As the host of an `e2ee` meeting: how to answer a phone caller's `admissionRequest` (the person's
    /// choice; `ignore` leaves the caller to time out). An `automatic` request is accepted whatever this says.
    public var admissionAnswer: AdmissionAnswer = .ignore
    /// Makes each epoch's secret when this client manages the keys; random when nil. Tests set it to
    /// recognise the secret (the proof that the gateway never holds it).
    public var makeEpochSecret: (@Sendable (UInt64) throws(FramesError) -> EpochSecret)?

    public init(
        server: String, meeting: String, passcode: String, name: String, role: ParticipantRole = .guest,
        identity: ParticipantIdentity? = nil, recordMix: String? = nil, recordDirectory: String? = nil,
        trustedCertificates: String? = nil
    ) {
        self.trustedCertificates = trustedCertificates
        self.server = server
        self.meeting = meeting
        self.passcode = passcode
        self.name = name
        self.role = role
        self.identity = identity
        self.recordMix = recordMix
        self.recordDirectory = recordDirectory
    }
}

/// How a host's client answers phone callers who ask to join its `e2ee` meeting (issue 7).
public enum AdmissionAnswer: String, Sendable, CaseIterable {
    /// Let them in: consent to the downgrade (the gateway gets the key of `standard` epochs).
    case accept
    /// Keep them out.
    case reject
    /// Do not answer: the caller waits until the gateway's timeout refuses them.
    case ignore
}
