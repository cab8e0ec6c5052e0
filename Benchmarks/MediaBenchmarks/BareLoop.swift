import LegMedia
import Media
import RTP

/// The bare library calls for the same frames, nothing else: libsrtp2 (through `SRTPSession`'s
/// in-place calls) and the codec, in buffers allocated once. Per frame: unprotect the phone's
/// packet, decode its payload, then encode the audio (the echo, or the meeting's way back) behind
/// a fixed RTP header and protect it.
final class BareLoop: FrameLoop {
    enum Path {
        /// G.711 echo: decode 160 codes, encode 160 samples.
        case g711(G711Law)
        /// Opus echo: decode, encode (the leg's settings: 8 kHz, in-band FEC).
        case opus(OpusEncoder, OpusDecoder)
        /// The transcode path: G.711 decode → Opus encode (to the meeting), Opus decode → G.711
        /// encode (back); the meeting's packet is the one just encoded.
        case transcode(G711Law, OpusEncoder, OpusDecoder)
    }

    private let path: Path
    private let phone: Phone
    private let unprotect: SRTPSession
    private let protect: SRTPSession
    private var inbound: [[UInt8]] = []
    /// The received packet, unprotected in place.
    private var packet: [UInt8]
    /// The packet we send: a fixed 12-octet RTP header, the payload, room for the SRTP tag.
    private var outbound: [UInt8]
    private var pcm: [Int16]
    private var meetingPacket: [UInt8]
    private var sequenceNumber: UInt16 = 0
    private var timestamp: UInt32 = 0
    private let timestampStep: UInt32

    init(path: Path, phoneCodec: LegMediaConfiguration.Codec, phoneKey: [UInt8], gatewayKey: [UInt8]) {
        self.path = path
        phone = Phone(codec: phoneCodec, key: phoneKey)
        unprotect = must("bare SRTP in") { try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: phoneKey) }
        protect = must("bare SRTP out") {
            try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .outbound, masterKeyAndSalt: gatewayKey)
        }
        let capacity = RTPHeader.fixedSize + OpusEncoder.maxPacketSize + SRTPCryptoSuite.maximumOverhead
        packet = Array(repeating: 0, count: capacity)
        outbound = Array(repeating: 0, count: capacity)
        pcm = Array(repeating: 0, count: 160)
        meetingPacket = Array(repeating: 0, count: OpusEncoder.maxPacketSize)
        // RFC 3550 §5.1: version 2, payload type, and our SSRC; sequence and timestamp change per packet.
        outbound[0] = 0x80
        outbound[1] = Phone.payloadType(phoneCodec)
        outbound[8] = 0x12
        outbound[9] = 0x34
        outbound[10] = 0x56
        outbound[11] = 0x78
        timestampStep = UInt32(phoneCodec.clockRate / 50)
    }

    func prepare(_ count: Int) { inbound = phone.next(count) }

    func frame(_ index: Int) {
        let datagram = opaque(inbound[index])
        packet.withUnsafeMutableBufferPointer { packet in
            pcm.withUnsafeMutableBufferPointer { pcm in
                outbound.withUnsafeMutableBufferPointer { outbound in
                    meetingPacket.withUnsafeMutableBufferPointer { meeting in
                        frame(datagram, packet, pcm, outbound, meeting)
                    }
                }
            }
        }
    }

    private func frame(
        _ datagram: [UInt8], _ packet: UnsafeMutableBufferPointer<UInt8>, _ pcm: UnsafeMutableBufferPointer<Int16>,
        _ outbound: UnsafeMutableBufferPointer<UInt8>, _ meeting: UnsafeMutableBufferPointer<UInt8>
    ) {
        let length = datagram.withUnsafeBufferPointer { source in
            _ = packet.initialize(fromContentsOf: source)
            return must("bare unprotect") { try unprotect.unprotectRTP(in: UnsafeMutableRawBufferPointer(packet), length: source.count) }
        }
        // The phone's packets have a 12-octet header (no CSRCs, no extension).
        let payload = UnsafeBufferPointer(rebasing: packet[RTPHeader.fixedSize..<length])
        let body = UnsafeMutableBufferPointer(rebasing: outbound[RTPHeader.fixedSize...])
        let payloadLength: Int
        switch path {
        case .g711(let law):
            law.decode(payload, into: pcm)
            payloadLength = law.encode(UnsafeBufferPointer(pcm), into: body)
        case .opus(let encoder, let decoder):
            _ = must("bare Opus decode") { try decoder.decode(payload, into: pcm) }
            payloadLength = must("bare Opus encode") {
                try encoder.encode(UnsafeBufferPointer(pcm), into: UnsafeMutableBufferPointer(rebasing: body[..<OpusEncoder.maxPacketSize]))
            }
        case .transcode(let law, let encoder, let decoder):
            law.decode(payload, into: pcm)
            let meetingLength = must("bare Opus encode") { try encoder.encode(UnsafeBufferPointer(pcm), into: meeting) }
            _ = must("bare Opus decode") { try decoder.decode(UnsafeBufferPointer(rebasing: meeting[..<meetingLength]), into: pcm) }
            payloadLength = law.encode(UnsafeBufferPointer(pcm), into: body)
        }
        outbound[2] = UInt8(truncatingIfNeeded: sequenceNumber >> 8)
        outbound[3] = UInt8(truncatingIfNeeded: sequenceNumber)
        outbound[4] = UInt8(truncatingIfNeeded: timestamp >> 24)
        outbound[5] = UInt8(truncatingIfNeeded: timestamp >> 16)
        outbound[6] = UInt8(truncatingIfNeeded: timestamp >> 8)
        outbound[7] = UInt8(truncatingIfNeeded: timestamp)
        sequenceNumber &+= 1
        timestamp &+= timestampStep
        let sent = must("bare protect") {
            try protect.protectRTP(in: UnsafeMutableRawBufferPointer(outbound), length: RTPHeader.fixedSize + payloadLength)
        }
        consume(sent)
    }
}
