import Dialplan
import SDP
import SIP

/// What a call's media must do, as the call core decided it: the adapter opens the leg's RTP
/// socket on `localPort` and runs it as described.
public struct CallMediaPlan: Sendable, Equatable {
    public var localPort: Int
    public var media: NegotiatedMedia
    /// What the leg plays now (the dialplan changes it with `MediaInstruction.program`).
    public var program: MediaProgram
    public var srtp: SRTPKeyPair?
    public var noMediaTimeout: Duration
}

/// SDES keys of one leg (RFC 4568 §5.1.2): ours protect what we send, the phone's what it sends.
public struct SRTPKeyPair: Sendable, Equatable {
    /// The suite name as in SDP, e.g. `AES_CM_128_HMAC_SHA1_80`.
    public var suite: String
    public var local: [UInt8]
    public var remote: [UInt8]
}

/// Media work for the adapter.
public enum MediaInstruction: Sendable, Equatable {
    case start(GatewayCallID, CallMediaPlan)
    /// A re-INVITE changed the media (hold, resume, a new address).
    case update(GatewayCallID, CallMediaPlan)
    case stop(GatewayCallID)
    /// The dialplan moved on: play something else (a prompt, a tone, echo, silence).
    case program(GatewayCallID, MediaProgram)
    /// A digit interrupted the prompt (barge-in).
    case stopPlayback(GatewayCallID)
}

/// What a phone leg sends to the caller.
public enum MediaProgram: Sendable, Equatable {
    /// Nothing (a pause).
    case silence
    /// What the caller sends comes back (`echo`).
    case echo
    /// Prompts, tones and silences in order; the leg reports the end with this id.
    case playback(id: Int, [PlaybackItem])
    /// In a `standard` meeting: the leg hears the meeting's mix (everyone but itself) and is
    /// heard in it, as a participant named `displayName`.
    case conference(meetingID: String, displayName: String, muted: Bool)
}

/// How a DTMF digit reached the gateway.
public enum DigitSource: String, Sendable, Equatable {
    case rfc4733
    case sipInfo = "sip-info"
    case inBand = "in-band"
}
