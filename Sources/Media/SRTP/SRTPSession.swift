import CSRTP

/// One direction of an SRTP session (RFC 3711) keyed with SDES master key material
/// (RFC 4568): an outbound session protects what this side sends, an inbound session
/// unprotects what the peer sends. A leg keeps one of each, keyed with its own and the peer's
/// `inline:` keys. Any SSRC is accepted (libsrtp's `ssrc_any_outbound` / `ssrc_any_inbound`
/// wildcard), and each SSRC gets its own rollover counter and replay window.
///
/// Packets are processed in place in the caller's buffer, with no allocation per packet.
/// **Capacity rule:** `protectRTP` needs `suite.rtpOverhead` octets of room after the packet
/// and `protectRTCP` needs `suite.rtcpOverhead` (at most `SRTPCryptoSuite.maximumOverhead`,
/// 20); a buffer of `length + SRTPCryptoSuite.maximumOverhead` always suffices. Unprotecting
/// only shortens the packet. After a thrown error the packet's octets are unspecified (a GCM
/// suite decrypts in place before it can reject a tag), but nothing outside
/// `buffer[0..<capacity]` is ever touched; the session setup checks that libsrtp's trailer
/// lengths match the suite's table.
///
/// Not thread-safe and deliberately not `Sendable`: libsrtp mutates the session (rollover
/// counters, replay windows) on every packet. A session belongs to the one event loop (or
/// actor) that owns the leg's sockets, for the leg's life.
///
/// Errors from the per-packet calls are about that packet only (`srtpAuthenticationFailed`,
/// `srtpReplay`, `srtpMalformedPacket`): the caller counts them and drops the packet; they
/// never end a call (RFC 3711 §3.3 step 5 and §3.3.2: discard and, optionally, log).
public final class SRTPSession {
    /// Which way the packets go.
    public enum Direction: Sendable, Equatable {
        /// Protects packets this side sends.
        case outbound
        /// Unprotects packets the peer sends.
        case inbound
    }

    /// libsrtp's default replay window (packets); RFC 3711 §3.3.2 asks for at least 64.
    public static let defaultReplayWindow = 128
    /// Replay window sizes libsrtp accepts: at least 64 (RFC 3711 §3.3.2), below 2^15.
    public static let replayWindowRange = 64...0x7FFF

    /// RFC 3550 §5.1: the fixed RTP header is 12 octets.
    static let rtpFixedHeaderLength = 12
    /// RFC 3550 §6.4.1: the RTCP header up to and including the sender's SSRC is 8 octets.
    static let rtcpHeaderLength = 8

    /// The negotiated suite.
    public let suite: SRTPCryptoSuite
    /// Whether this session protects (outbound) or unprotects (inbound).
    public let direction: Direction

    /// The libsrtp session; never leaves the Media module.
    let context: srtp_t

    /// Creates a session from the SDES `inline:` key material, the master key followed by the
    /// master salt (RFC 4568 §6.1), e.g. `SDPCryptoKeyParam.masterKeyAndSalt`.
    ///
    /// - Throws: `srtpUnsupportedSuite` when the linked libsrtp2 cannot run `suite`,
    ///   `srtpBadKeyLength` when the material is not `suite.masterKeyAndSaltLength` octets,
    ///   `srtpBadParameter` for a replay window outside `replayWindowRange`.
    public init(
        suite: SRTPCryptoSuite, direction: Direction, masterKeyAndSalt: [UInt8],
        replayWindow: Int = SRTPSession.defaultReplayWindow
    ) throws(MediaError) {
        try SRTPLibrary.ensureInitialized()
        guard suite.isAvailable else {
            throw .srtpUnsupportedSuite(suite.sdpName, reason: "not supported by \(SRTPLibrary.version) as linked")
        }
        guard masterKeyAndSalt.count == suite.masterKeyAndSaltLength else {
            throw .srtpBadKeyLength(suite: suite.sdpName, expected: suite.masterKeyAndSaltLength, got: masterKeyAndSalt.count)
        }
        guard SRTPSession.replayWindowRange.contains(replayWindow) else {
            throw .srtpBadParameter("replay window \(replayWindow) outside \(SRTPSession.replayWindowRange)")
        }
        let context = try SRTPLibrary.createContext(
            suite: suite, inbound: direction == .inbound, masterKeyAndSalt: masterKeyAndSalt, replayWindow: replayWindow)
        // The capacity rule promises callers that protect adds at most `rtpOverhead` /
        // `rtcpOverhead` octets; libsrtp writes its trailer without knowing the buffer's size,
        // so make sure the linked library agrees before any packet goes through.
        var rtpTrailer: UInt32 = 0
        var rtcpTrailer: UInt32 = 0
        guard srtp_get_protect_trailer_length(context, 0, 0, &rtpTrailer) == srtp_err_status_ok,
            srtp_get_protect_rtcp_trailer_length(context, 0, 0, &rtcpTrailer) == srtp_err_status_ok,
            rtpTrailer <= suite.rtpOverhead, rtcpTrailer <= suite.rtcpOverhead
        else {
            srtp_dealloc(context)
            throw .srtpUnsupportedSuite(
                suite.sdpName,
                reason: "libsrtp adds \(rtpTrailer)/\(rtcpTrailer) octets, expected \(suite.rtpOverhead)/\(suite.rtcpOverhead)")
        }
        self.context = context
        self.suite = suite
        self.direction = direction
    }

    /// Creates a session from a master key value.
    public convenience init(
        direction: Direction, key: SRTPMasterKey, replayWindow: Int = SRTPSession.defaultReplayWindow
    ) throws(MediaError) {
        try self.init(suite: key.suite, direction: direction, masterKeyAndSalt: key.masterKeyAndSalt, replayWindow: replayWindow)
    }

    deinit {
        srtp_dealloc(context)
    }
}

@available(*, unavailable, message: "an SRTPSession belongs to one event loop")
extension SRTPSession: Sendable {}
