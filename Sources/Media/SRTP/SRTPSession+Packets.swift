import CSRTP

extension SRTPSession {
    // MARK: In place, in the caller's memory

    /// Protects the RTP packet in `buffer[0..<length]` in place and returns the SRTP length
    /// (`length + suite.rtpOverhead`). `buffer.count` is the capacity: it must be at least
    /// `length + suite.rtpOverhead`.
    public func protectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(MediaError) -> Int {
        try checkDirection(.outbound, "protect RTP")
        try SRTPSession.checkRTPHeader(buffer, length: length, trailer: 0)
        try checkCapacity(buffer, length: length, overhead: suite.rtpOverhead)
        return try run("protect RTP", buffer, length) { srtp_protect($0, $1, $2) }
    }

    /// Unprotects (authenticates, replay-checks, decrypts) the SRTP packet in
    /// `buffer[0..<length]` in place and returns the RTP length.
    public func unprotectRTP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(MediaError) -> Int {
        try checkDirection(.inbound, "unprotect RTP")
        try SRTPSession.checkRTPHeader(buffer, length: length, trailer: suite.rtpAuthTagLength)
        return try run("unprotect RTP", buffer, length) { srtp_unprotect($0, $1, $2) }
    }

    /// Protects the RTCP compound packet in `buffer[0..<length]` in place and returns the
    /// SRTCP length (`length + suite.rtcpOverhead`). `buffer.count` must be at least that.
    public func protectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(MediaError) -> Int {
        try checkDirection(.outbound, "protect RTCP")
        try SRTPSession.checkRTCPHeader(buffer, length: length, trailer: 0)
        try checkCapacity(buffer, length: length, overhead: suite.rtcpOverhead)
        return try run("protect RTCP", buffer, length) { srtp_protect_rtcp($0, $1, $2) }
    }

    /// Unprotects the SRTCP packet in `buffer[0..<length]` in place and returns the RTCP length.
    public func unprotectRTCP(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(MediaError) -> Int {
        try checkDirection(.inbound, "unprotect RTCP")
        try SRTPSession.checkRTCPHeader(buffer, length: length, trailer: suite.rtcpOverhead)
        return try run("unprotect RTCP", buffer, length) { srtp_unprotect_rtcp($0, $1, $2) }
    }

    // MARK: Whole arrays

    /// Protects `packet` (an RTP packet) in place; on return it holds the SRTP packet. Does not
    /// allocate when `packet` has `suite.rtpOverhead` spare capacity and a unique buffer.
    /// On error `packet` is unchanged in length (its contents are unspecified).
    public func protectRTP(_ packet: inout [UInt8]) throws(MediaError) {
        try transform(&packet, growth: suite.rtpOverhead) { session, buffer, length throws(MediaError) in
            try session.protectRTP(in: buffer, length: length)
        }
    }

    /// Unprotects `packet` (an SRTP packet) in place; on return it holds the RTP packet.
    public func unprotectRTP(_ packet: inout [UInt8]) throws(MediaError) {
        try transform(&packet, growth: 0) { session, buffer, length throws(MediaError) in
            try session.unprotectRTP(in: buffer, length: length)
        }
    }

    /// Protects `packet` (an RTCP compound packet) in place; on return it holds the SRTCP packet.
    public func protectRTCP(_ packet: inout [UInt8]) throws(MediaError) {
        try transform(&packet, growth: suite.rtcpOverhead) { session, buffer, length throws(MediaError) in
            try session.protectRTCP(in: buffer, length: length)
        }
    }

    /// Unprotects `packet` (an SRTCP packet) in place; on return it holds the RTCP packet.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(MediaError) {
        try transform(&packet, growth: 0) { session, buffer, length throws(MediaError) in
            try session.unprotectRTCP(in: buffer, length: length)
        }
    }

    // MARK: Per-stream state

    /// The rollover counter (RFC 3711 §3.3.1) libsrtp holds for `ssrc`, or `nil` before the
    /// first packet of that SSRC went through this session.
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        var roc: UInt32 = 0
        return srtp_get_stream_roc(context, ssrc, &roc) == srtp_err_status_ok ? roc : nil
    }

    // MARK: Helpers

    private func transform(
        _ packet: inout [UInt8], growth: Int,
        _ body: (SRTPSession, UnsafeMutableRawBufferPointer, Int) throws(MediaError) -> Int
    ) throws(MediaError) {
        let length = packet.count
        packet.append(contentsOf: repeatElement(0, count: growth))
        let result: Result<Int, MediaError> = packet.withUnsafeMutableBytes { buffer in
            Result { () throws(MediaError) -> Int in try body(self, buffer, length) }
        }
        switch result {
        case .success(let newLength):
            packet.removeLast(packet.count - newLength)
        case .failure(let error):
            packet.removeLast(growth)
            throw error
        }
    }

    private func checkDirection(_ needed: Direction, _ operation: String) throws(MediaError) {
        guard direction == needed else {
            throw .srtpBadParameter("cannot \(operation) on an \(direction) session")
        }
    }

    private func checkCapacity(_ buffer: UnsafeMutableRawBufferPointer, length: Int, overhead: Int) throws(MediaError) {
        // length <= buffer.count was checked with the header, so this cannot overflow.
        guard buffer.count - length >= overhead else {
            throw .srtpBufferTooSmall(needed: length + overhead, capacity: buffer.count)
        }
    }

    /// Calls libsrtp with the packet length as the `int` it wants, and maps its status.
    private func run(
        _ operation: String, _ buffer: UnsafeMutableRawBufferPointer, _ length: Int,
        _ call: (srtp_t, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) throws(MediaError) -> Int {
        // libsrtp counts in `int`; leave room for the trailer it may add.
        guard let base = buffer.baseAddress, length <= Int(Int32.max) - SRTPCryptoSuite.maximumOverhead,
            var cLength = Int32(exactly: length)
        else {
            throw .srtpMalformedPacket(reason: "packet of \(length) octets is too long")
        }
        let status = call(context, base, &cLength)
        guard status == srtp_err_status_ok else { throw SRTPSession.error(for: status, operation: operation) }
        // libsrtp only ever adds a trailer or removes one; never trust a length outside the buffer.
        let newLength = Int(cLength)
        guard (0...buffer.count).contains(newLength) else {
            throw .srtp(operation: operation, status: srtp_err_status_fail.rawValue)
        }
        return newLength
    }

    /// What a libsrtp status means for the packet and the leg.
    static func error(for status: srtp_err_status_t, operation: String) -> MediaError {
        switch status {
        case srtp_err_status_auth_fail: .srtpAuthenticationFailed
        case srtp_err_status_replay_fail: .srtpReplay(tooOld: false)
        case srtp_err_status_replay_old: .srtpReplay(tooOld: true)
        case srtp_err_status_bad_param, srtp_err_status_parse_err:
            .srtpMalformedPacket(reason: "rejected by libsrtp in \(operation)")
        case srtp_err_status_cant_check:
            // libsrtp checks the SRTCP E flag before authenticating: a clear E flag on a session
            // that encrypts (RFC 3711 §3.4) is refused, whatever the rest of the packet says.
            .srtpMalformedPacket(reason: "SRTCP E flag clear but the session encrypts")
        default: .srtp(operation: operation, status: status.rawValue)
        }
    }
}
