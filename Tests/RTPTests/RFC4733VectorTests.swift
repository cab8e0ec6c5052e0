import Foundation
import RTP
import Testing

/// The RFC 4733 §5 example packets (Figures 3–5) from `Vectors/rfc4733-examples.md` section 2.4.
enum RFC4733Vectors {
    /// Octets per figure number, read from the table rows `| 3: ... | `80 64 ...` + `01 94 06 e0` |`.
    static func figures() throws -> [Int: [UInt8]] {
        let url = try #require(Bundle.module.url(forResource: "rfc4733-examples", withExtension: "md", subdirectory: "Vectors"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var result: [Int: [UInt8]] = [:]
        for line in text.split(separator: "\n") {
            guard line.hasPrefix("| 3:") || line.hasPrefix("| 4:") || line.hasPrefix("| 5:") else { continue }
            let figure = Int(line.dropFirst(2).prefix(1))!
            let octetColumn = line.split(separator: "|").last!
            let spans = octetColumn.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            result[figure] = spans.flatMap { hex($0) }
        }
        return result
    }
}

@Suite("RFC 4733 example packets")
struct RFC4733VectorTests {
    @Test func vectorFileHasTheThreeFigures() throws {
        let figures = try RFC4733Vectors.figures()
        #expect(figures.keys.sorted() == [3, 4, 5])
        #expect(figures[3]?.count == 16)
    }

    @Test func figure3EventPacketParsesAndSerializesByteExact() throws {
        let bytes = try #require(try RFC4733Vectors.figures()[3])
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header == RTPHeader(marker: false, payloadType: 100, sequenceNumber: 18, timestamp: 11200, ssrc: 0x5234a8))
        let event = try TelephoneEvent(parsing: packet.payload)
        #expect(event == TelephoneEvent(event: 1, isEnd: true, volume: 20, duration: 1760))
        #expect(event.digit == "1")
        // Built from the field values, the packet is the same octets.
        let built = RTPPacket(header: packet.header, payload: try event.serialized())
        #expect(try built.serialized() == bytes)
    }

    @Test func figure4TonePacketHeaderRoundTrips() throws {
        let bytes = try #require(try RFC4733Vectors.figures()[4])
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header.payloadType == 101)
        #expect(packet.header.sequenceNumber == 14)
        #expect(packet.header.timestamp == 12800)
        #expect(Array(packet.payload) == hex("00 14 00 a0 02 b9 04 b9"))  // frequencies 697 = 0x2b9, 1209 = 0x4b9
        #expect(try packet.serialized() == bytes)
    }

    @Test func figure5RedPacketCarriesTheEventBlock() throws {
        let bytes = try #require(try RFC4733Vectors.figures()[5])
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header.payloadType == 102)
        // RFC 2198 header: F=1 PT 100, timestamp offset 1600 (14 bits), block length 4 (10 bits); F=0 PT 101.
        let red = Array(packet.payload)
        #expect(red[0] == 0x80 | 100)
        let offsetAndLength = UInt32(red[1]) << 16 | UInt32(red[2]) << 8 | UInt32(red[3])
        #expect(offsetAndLength >> 10 == 1600)
        #expect(offsetAndLength & 0x3FF == 4)
        #expect(red[4] == 101)
        let event = try TelephoneEvent(parsing: red[5..<9])
        #expect(event == TelephoneEvent(event: 1, isEnd: true, volume: 20, duration: 1760))
        #expect(try packet.serialized() == bytes)
    }

    @Test func senderReproducesTable5DigitOneAndFigure3() throws {
        // RFC 4733 Table 5, last digit "1": timestamp 11200, seq 14–20, 50 ms packets (400 units),
        // duration 1760: updates 400, 800, 1200, 1600, then 1760 with E three times.
        var sender = try TelephoneEventSender(packetDuration: 400, volume: 20)
        sender.enqueue(event: 1, duration: 1760)
        var packets: [TelephoneEventSender.Packet] = []
        var mediaTimestamp: UInt32 = 11200
        while let packet = sender.nextPacket(mediaTimestamp: mediaTimestamp) {
            packets.append(packet)
            mediaTimestamp &+= 400
        }
        #expect(packets.map(\.payload.duration) == [400, 800, 1200, 1600, 1760, 1760, 1760])
        #expect(packets.map(\.payload.isEnd) == [false, false, false, false, true, true, true])
        #expect(packets.map(\.marker) == [true, false, false, false, false, false, false])
        #expect(packets.allSatisfy { $0.timestamp == 11200 })

        // The first end packet, sent with sequence number 18, is Figure 3 byte for byte.
        let figure3 = try #require(try RFC4733Vectors.figures()[3])
        let header = RTPHeader(
            marker: packets[4].marker, payloadType: 100, sequenceNumber: 18, timestamp: packets[4].timestamp, ssrc: 0x5234a8)
        #expect(try RTPPacket(header: header, payload: try packets[4].payload.serialized()).serialized() == figure3)
    }

    @Test func receiverReadsTable5AsNineOneOne() throws {
        // RFC 4733 Table 5 rows (elided rows filled in as the table's pattern implies).
        let rows: [(marker: Bool, ts: UInt32, seq: UInt16, event: UInt8, duration: UInt16, end: Bool)] = [
            (true, 0, 1, 9, 400, false), (false, 0, 2, 9, 800, false), (false, 0, 3, 9, 1200, false),
            (false, 0, 4, 9, 1600, false), (false, 0, 5, 9, 1600, true), (false, 0, 6, 9, 1600, true),
            (true, 7040, 7, 1, 400, false), (false, 7040, 8, 1, 800, false), (false, 7040, 9, 1, 1200, false),
            (false, 7040, 10, 1, 1600, false), (false, 7040, 11, 1, 2000, false), (false, 7040, 12, 1, 2000, true),
            (false, 7040, 13, 1, 2000, true),
            (true, 11200, 14, 1, 400, false), (false, 11200, 15, 1, 800, false), (false, 11200, 16, 1, 1200, false),
            (false, 11200, 17, 1, 1600, false), (false, 11200, 18, 1, 1760, true), (false, 11200, 19, 1, 1760, true),
            (false, 11200, 20, 1, 1760, true),
        ]
        var receiver = TelephoneEventReceiver()
        var actions: [TelephoneEventReceiver.Action] = []
        for row in rows {
            actions += receiver.receive(
                marker: row.marker, timestamp: row.ts, sequenceNumber: row.seq, ssrc: 0x5234a8,
                payload: TelephoneEvent(event: row.event, isEnd: row.end, volume: 20, duration: row.duration))
        }
        let digits = actions.compactMap { action -> Character? in
            if case .began(let event) = action { return event.digit }
            return nil
        }
        #expect(String(digits) == "911")
        let durations = actions.compactMap { action -> UInt32? in
            if case .ended(_, let duration) = action { return duration }
            return nil
        }
        #expect(durations == [1600, 2000, 1760])
    }
}
