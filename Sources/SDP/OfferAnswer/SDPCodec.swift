/// An RTP audio encoding the gateway can serve, as named in `a=rtpmap` (RFC 8866 §6.6).
public struct SDPCodec: Hashable, Sendable {
    /// Compared case-insensitively (RFC 4855 §3).
    public var encodingName: String
    public var clockRate: UInt32
    public var channels: UInt32
    /// What the gateway puts in its answer's `a=fmtp` for this codec, if anything: parameters
    /// that describe what the gateway wants to receive (e.g. Opus `useinbandfec=1`, RFC 7587 §6.1).
    public var answerParameters: String?

    public init(encodingName: String, clockRate: UInt32, channels: UInt32 = 1, answerParameters: String? = nil) {
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
        self.answerParameters = answerParameters
    }

    /// G.711 µ-law, static payload type 0 (RFC 3551 §4.5.14).
    public static let pcmu = SDPCodec(encodingName: "PCMU", clockRate: 8000)
    /// G.711 A-law, static payload type 8 (RFC 3551 §4.5.14).
    public static let pcma = SDPCodec(encodingName: "PCMA", clockRate: 8000)
    /// Opus: the rtpmap is always `opus/48000/2`, whatever is really sent (RFC 7587 §7).
    public static let opus = SDPCodec(encodingName: "opus", clockRate: 48000, channels: 2)
    /// RFC 4733 DTMF events; accepted alongside an audio codec, never alone.
    public static let telephoneEvent = SDPCodec(encodingName: "telephone-event", clockRate: 8000)

    /// Whether an offered mapping names this codec.
    public func matches(_ map: SDPRtpMap) -> Bool {
        map.encodingName.lowercased() == encodingName.lowercased()
            && map.clockRate == clockRate
            && (map.channels ?? 1) == channels
    }

    /// Whether two codecs are the same encoding (ignoring answer parameters).
    func isSameEncoding(as other: SDPCodec) -> Bool {
        encodingName.lowercased() == other.encodingName.lowercased()
            && clockRate == other.clockRate && channels == other.channels
    }

    /// RFC 4733 §7.1.1 registers `telephone-event`; RFC 3264 §10.1 misspells it
    /// `telephone-events`, and a peer copying that example is understood as well.
    static func isTelephoneEvent(_ map: SDPRtpMap) -> Bool {
        let name = map.encodingName.lowercased()
        return name == "telephone-event" || name == "telephone-events"
    }
}
