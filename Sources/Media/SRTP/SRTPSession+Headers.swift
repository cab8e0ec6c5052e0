extension SRTPSession {
    /// RFC 3550 §5.1: version 2 in the top two bits of the first octet.
    static let rtpVersion: UInt8 = 2

    /// Checks, before libsrtp sees the packet, that `buffer[0..<length]` holds a whole RTP
    /// header (fixed part, CSRCs, header extension; RFC 3550 §5.1, §5.3.1) followed by at least
    /// `trailer` octets. libsrtp 2.5 checks this too; checking here gives a typed reason and
    /// does not depend on the library version's checks.
    static func checkRTPHeader(_ buffer: UnsafeMutableRawBufferPointer, length: Int, trailer: Int) throws(MediaError) {
        guard length >= 0, length <= buffer.count else {
            throw .srtpBadParameter("length \(length) outside a buffer of \(buffer.count) octets")
        }
        let available = length - trailer
        guard available >= rtpFixedHeaderLength else {
            throw .srtpMalformedPacket(reason: "\(length) octets is shorter than an RTP header and tag")
        }
        let first = buffer[0]
        guard first >> 6 == rtpVersion else { throw .srtpMalformedPacket(reason: "RTP version is not 2") }
        // RFC 3550 §5.1: CC is the low four bits; each CSRC is 4 octets.
        var headerLength = rtpFixedHeaderLength + 4 * Int(first & 0x0F)
        if first & 0x10 != 0 {
            // RFC 3550 §5.3.1: a 4-octet extension header whose second half counts 32-bit words.
            guard headerLength + 4 <= available else {
                throw .srtpMalformedPacket(reason: "RTP header extension runs past the end")
            }
            let words = Int(buffer[headerLength + 2]) << 8 | Int(buffer[headerLength + 3])
            headerLength += 4 + 4 * words
        }
        guard headerLength <= available else {
            throw .srtpMalformedPacket(reason: "RTP header (\(headerLength) octets) runs past the end")
        }
    }

    /// Checks that `buffer[0..<length]` holds at least the first RTCP header and the sender
    /// SSRC (RFC 3550 §6.4.1) followed by `trailer` octets.
    static func checkRTCPHeader(_ buffer: UnsafeMutableRawBufferPointer, length: Int, trailer: Int) throws(MediaError) {
        guard length >= 0, length <= buffer.count else {
            throw .srtpBadParameter("length \(length) outside a buffer of \(buffer.count) octets")
        }
        guard length - trailer >= rtcpHeaderLength else {
            throw .srtpMalformedPacket(reason: "\(length) octets is shorter than an RTCP header and SRTCP trailer")
        }
        guard buffer[0] >> 6 == rtpVersion else { throw .srtpMalformedPacket(reason: "RTCP version is not 2") }
    }
}
