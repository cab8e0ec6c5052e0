/// What an answer settled for the one audio stream the gateway serves: everything the media
/// layer needs to send and receive.
public struct NegotiatedMedia: Hashable, Sendable {
    /// Index of the accepted `m=` section in the offer (and the answer).
    public var mediaIndex: Int
    public var codec: NegotiatedCodec
    /// The RFC 4733 payload type to send and receive events with, if negotiated.
    public var telephoneEventPayloadType: UInt8?
    /// The offer's event list for telephone-event (`0-15,66,70`), if it gave one: the events
    /// the phone can receive (RFC 4733 §2.5.1.1: with none, assume 0-15).
    public var telephoneEvents: String?
    /// Where to send RTP.
    public var remoteRTP: SDPTransportAddress
    /// Where to send RTCP: the RTP address with rtcp-mux (RFC 5761), the `a=rtcp` port and
    /// address (RFC 3605), else RTP port + 1 (RFC 3550 §11). `nil` only when port + 1 would pass
    /// 65535.
    public var remoteRTCP: SDPTransportAddress?
    /// RTP and RTCP share the port (RFC 5761 §5.1.1).
    public var rtcpMux: Bool
    /// The direction from the gateway's point of view (as written in the answer).
    public var direction: SDPDirection
    /// The phone put the gateway on hold: it offered sendonly or inactive, or `c=0.0.0.0`.
    public var isOnHold: Bool
    /// The packet time to send with, in milliseconds (the offer's `a=ptime`, else the policy's).
    public var ptime: Int
    /// The accepted SDES security description, for `RTP/SAVP`.
    public var srtp: NegotiatedSRTP?
}

/// The chosen codec at the offer's payload type number.
public struct NegotiatedCodec: Hashable, Sendable {
    /// As the offer wrote it.
    public var encodingName: String
    public var payloadType: UInt8
    public var clockRate: UInt32
    public var channels: UInt32
    /// The offer's `a=fmtp` for this payload type: what the phone wants to receive (for Opus:
    /// `maxplaybackrate`, `stereo`, `useinbandfec`, ... RFC 7587 §6.1).
    public var remoteParameters: SDPFormatParameters?
}

/// An address and port.
public struct SDPTransportAddress: Hashable, Sendable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }
}

/// The SDES exchange for an `RTP/SAVP` stream (RFC 4568 §5.1.2).
public struct NegotiatedSRTP: Hashable, Sendable {
    /// The accepted offer line: the phone's keys, used to decrypt what it sends.
    public var remote: SDPCrypto
    /// The answer line: same tag and suite, the gateway's keys, used to encrypt what it sends.
    public var local: SDPCrypto
}

/// The outcome of answering one offer.
public enum SDPAnswerResult: Hashable, Sendable {
    /// Send this answer; set up media as described.
    case answer(SessionDescription, NegotiatedMedia)
    /// Nothing in the offer can be served: answer the INVITE (or re-INVITE) with
    /// 488 Not Acceptable Here (RFC 3261 §13.3.1.1, RFC 3264 §6). On a re-INVITE the session
    /// continues as before (RFC 3264 §8).
    case reject(reason: String)

    /// The SIP status for a rejection.
    public static let rejectStatusCode = 488
}
