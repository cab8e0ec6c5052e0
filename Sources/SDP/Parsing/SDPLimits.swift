/// Bounds on what the parser accepts. A SIP gateway reads SDP from strangers, so every loop over
/// input is bounded; anything beyond these is refused with a typed error, never truncated.
public enum SDPLimits {
    /// An audio offer is a few hundred bytes; even a WebRTC-style offer with many codecs and ICE
    /// candidates stays under 8 KiB. A body over UDP is capped near 64 KiB by the datagram size
    /// (RFC 3261 §18.1.1 says to switch to TCP above 1300 bytes), so 16 KiB is generous for any
    /// real offer and small enough to bound work per INVITE.
    public static let maxBodyBytes = 16 * 1024

    /// A rich audio+video offer has well under 100 lines; 512 leaves room for many candidates
    /// and attributes while bounding the line table.
    public static let maxLines = 512

    /// RFC 3264 §6 makes the answer repeat every offered m= line, so this bounds the answer's
    /// size too. The gateway serves one audio stream; 16 covers audio, video, and data
    /// sections with spares.
    public static let maxMediaSections = 16

    /// RTP payload types are 7 bits (RFC 3550 §5.1), so an RTP m= line can name at most 128
    /// distinct formats; real offers list under 20. 64 bounds the per-stream codec matching.
    public static let maxFormatsPerMedia = 64
}
