import LegMedia
import Media
import RTP
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// One leg, driven in memory as the adapter would: datagrams in, 20 ms ticks, datagrams out.
/// A scripted "phone" (built from the same RTP/SRTP/codec cores) plays the other side.
@Suite struct PhoneLegMediaTests {
    static let phone = LegMediaConfiguration.Address(host: "127.0.0.1", port: 40000)
    static let frame: Duration = .milliseconds(20)

    static func configuration(
        codec: LegMediaConfiguration.Codec = .pcmu, application: LegMediaConfiguration.Application = .echo,
        srtp: LegMediaConfiguration.SRTPKeys? = nil
    ) -> LegMediaConfiguration {
        LegMediaConfiguration(
            codec: codec, payloadType: codec == .opus ? 111 : (codec == .pcmu ? 0 : 8), telephoneEventPayloadType: 101, remoteRTP: phone,
            remoteRTCP: LegMediaConfiguration.Address(host: "127.0.0.1", port: 40001), rtcpMux: false, srtp: srtp, application: application,
            noMediaTimeout: .seconds(2))
    }

    static func leg(_ configuration: LegMediaConfiguration) throws -> PhoneLegMedia {
        var random = SeededGenerator(seed: 1)
        return try PhoneLegMedia(
            configuration: configuration, clock: LegClock(now: .zero, ntpTime: .seconds(3_900_000_000)), random: &random)
    }

    /// A 440 Hz + 1 kHz test signal, 8 kHz.
    static func signal(frames: Int) -> [Int16] {
        (0..<(frames * 160)).map { n in
            let t = Double(n) / 8000
            return Int16(6000 * sin(2 * .pi * 440 * t) + 4000 * sin(2 * .pi * 1000 * t))
        }
    }

    /// RTP packets of `samples` as a phone would send them, 20 ms each.
    static func phonePackets(_ samples: [Int16], codec: LegMediaConfiguration.Codec, ssrc: UInt32 = 0xCAFE) throws -> [[UInt8]] {
        let encoder = codec == .opus ? try OpusEncoder(sampleRate: 8000) : nil
        let law: G711Law = codec == .pcma ? .aLaw : .muLaw
        var packets: [[UInt8]] = []
        for index in 0..<(samples.count / 160) {
            let pcm = Array(samples[(index * 160)..<(index * 160 + 160)])
            let payload = try encoder.map { try $0.encode(pcm) } ?? pcm.map { law.encode($0) }
            let header = RTPHeader(
                payloadType: codec == .opus ? 111 : (codec == .pcmu ? 0 : 8), sequenceNumber: UInt16(1000 + index),
                timestamp: UInt32(index * (codec == .opus ? 960 : 160)), ssrc: ssrc)
            packets.append(try RTPPacket(header: header, payload: payload).serialized())
        }
        return packets
    }

    /// Runs the leg for `packets.count + extra` frames, one phone packet in per frame.
    static func run(_ leg: PhoneLegMedia, packets: [[UInt8]], from: LegMediaConfiguration.Address = phone, extra: Int = 10)
        -> (out: [PhoneLegMedia.Datagram], events: [LegMediaEvent])
    {
        var out: [PhoneLegMedia.Datagram] = []
        var events: [LegMediaEvent] = []
        for index in 0..<(packets.count + extra) {
            let now = frame * index
            if index < packets.count {
                var bytes = packets[index]
                events += leg.receive(&bytes, from: from, now: now)
            }
            events += leg.tick(now: now + .milliseconds(1)) { out.append(PhoneLegMedia.Datagram($0)) }
        }
        return (out, events)
    }

    static func decodeRTP(_ datagrams: [PhoneLegMedia.Datagram], codec: LegMediaConfiguration.Codec) throws -> [Int16] {
        let decoder = codec == .opus ? try OpusDecoder(sampleRate: 8000) : nil
        let law: G711Law = codec == .pcma ? .aLaw : .muLaw
        var pcm: [Int16] = []
        for datagram in datagrams where RTPDemultiplexer.classify(datagram.bytes) == .rtp {
            let packet = try RTPPacket(parsing: datagram.bytes)
            pcm += try decoder.map { try $0.decode(Array(packet.payload)) } ?? packet.payload.map { law.decode($0) }
        }
        return pcm
    }

    /// Best normalised cross-correlation of `received` against `sent` over lags up to `maxLag`.
    static func correlation(_ sent: [Int16], _ received: [Int16], maxLag: Int = 1200) -> Double {
        let window = 4000
        guard sent.count > window + 800 else { return 0 }
        let reference = sent[800..<(800 + window)].map(Double.init)
        var best = 0.0
        for lag in 0...maxLag where 800 + lag + window <= received.count {
            let candidate = received[(800 + lag)..<(800 + lag + window)].map(Double.init)
            var ab = 0.0, aa = 0.0, bb = 0.0
            for (x, y) in zip(reference, candidate) { ab += x * y; aa += x * x; bb += y * y }
            if aa > 0, bb > 0 { best = max(best, ab / (aa * bb).squareRoot()) }
        }
        return best
    }

    @Test(arguments: [LegMediaConfiguration.Codec.pcmu, .pcma, .opus])
    func echoReturnsWhatThePhoneSent(codec: LegMediaConfiguration.Codec) throws {
        let sent = Self.signal(frames: 60)
        let leg = try Self.leg(Self.configuration(codec: codec))
        let (out, events) = Self.run(leg, packets: try Self.phonePackets(sent, codec: codec))
        #expect(events.contains(.sourceLocked(Self.phone)))
        let rtp = out.filter { RTPDemultiplexer.classify($0.bytes) == .rtp }
        #expect(rtp.count >= 55)
        #expect(rtp.allSatisfy { $0.to == Self.phone })
        let echoed = try Self.decodeRTP(rtp, codec: codec)
        let score = Self.correlation(sent, echoed)
        #expect(score > (codec == .opus ? 0.85 : 0.98), "\(codec) echo correlation \(score)")
        #expect(leg.statistics.packetsReceived == 60)
    }

    /// A conference leg's tick in its two halves, as a media loop with bridges runs it: `playOut`
    /// hands the phone's frame to the port, and `send` sends the mix deposited between the two, in
    /// the same tick (no 20 ms wait on either way).
    @Test func aConferenceLegCrossesTheBridgeWithinOneTick() throws {
        let port = ConferencePort(depth: 3)
        let leg = try Self.leg(Self.configuration(application: .conference(port)))
        let packets = try Self.phonePackets(Self.signal(frames: 10), codec: .pcmu)
        var frame = [Int16](repeating: 0, count: ConferencePort.frameSize)
        var tickWithAudio: Int?
        for (index, packet) in packets.enumerated() {
            var bytes = packet
            let now = Self.frame * index
            _ = leg.receive(&bytes, from: Self.phone, now: now)
            _ = leg.playOut(now: now + .milliseconds(1))
            let heard = frame.withUnsafeMutableBufferPointer { port.takeFromLeg(into: $0) }
            var sent = 0
            if heard {
                tickWithAudio = tickWithAudio ?? index
                // The bridge's mix for this tick (here: the phone's own frame back).
                frame.withUnsafeBufferPointer { port.depositForLeg($0) }
            }
            _ = leg.send(now: now + .milliseconds(1)) { _ in sent += 1 }
            #expect(sent == (heard ? 1 : 0), "tick \(index): the mix made in this tick is sent in this tick")
        }
        #expect(tickWithAudio != nil, "the phone's audio reached the port")
    }

    @Test func srtpBothWays() throws {
        var random = SeededGenerator(seed: 9)
        let phoneKey = SRTPMasterKey.generate(for: .aesCM128HMACSHA1Tag80, using: &random).masterKeyAndSalt
        let gatewayKey = SRTPMasterKey.generate(for: .aesCM128HMACSHA1Tag80, using: &random).masterKeyAndSalt
        let leg = try Self.leg(Self.configuration(srtp: .init(suite: .aesCM128HMACSHA1Tag80, local: gatewayKey, remote: phoneKey)))
        let phoneOut = try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .outbound, masterKeyAndSalt: phoneKey)
        let phoneIn = try SRTPSession(suite: .aesCM128HMACSHA1Tag80, direction: .inbound, masterKeyAndSalt: gatewayKey)
        let sent = Self.signal(frames: 50)
        let protected = try Self.phonePackets(sent, codec: .pcmu).map { packet in
            var bytes = packet
            try phoneOut.protectRTP(&bytes)
            return bytes
        }
        let (out, _) = Self.run(leg, packets: protected)
        var clear: [PhoneLegMedia.Datagram] = []
        for var datagram in out where RTPDemultiplexer.classify(datagram.bytes) == .rtp {
            try phoneIn.unprotectRTP(&datagram.bytes)
            clear.append(datagram)
        }
        #expect(Self.correlation(sent, try Self.decodeRTP(clear, codec: .pcmu)) > 0.98)
        #expect(leg.statistics.srtpFailures == 0)
        // Plain RTP to an SRTP leg fails authentication: counted, dropped, never fatal.
        var plain = try Self.phonePackets(sent, codec: .pcmu)[0]
        _ = leg.receive(&plain, from: Self.phone, now: .seconds(2))
        #expect(leg.statistics.srtpFailures == 1)
    }

    @Test func packetsFromElsewhereAreDroppedOnceLocked() throws {
        let leg = try Self.leg(Self.configuration())
        let packets = try Self.phonePackets(Self.signal(frames: 10), codec: .pcmu)
        _ = Self.run(leg, packets: Array(packets[0..<5]), extra: 0)
        var injected = packets[5]
        let attacker = LegMediaConfiguration.Address(host: "127.0.0.66", port: 5004)
        _ = leg.receive(&injected, from: attacker, now: .milliseconds(200))
        #expect(leg.statistics.droppedFromOtherSources == 1)
        #expect(leg.statistics.packetsReceived == 5)
    }

    @Test func rfc4733DigitsAreReportedOnceEach() throws {
        let leg = try Self.leg(Self.configuration(application: .silence))
        var sender = try TelephoneEventSender()
        try sender.enqueue(digits: "19#", duration: 800)
        var events: [LegMediaEvent] = []
        var sequence: UInt16 = 7
        for slot in 0..<120 {
            guard let packet = sender.nextPacket(mediaTimestamp: UInt32(slot * 160)) else { continue }
            let header = RTPHeader(
                marker: packet.marker, payloadType: 101, sequenceNumber: sequence, timestamp: packet.timestamp, ssrc: 0xCAFE)
            sequence &+= 1
            var bytes = try RTPPacket(header: header, payload: try packet.payload.serialized()).serialized()
            events += leg.receive(&bytes, from: Self.phone, now: Self.frame * slot)
        }
        let digits = events.compactMap { if case .digit(let digit, .rfc4733) = $0 { digit } else { nil } }
        #expect(digits == ["1", "9", "#"])
    }

    @Test func silenceFromThePhoneIsReportedOnceAfterTheTimeout() throws {
        let leg = try Self.leg(Self.configuration())
        var noMedia: [LegMediaEvent] = []
        for index in 0..<200 {
            noMedia += leg.tick(now: Self.frame * index) { _ in }.filter { if case .noMedia = $0 { true } else { false } }
        }
        #expect(noMedia.count == 1)
    }

    @Test func playbackSendsWithoutInputAndRTCPFollows() throws {
        let leg = try Self.leg(
            Self.configuration(application: .playback(id: 1, [.tone(.beep(frequency: 1000, duration: .seconds(1), level: -10))])))
        var out: [PhoneLegMedia.Datagram] = []
        for index in 0..<300 { _ = leg.tick(now: Self.frame * index) { out.append(PhoneLegMedia.Datagram($0)) } }
        let rtp = out.filter { RTPDemultiplexer.classify($0.bytes) == .rtp }
        let rtcp = out.filter { RTPDemultiplexer.classify($0.bytes) == .rtcp }
        #expect(rtp.count == 50, "1 s of tone is 50 packets, then nothing")
        #expect(rtcp.count == 1)
        let report = try RTCPCompoundPacket(parsing: try #require(rtcp.first).bytes)
        guard case .senderReport(let sr) = report.packets.first else { Issue.record("no SR first"); return }
        #expect(sr.packetCount == 50)
        #expect(rtcp.first?.to.port == 40001)
    }
}

@Suite struct PhoneLegMediaDigitTests {
    @Test func digitsSentAsEventsReachThePhoneOnce() throws {
        let leg = try PhoneLegMediaTests.leg(PhoneLegMediaTests.configuration(application: .silence))
        #expect(try leg.sendDigits("42#"))
        var receiver = TelephoneEventReceiver()
        var heard: [Character] = []
        for index in 0..<100 {
            _ = leg.tick(now: PhoneLegMediaTests.frame * index) { datagram in
                guard RTPDemultiplexer.classify(datagram.bytes) == .rtp, let packet = try? RTPPacket(parsing: datagram.bytes),
                    packet.header.payloadType == 101
                else { return }
                for case .began(let event) in (try? receiver.receive(packet)) ?? [] { heard += event.digit.map { [$0] } ?? [] }
            }
        }
        #expect(heard == ["4", "2", "#"])
    }

    /// Barge-in: a digit from the caller stops the prompt at once.
    @Test func aDigitStopsThePromptWhenBargeInIsOn() throws {
        var configuration = PhoneLegMediaTests.configuration(
            application: .playback(id: 1, [.tone(.beep(frequency: 500, duration: .seconds(10), level: -10))]))
        configuration.bargeIn = true
        let leg = try PhoneLegMediaTests.leg(configuration)
        var sent = 0
        for index in 0..<10 { _ = leg.tick(now: PhoneLegMediaTests.frame * index) { _ in sent += 1 } }
        #expect(sent == 10)
        var sender = try TelephoneEventSender()
        try sender.enqueue(digits: "1")
        let first = sender.nextPacket(mediaTimestamp: 0)
        let event = try #require(first)
        var bytes = try RTPPacket(
            header: RTPHeader(marker: true, payloadType: 101, sequenceNumber: 1, timestamp: event.timestamp, ssrc: 7),
            payload: try event.payload.serialized()
        ).serialized()
        #expect(leg.receive(&bytes, from: PhoneLegMediaTests.phone, now: .milliseconds(200)) == [.digit("1", via: .rfc4733)])
        var after = 0
        for index in 11..<20 { _ = leg.tick(now: PhoneLegMediaTests.frame * index) { _ in after += 1 } }
        #expect(after == 0, "the 10 s tone stopped at the digit")
    }
}
