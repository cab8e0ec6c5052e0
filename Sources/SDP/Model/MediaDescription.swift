/// One media section (RFC 8866 §5.14): the `m=` line and the `i=`, `c=`, `b=`, `k=`, `a=` lines
/// after it.
public struct MediaDescription: Hashable, Sendable {
    /// `audio`, `video`, `application`, ... (RFC 8866 §5.14), as written.
    public var media: String
    /// The transport port; 0 means the stream is disabled or rejected (RFC 3264 §5.1, §6).
    public var port: UInt16
    /// The `/<number of ports>` suffix, if written.
    public var numberOfPorts: UInt32?
    /// `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `UDP/TLS/RTP/SAVPF`, `udp`, ... as written.
    public var proto: String
    /// Media formats; for RTP profiles these are payload type numbers (RFC 8866 §5.14).
    public var formats: [String]
    /// Media-level `i=`.
    public var information: String?
    /// Media-level `c=`; overrides the session-level one (RFC 8866 §5.7).
    public var connection: SDPConnection?
    /// Media-level `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// Media-level `k=` (obsolete), kept verbatim.
    public var encryptionKey: String?
    /// Media-level `a=` lines in order. Unknown attributes are kept verbatim.
    public var attributes: [SDPAttribute]

    public init(
        media: String,
        port: UInt16,
        numberOfPorts: UInt32? = nil,
        proto: String,
        formats: [String],
        information: String? = nil,
        connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [],
        encryptionKey: String? = nil,
        attributes: [SDPAttribute] = []
    ) {
        self.media = media
        self.port = port
        self.numberOfPorts = numberOfPorts
        self.proto = proto
        self.formats = formats
        self.information = information
        self.connection = connection
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }

    /// Whether this is an RTP profile, whose formats are payload type numbers (RFC 3551 §6).
    public var isRTP: Bool {
        MediaDescription.isRTP(proto: proto[...])
    }

    /// `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`, `TCP/RTP/AVP`, ...
    static func isRTP(proto: Substring) -> Bool {
        proto.uppercased().contains("RTP/")
    }
}
