import LegMedia
import Media
import RTP

/// The transcode path as a phone's audio takes it into a meeting and back, assembled from the
/// same cores the leg uses, because `PhoneLegMedia` only echoes in its own codec until the meeting
/// bridge exists:
/// SRTP unprotect → RTP parse → jitter buffer → G.711 decode → Opus encode (to the meeting), and
/// Opus decode (the meeting's packet; here the one just encoded) → G.711 encode → RTP → SRTP protect.
final class TranscodeLoop: FrameLoop {
    private let phone: Phone
    private let unprotect: SRTPSession
    private let protect: SRTPSession
    private var jitterBuffer: JitterBuffer<ArraySlice<UInt8>>
    private let law = G711Law.muLaw
    private let toMeeting: OpusEncoder
    private let fromMeeting: OpusDecoder
    private var inbound: [[UInt8]] = []
    private var pcm: [Int16] = Array(repeating: 0, count: 160)
    private var meetingPacket: [UInt8] = Array(repeating: 0, count: OpusEncoder.maxPacketSize)
    private var payload: [UInt8] = Array(repeating: 0, count: 160)
    /// The datagram we send, built in place each frame (as the leg's send buffer is).
    private var out: [UInt8] = []
    private var now: Duration = .zero
    private var sequenceNumber: UInt16 = 0
    private var timestamp: UInt32 = 0
    private(set) var frames = 0
    private(set) var played = 0

    init(phoneKey: [UInt8], gatewayKey: [UInt8]) {
        phone = Phone(codec: .pcmu, key: phoneKey)
        unprotect = must("SRTP in") { try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: phoneKey) }
        protect = must("SRTP out") { try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .outbound, masterKeyAndSalt: gatewayKey) }
        jitterBuffer = must("jitter buffer") { try JitterBuffer(configuration: JitterBufferConfiguration()) }
        toMeeting = must("Opus encoder") { try OpusEncoder(sampleRate: 8000) }
        fromMeeting = must("Opus decoder") { try OpusDecoder(sampleRate: 8000) }
    }

    func prepare(_ count: Int) { inbound = phone.next(count) }

    func frame(_ index: Int) {
        // In: as the leg receives a datagram.
        var bytes: [UInt8] = []
        swap(&bytes, &inbound[index])
        bytes = opaque(bytes)
        must("unprotect") { try unprotect.unprotectRTP(&bytes) }
        let packet = must("RTP parse") { try RTPPacket(parsing: bytes) }
        jitterBuffer.insert(
            sequence: packet.header.sequenceNumber, timestamp: packet.header.timestamp, frame: packet.payload, arrival: now)

        // The 20 ms tick: play out, to the meeting and back.
        let heard: Bool
        if case .frame(let frame, _, _) = jitterBuffer.pop(at: now + .milliseconds(1)) {
            pcm.withUnsafeMutableBufferPointer { pcm in _ = frame.withUnsafeBufferPointer { law.decode($0, into: pcm) } }
            heard = true
        } else {
            heard = false
        }
        if heard {
            played += 1
            let length = pcm.withUnsafeBufferPointer { pcm in
                meetingPacket.withUnsafeMutableBufferPointer { packet in must("Opus encode") { try toMeeting.encode(pcm, into: packet) } }
            }
            pcm.withUnsafeMutableBufferPointer { pcm in
                _ = meetingPacket.withUnsafeBufferPointer { packet in
                    must("Opus decode") { try fromMeeting.decode(UnsafeBufferPointer(rebasing: packet[..<length]), into: pcm) }
                }
            }
            payload.withUnsafeMutableBufferPointer { codes in _ = pcm.withUnsafeBufferPointer { law.encode($0, into: codes) } }
            let header = RTPHeader(payloadType: 0, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: 0x1234_5678)
            sequenceNumber &+= 1
            out.removeAll(keepingCapacity: true)
            out.reserveCapacity(header.serializedSize + payload.count + SRTPCryptoSuite.maximumOverhead)
            must("RTP serialize") { try RTPPacket(header: header, payload: payload[...]).serialize(into: &out) }
            must("protect") { try protect.protectRTP(&out) }
            consume(out.count)
        }
        timestamp &+= 160
        now += .milliseconds(20)
        frames += 1
    }

    var check: String { "played \(format(Double(played))) of \(format(Double(frames))) frames from the jitter buffer" }
}
