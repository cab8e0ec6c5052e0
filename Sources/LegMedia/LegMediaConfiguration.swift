import Media

/// Everything a phone leg's media needs, as negotiated by SDP (the call core fills it in).
public struct LegMediaConfiguration: Sendable {
    /// The audio codec of the leg (RFC 3551 G.711, RFC 7587 Opus).
    public enum Codec: Sendable, Equatable {
        case pcmu
        case pcma
        case opus

        /// RTP clock rate (RFC 3551 §4.5.14: 8000 for G.711; RFC 7587 §4.1: always 48000 for Opus).
        public var clockRate: Int { self == .opus ? 48000 : 8000 }
    }

    /// What the leg plays to the caller.
    public enum Application: Sendable, Equatable {
        /// Nothing.
        case silence
        /// What the caller sends comes back (`echo`).
        case echo
        /// Play these prompts, tones and silences in order, then silence; the leg reports
        /// `.playbackFinished(id)` at their end.
        case playback(id: Int, [PromptPlayer.Item])
        /// In a meeting: what the phone says goes to the bridge, the bridge's mix comes back.
        case conference(ConferencePort)
    }

    /// Where to send: the SDP's `c=`/`m=` address until symmetric RTP learns the real source.
    public struct Address: Hashable, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// SRTP keys (RFC 4568): ours to protect what we send, the phone's to unprotect what it sends.
    public struct SRTPKeys: Sendable, Equatable {
        public var suite: SRTPCryptoSuite
        public var local: [UInt8]
        public var remote: [UInt8]
        public init(suite: SRTPCryptoSuite, local: [UInt8], remote: [UInt8]) {
            self.suite = suite
            self.local = local
            self.remote = remote
        }
    }

    public var codec: Codec
    public var payloadType: UInt8
    public var telephoneEventPayloadType: UInt8?
    public var remoteRTP: Address
    /// RTCP goes here unless `rtcpMux` (RFC 5761): the RTP address then.
    public var remoteRTCP: Address
    public var rtcpMux: Bool
    /// Direction from our side (RFC 3264 §6.1): whether we may send, and whether we expect media.
    public var sends: Bool
    public var receives: Bool
    public var ptime: Duration
    public var srtp: SRTPKeys?
    public var application: Application
    /// A leg that expects media and gets none for this long reports `.noMedia` (the call core ends
    /// the call with a Reason). Holds suspend it (`receives` false).
    public var noMediaTimeout: Duration
    /// Detect DTMF tones in the audio (for trunks that send tones in band, not RFC 4733 events).
    public var detectInBandDTMF: Bool
    /// A digit from the caller stops the playback (barge-in: callers who know the menu need not
    /// wait for the prompt).
    public var bargeIn: Bool

    public init(
        codec: Codec, payloadType: UInt8, telephoneEventPayloadType: UInt8?, remoteRTP: Address, remoteRTCP: Address, rtcpMux: Bool,
        sends: Bool = true, receives: Bool = true, ptime: Duration = .milliseconds(20), srtp: SRTPKeys? = nil,
        application: Application = .silence, noMediaTimeout: Duration = .seconds(30), detectInBandDTMF: Bool = false,
        bargeIn: Bool = false
    ) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.remoteRTP = remoteRTP
        self.remoteRTCP = remoteRTCP
        self.rtcpMux = rtcpMux
        self.sends = sends
        self.receives = receives
        self.ptime = ptime
        self.srtp = srtp
        self.application = application
        self.noMediaTimeout = noMediaTimeout
        self.detectInBandDTMF = detectInBandDTMF
        self.bargeIn = bargeIn
    }
}
