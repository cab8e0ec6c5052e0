import Dialplan
import SDP
import SIP

/// What a call's media must do, as the call core decided it: the adapter opens the leg's RTP
/// socket on `localPort` and runs it as described.
public struct CallMediaPlan: Sendable, Equatable {
    public var localPort: Int
    public var media: NegotiatedMedia
    /// The built-in application to run, or nil for a meeting (silence until the bridge arrives).
    public var application: CallApplication?
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
    /// A digit arrived by SIP INFO: stop the prompt (the leg stops it itself for RFC 4733 and tones).
    case stopPlayback(GatewayCallID)
}

/// How a DTMF digit reached the gateway.
public enum DigitSource: String, Sendable, Equatable {
    case rfc4733
    case sipInfo = "sip-info"
    case inBand = "in-band"
}
