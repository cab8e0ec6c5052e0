import RTP
import TestSupport
import Testing

@Suite("Random and mutated input never crashes any parser")
struct RandomInputTests {
    /// Runs one buffer through every parser. Whatever parses must serialize and parse back to itself.
    static func exercise(_ bytes: [UInt8], receiver: inout TelephoneEventReceiver) -> Int {
        var parsedCount = 0
        _ = RTPDemultiplexer.classify(bytes)
        if let packet = try? RTPPacket(parsing: bytes) {
            parsedCount += 1
            _ = try? packet.header.headerExtension?.elements()
            if let again = try? RTPPacket(parsing: try packet.serialized()) {
                #expect(again == packet)
            } else {
                Issue.record("RTP packet did not survive a round trip: \(bytes)")
            }
            if let event = try? TelephoneEvent(parsing: packet.payload) {
                _ = receiver.receive(
                    marker: packet.header.marker, timestamp: packet.header.timestamp,
                    sequenceNumber: packet.header.sequenceNumber, ssrc: packet.header.ssrc, payload: event)
            }
        }
        _ = bytes.withUnsafeBytes { try? RTPPacketLayout(parsing: $0) }
        for requireReport in [true, false] {
            if let compound = try? RTCPCompoundPacket(parsing: bytes, requireReportFirst: requireReport) {
                parsedCount += 1
                // Unknown packets with a body not a multiple of 4 cannot be written back; that is fine.
                if let written = try? compound.serialized() {
                    let again = try? RTCPCompoundPacket(parsing: written, requireReportFirst: requireReport)
                    #expect(again == compound, "RTCP round trip of \(bytes)")
                }
            }
        }
        _ = try? TelephoneEvent(parsing: bytes)
        _ = try? ComfortNoise(parsing: bytes)
        return parsedCount
    }

    @Test func tenThousandRandomBuffers() {
        var generator = SeededGenerator(seed: 0x5EED_4733)
        var receiver = TelephoneEventReceiver()
        var parsed = 0
        for round in 0..<10_000 {
            let length = Int.random(in: 0...96, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Half the time make it look like version 2, so the parsers get past the first check.
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x80 | (bytes[0] & 0x3F) }
            // A quarter of those get an RTCP packet type.
            if round % 4 == 0, bytes.count > 1 { bytes[1] = UInt8.random(in: 200...204, using: &generator) }
            parsed += Self.exercise(bytes, receiver: &receiver)
        }
        #expect(parsed > 500)  // the generator did reach the deep paths (991 with this seed)
    }

    @Test func everyTruncationAndBitFlipOfValidPackets() throws {
        let rtp = try RTPPacket(
            header: RTPHeader(
                marker: true, payloadType: 101, sequenceNumber: 9, timestamp: 100, ssrc: 5, csrcs: [1, 2],
                headerExtension: try RTPHeaderExtension(elements: [RTPHeaderExtensionElement(id: 3, data: [1, 2, 3])])),
            payload: [1, 0x8A, 0, 160], paddingLength: 4
        ).serialized()
        let rtcp = try RTCPCompoundPacket(packets: [
            .senderReport(
                RTCPSenderReport(
                    ssrc: 1, ntpTimestamp: NTPTimestamp(seconds: 1, fraction: 2), rtpTimestamp: 3, packetCount: 4, octetCount: 5,
                    reportBlocks: [
                        RTCPReportBlock(
                            ssrc: 2, fractionLost: 1, cumulativeLost: 2, extendedHighestSequence: 3, jitter: 4, lastSenderReport: 5,
                            delaySinceLastSenderReport: 6)
                    ])),
            .sourceDescription(RTCPSourceDescription(source: 1, cname: "cname@host")),
            .goodbye(RTCPGoodbye(sources: [1], reasonText: "bye")),
        ]).serialized()
        var receiver = TelephoneEventReceiver()
        for valid in [rtp, rtcp] {
            for length in 0...valid.count {
                _ = Self.exercise(Array(valid.prefix(length)), receiver: &receiver)
            }
            for bit in 0..<(valid.count * 8) {
                var mutated = valid
                mutated[bit / 8] ^= 1 << (bit % 8)
                _ = Self.exercise(mutated, receiver: &receiver)
            }
        }
        #expect(Self.exercise(rtp, receiver: &receiver) >= 1)
        // Both RTCP modes parse it, and so does the RTP parser (byte 1 = 200 reads as M=1, PT 72).
        #expect(Self.exercise(rtcp, receiver: &receiver) == 3)
    }
}
