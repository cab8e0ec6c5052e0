/// What the gateway is willing to answer with: the local side of RFC 3264 §6.
public struct SDPAnswerPolicy: Hashable, Sendable {
    /// Codecs in the gateway's order of preference. RFC 3264 §6.1 lets the answerer pick by its
    /// own preference; the gateway answers with exactly one codec, so the phone never switches
    /// codec mid-call.
    public var codecs: [SDPCodec]
    /// Whether RFC 4733 telephone-event is accepted alongside the chosen codec (at the same
    /// clock rate: events share the audio stream's timestamps, RFC 4733 §2.1).
    public var acceptsTelephoneEvent: Bool
    /// The address put in `o=` and `c=` (the `--advertise` address), IPv4 or IPv6 literal.
    public var connectionAddress: String
    /// The local RTP port of the accepted audio stream.
    public var rtpPort: UInt16
    /// `o=` sess-id; stays the same for the whole dialog (RFC 3264 §8).
    public var sessionID: UInt64
    /// `o=` sess-version of the first answer; `SDPNegotiator` raises it by one for each changed
    /// answer after that (RFC 3264 §8).
    public var sessionVersion: UInt64
    /// `o=` username.
    public var username: String
    /// `s=` value (RFC 8866 §5.3: non-empty).
    public var sessionName: String
    /// The packet time answered when the offer names none (RFC 3551 §4.5: 20 ms default for
    /// G.711; RFC 7587 §7: 20 ms for Opus).
    public var preferredPtime: Int
    /// Whether and how `RTP/SAVP` (SDES) is served.
    public var srtp: SRTPAnswerMode

    public init(
        codecs: [SDPCodec] = [.pcmu, .pcma, .opus],
        acceptsTelephoneEvent: Bool = true,
        connectionAddress: String,
        rtpPort: UInt16,
        sessionID: UInt64,
        sessionVersion: UInt64,
        username: String = "dialgate",
        sessionName: String = "dialgate",
        preferredPtime: Int = 20,
        srtp: SRTPAnswerMode = .unavailable
    ) {
        self.codecs = codecs
        self.acceptsTelephoneEvent = acceptsTelephoneEvent
        self.connectionAddress = connectionAddress
        self.rtpPort = rtpPort
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.username = username
        self.sessionName = sessionName
        self.preferredPtime = preferredPtime
        self.srtp = srtp
    }
}

/// How the answerer treats SRTP with SDES keys (RFC 4568).
public enum SRTPAnswerMode: Hashable, Sendable {
    /// No keys may be sent (e.g. signalling is not over TLS, RFC 4568 §8): `RTP/SAVP` streams are
    /// unservable, plain `RTP/AVP` ones are served.
    case unavailable
    /// Both `RTP/SAVP` (with one of these local keys) and plain `RTP/AVP` are served.
    case optional([SDESLocalKey])
    /// Only `RTP/SAVP` is served.
    case required([SDESLocalKey])

    var localKeys: [SDESLocalKey] {
        switch self {
        case .unavailable: []
        case .optional(let keys), .required(let keys): keys
        }
    }

    var allowsPlainRTP: Bool {
        if case .required = self { false } else { true }
    }
}

/// A key the gateway will send for one crypto suite. The caller generates it (randomness is
/// injected, never drawn here); the negotiator puts it in the answer's `a=crypto` when the offer
/// picks that suite (RFC 4568 §5.1.2: the answer carries the answerer's own key).
public struct SDESLocalKey: Hashable, Sendable {
    /// E.g. `AES_CM_128_HMAC_SHA1_80`; compared exactly (RFC 4568 §6.2 names are case-sensitive).
    public var suite: String
    public var keyParams: [SDPCryptoKeyParam]

    public init(suite: String, keyParams: [SDPCryptoKeyParam]) {
        self.suite = suite
        self.keyParams = keyParams
    }
}
