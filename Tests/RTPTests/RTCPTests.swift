import RTP
import Testing

@Suite("RTCP packets")
struct RTCPTests {
    static let block = RTCPReportBlock(
        ssrc: 0x0102_0304, fractionLost: 42, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005, jitter: 9,
        lastSenderReport: 0x5678_9ABC, delaySinceLastSenderReport: 163_840)

    @Test func senderReportRoundTripWithKnownOctets() throws {
        let report = RTCPSenderReport(
            ssrc: 0xAABB_CCDD, ntpTimestamp: NTPTimestamp(seconds: 0xE000_0001, fraction: 0x8000_0000),
            rtpTimestamp: 160, packetCount: 5, octetCount: 800, reportBlocks: [Self.block])
        let compound = RTCPCompoundPacket(packets: [.senderReport(report)])
        let bytes = try compound.serialized()
        // V=2 RC=1, PT 200, length (52 / 4) - 1 = 12.
        #expect(Array(bytes.prefix(4)) == hex("81 c8 00 0c"))
        // Report block second word: fraction 42, cumulative lost -3 as 24-bit two's complement.
        #expect(Array(bytes[32..<36]) == hex("2a ff ff fd"))
        #expect(bytes.count == 52)
        #expect(try RTCPCompoundPacket(parsing: bytes) == compound)
    }

    @Test func compoundReceiverReportSDESByeAppAndUnknownRoundTrip() throws {
        let compound = RTCPCompoundPacket(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: 1, reportBlocks: [Self.block, Self.block])),
            .sourceDescription(
                RTCPSourceDescription(chunks: [
                    .init(source: 1, items: [.init(type: .cname, text: "dialgate@192.0.2.1"), .init(type: .tool, text: "dialgate")]),
                    .init(source: 2, items: [.init(type: .cname, text: "x")]),
                ])),
            .application(RTCPApplicationDefined(subtype: 3, ssrc: 1, name: 0x7465_7374, data: [1, 2, 3, 4])),
            .unknown(RTCPUnknownPacket(packetType: 205, count: 1, body: [0, 0, 0, 1, 0, 0, 0, 2])),
            .goodbye(RTCPGoodbye(sources: [1, 2], reasonText: "call ended")),
        ])
        let bytes = try compound.serialized()
        #expect(bytes.count == compound.serializedSize)
        #expect(bytes.count % 4 == 0)
        let parsed = try RTCPCompoundPacket(parsing: bytes)
        #expect(parsed == compound)
        guard case .sourceDescription(let sdes) = parsed.packets[1] else {
            Issue.record("expected SDES second")
            return
        }
        #expect(sdes.cname(of: 1) == "dialgate@192.0.2.1")
        #expect(sdes.cname(of: 3) == nil)
        guard case .goodbye(let bye) = parsed.packets[4] else {
            Issue.record("expected BYE last")
            return
        }
        #expect(bye.reasonText == "call ended")
    }

    @Test func sdesChunkPaddingIsExact() throws {
        // CNAME "ab": SSRC(4) + type(1) + len(1) + 2 + null(1) = 9 → padded to 12; packet 16 bytes.
        let sdes = RTCPSourceDescription(source: 7, cname: "ab")
        let bytes = try RTCPCompoundPacket(packets: [.sourceDescription(sdes)]).serialized()
        #expect(bytes == hex("81 ca 00 03 00 00 00 07 01 02 61 62 00 00 00 00"))
        #expect(try RTCPCompoundPacket(parsing: bytes, requireReportFirst: false).packets == [.sourceDescription(sdes)])
    }

    @Test func paddingOnTheLastPacketIsRemoved() throws {
        // RR with no blocks, P set, 4 octets of padding (count 4), length 2 → 12 bytes.
        let bytes = hex("a0 c9 00 02 00 00 00 09 00 00 00 04")
        let parsed = try RTCPCompoundPacket(parsing: bytes)
        #expect(parsed.packets == [.receiverReport(RTCPReceiverReport(ssrc: 9))])
    }

    @Test func typedErrorsForMalformedCompounds() {
        let rr = hex("80 c9 00 01 00 00 00 09")
        let sdes = hex("81 ca 00 03 00 00 00 07 01 02 61 62 00 00 00 00")
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: sdes) }
                == .rtcpCompoundMustStartWithReport(firstPacketType: 202))
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: hex("80 c9 00 05 00 00 00 09")) }
                == .rtcpLengthOverrun(packetType: 201, declared: 24, available: 8))
        // RC = 1 but no report block follows.
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: hex("81 c9 00 01 00 00 00 09")) }
                == .rtcpCountMismatch(packetType: 201, count: 1, bodyLength: 4))
        // Padding bit on the first of two packets.
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: [0xA0] + rr.dropFirst() + sdes) }
                == .rtcpPaddingNotLast(packetType: 201))
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: rr + [0x80, 0xCA]) }
                == .truncated(what: "RTCP header", needed: 4, available: 2))
        #expect(rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: [0x40] + rr.dropFirst()) } == .unsupportedVersion(1))
        // SDES item whose length runs past the packet, and an item list with no null terminator.
        #expect(
            rtpError { () throws(RTPError) in
                try RTCPCompoundPacket(parsing: hex("81 ca 00 02 00 00 00 07 01 09 61 62"), requireReportFirst: false)
            } == .truncated(what: "SDES item", needed: 9, available: 2))
        #expect(
            rtpError { () throws(RTPError) in
                try RTCPCompoundPacket(parsing: hex("81 ca 00 02 00 00 00 07 01 02 61 62"), requireReportFirst: false)
            } == .sdesUnterminated(source: 7))
        // BYE with a reason length past the end.
        #expect(
            rtpError { () throws(RTPError) in
                try RTCPCompoundPacket(parsing: hex("81 cb 00 02 00 00 00 07 08 61 62 63"), requireReportFirst: false)
            } == .truncated(what: "BYE reason", needed: 8, available: 3))
    }

    @Test func serializationRejectsTooManyBlocks() {
        let report = RTCPReceiverReport(ssrc: 1, reportBlocks: Array(repeating: Self.block, count: 32))
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(packets: [.receiverReport(report)]).serialized() }
                == .fieldOutOfRange(field: "RR report block count", value: 32, limit: 31))
    }

    @Test func compoundPacketCountIsBounded() {
        let rr = hex("80 c9 00 01 00 00 00 09")
        let many = Array((0..<40).map { _ in rr }.joined())
        #expect(
            rtpError { () throws(RTPError) in try RTCPCompoundPacket(parsing: many) }
                == .tooMany(what: "RTCP packets in a compound packet", count: 33, limit: 32))
    }

    @Test func roundTripTimeFromTheRFC3550Example() {
        // RFC 3550 §6.4.1 figure: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000 (46853.125 s),
        // DLSR = 0x0005:4000 (5.250 s) → RTT = 46864.500 - 46853.125 - 5.250 = 6.125 s.
        let block = RTCPReportBlock(
            ssrc: 1, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 0, jitter: 0,
            lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        let arrival = NTPTimestamp(seconds: 0xB710, fraction: 0x8000_0000)
        #expect(arrival.compact == 0xB710_8000)
        #expect(block.roundTripTime(arrivedAt: arrival) == .milliseconds(6125))
        // Checked against the SR we sent: 46853.125 s is seconds 0xb705, fraction 0x2000 << 16.
        let sent = NTPTimestamp(seconds: 0xB705, fraction: 0x2000_0000)
        #expect(block.roundTripTime(arrivedAt: arrival, forSenderReportSentAt: sent) == .milliseconds(6125))
        #expect(block.roundTripTime(arrivedAt: arrival, forSenderReportSentAt: NTPTimestamp(seconds: 1, fraction: 0)) == nil)
        // No LSR: no RTT. DLSR larger than the elapsed time: no RTT.
        var noSR = block
        noSR.lastSenderReport = 0
        #expect(noSR.roundTripTime(arrivedAt: arrival) == nil)
        var skewed = block
        skewed.delaySinceLastSenderReport = 0x000C_0000
        #expect(skewed.roundTripTime(arrivedAt: arrival) == nil)
    }

    @Test func ntpConversions() {
        let time = NTPTimestamp(sinceEpoch: .seconds(3) + .milliseconds(500))
        #expect(time == NTPTimestamp(seconds: 3, fraction: 0x8000_0000))
        #expect(time.advanced(by: .milliseconds(250)) == NTPTimestamp(seconds: 3, fraction: 0xC000_0000))
        #expect(NTPTimestamp.compactUnits(.milliseconds(2500)) == 163_840)
        #expect(NTPTimestamp.duration(compact: 163_840) == .milliseconds(2500))
        #expect(NTPTimestamp(rawValue: time.rawValue) == time)
    }
}
