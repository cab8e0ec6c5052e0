import LegMedia
import Media

/// The whole leg: `PhoneLegMedia.receive` of one SRTP datagram and one `tick` (echo), per frame.
final class LegLoop: FrameLoop {
    let leg: PhoneLegMedia
    private let phone: Phone
    private var inbound: [[UInt8]] = []
    private var now: Duration = .zero
    private(set) var frames = 0

    init(codec: LegMediaConfiguration.Codec, phoneKey: [UInt8], gatewayKey: [UInt8]) {
        phone = Phone(codec: codec, key: phoneKey)
        let configuration = LegMediaConfiguration(
            codec: codec, payloadType: Phone.payloadType(codec), telephoneEventPayloadType: 101, remoteRTP: Phone.address,
            remoteRTCP: LegMediaConfiguration.Address(host: Phone.address.host, port: Phone.address.port + 1), rtcpMux: false,
            srtp: .init(suite: .aesCM128HMACSHA1Tag80, local: gatewayKey, remote: phoneKey), application: .echo)
        var random = SystemRandomNumberGenerator()
        leg = must("leg") {
            try PhoneLegMedia(configuration: configuration, clock: LegClock(now: .zero, ntpTime: .seconds(3_900_000_000)), random: &random)
        }
    }

    func prepare(_ count: Int) { inbound = phone.next(count) }

    func frame(_ index: Int) {
        // The leg unprotects in place in the adapter's copy; hand it over without copying.
        var bytes: [UInt8] = []
        swap(&bytes, &inbound[index])
        bytes = opaque(bytes)
        _ = leg.receive(&bytes, from: Phone.address, now: now)
        // The media clock ticks 1 ms after the packet arrived, as on a real loop.
        _ = leg.tick(now: now + .milliseconds(1)) { consume($0) }
        now += .milliseconds(20)
        frames += 1
    }

    /// A line saying the leg really did the work (every packet played and echoed).
    var check: String {
        let s = leg.statistics
        return "received \(format(Double(s.packetsReceived))) of \(format(Double(frames))), sent \(format(Double(s.packetsSent))) RTP, "
            + "concealed \(s.concealedFrames), late \(s.lateFrames), SRTP failures \(s.srtpFailures)"
    }
}
