import LegMedia
import Media
import RTP

#if canImport(Glibc)
    import Glibc  // libm: sin, exp
#endif

/// The far end of a leg: a phone sending 20 ms RTP packets of a test signal, SRTP-protected with its
/// own key, as a stream that goes on for as long as asked (sequence numbers and timestamps continue,
/// so the leg's SRTP replay window and jitter buffer see a real stream, not a replayed one).
final class Phone {
    static let address = LegMediaConfiguration.Address(host: "192.0.2.10", port: 40000)
    static let ssrc: UInt32 = 0xCAFE_F00D
    /// 5 s of signal, looped.
    static let signalFrames = 250

    let codec: LegMediaConfiguration.Codec
    let payloadType: UInt8
    /// One encoded 20 ms frame per entry.
    let payloads: [[UInt8]]
    private let srtp: SRTPSession
    private var sequenceNumber: UInt16 = 1000
    private var timestamp: UInt32 = 0
    private var frame = 0

    init(codec: LegMediaConfiguration.Codec, key: [UInt8]) {
        self.codec = codec
        payloadType = Self.payloadType(codec)
        srtp = must("phone SRTP") { try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .outbound, masterKeyAndSalt: key) }
        let samples = Self.signal(frames: Self.signalFrames)
        let encoder = codec == .opus ? must("phone Opus encoder") { try OpusEncoder(sampleRate: 8000) } : nil
        let law: G711Law = codec == .pcma ? .aLaw : .muLaw
        payloads = (0..<Self.signalFrames).map { index in
            let pcm = Array(samples[(index * 160)..<(index * 160 + 160)])
            if let encoder { return must("phone Opus encode") { try encoder.encode(pcm) } }
            return pcm.map { law.encode($0) }
        }
    }

    static func payloadType(_ codec: LegMediaConfiguration.Codec) -> UInt8 {
        switch codec {
        case .pcmu: 0
        case .pcma: 8
        case .opus: 111
        }
    }

    /// A speech-like test signal at 8 kHz: a 140 Hz voice with harmonics whose pitch and loudness
    /// drift, syllable-like bursts and pauses, and a little noise (Opus's cost depends on content).
    static func signal(frames: Int) -> [Int16] {
        var noise: UInt32 = 12345
        return (0..<(frames * 160)).map { n in
            let t = Double(n) / 8000
            let pitch = 140 + 30 * sin(2 * .pi * 0.7 * t)
            let syllable = max(0, sin(2 * .pi * 3.1 * t)) * (0.6 + 0.4 * sin(2 * .pi * 0.23 * t))
            var voice = 0.0
            for harmonic in 1...6 {
                voice += sin(2 * .pi * pitch * Double(harmonic) * t) / Double(harmonic)
            }
            noise = noise &* 1_664_525 &+ 1_013_904_223
            let hiss = Double(Int32(bitPattern: noise) >> 16) / 32768
            return Int16(5000 * syllable * voice + 200 * hiss)
        }
    }

    /// The next `count` SRTP packets, each in its own array: the adapter's copy of a datagram.
    func next(_ count: Int) -> [[UInt8]] {
        (0..<count).map { _ in
            let header = RTPHeader(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: Self.ssrc)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(RTPHeader.fixedSize + OpusEncoder.maxPacketSize + SRTPCryptoSuite.maximumOverhead)
            let payload = payloads[frame % payloads.count]
            must("phone RTP") { try RTPPacket(header: header, payload: payload).serialize(into: &bytes) }
            must("phone SRTP protect") { try srtp.protectRTP(&bytes) }
            sequenceNumber &+= 1
            timestamp &+= UInt32(codec.clockRate / 50)
            frame += 1
            return bytes
        }
    }
}
