/// What went wrong in the media cores, with what it means for the leg.
public enum MediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libopus returned an error code (`OPUS_BAD_ARG`, `OPUS_INVALID_PACKET`, ...).
    case opus(operation: String, code: Int32, message: String)
    /// libsrtp returned an error status.
    case srtp(operation: String, status: UInt32)
    /// A caller handed the codec a frame of the wrong size.
    case badFrameSize(expected: Int, got: Int)
    /// An SRTP/SRTCP packet failed its authentication check (wrong key, tampering, or noise).
    /// RFC 3711 §3.3 step 5: drop the packet and count it; never end the call for it.
    case srtpAuthenticationFailed
    /// An SRTP/SRTCP packet was a replay (RFC 3711 §3.3.2): already received, or `tooOld` to
    /// fall in the replay window. Drop and count; also thrown when protecting a sequence number
    /// twice.
    case srtpReplay(tooOld: Bool)
    /// A packet too short or with an inconsistent header for SRTP to process (truncated,
    /// CSRC count or header extension past the end). Drop and count.
    case srtpMalformedPacket(reason: String)
    /// The caller's buffer has no room for the SRTP trailer (see `SRTPSession`'s capacity rule).
    /// A bug in the caller, not in the packet.
    case srtpBufferTooSmall(needed: Int, capacity: Int)
    /// The suite is unknown or the linked libsrtp2 cannot run it: answer without it.
    case srtpUnsupportedSuite(String, reason: String)
    /// The SDES key material does not have the suite's master key + salt length (RFC 4568 §6.1).
    case srtpBadKeyLength(suite: String, expected: Int, got: Int)
    /// A session was set up or used wrongly (replay window size, protecting on an inbound session).
    case srtpBadParameter(String)

    public var description: String {
        switch self {
        case .opus(let operation, let code, let message): "opus \(operation) failed (\(code)): \(message)"
        case .srtp(let operation, let status): "libsrtp \(operation) failed with status \(status)"
        case .badFrameSize(let expected, let got): "frame has \(got) samples, expected \(expected)"
        case .srtpAuthenticationFailed: "SRTP authentication failed"
        case .srtpReplay(let tooOld): tooOld ? "SRTP packet too old for the replay window" : "SRTP packet replayed"
        case .srtpMalformedPacket(let reason): "malformed SRTP packet: \(reason)"
        case .srtpBufferTooSmall(let needed, let capacity): "SRTP needs a \(needed)-octet buffer, got \(capacity)"
        case .srtpUnsupportedSuite(let suite, let reason): "SRTP suite \(suite) unsupported: \(reason)"
        case .srtpBadKeyLength(let suite, let expected, let got):
            "\(suite) needs \(expected) octets of master key and salt, got \(got)"
        case .srtpBadParameter(let what): "SRTP: \(what)"
        }
    }
}
