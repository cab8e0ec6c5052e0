import RTP
import Testing

@Suite("RTP packets")
struct RTPPacketTests {
    @Test func minimalPacketRoundTrip() throws {
        let header = RTPHeader(marker: true, payloadType: 0, sequenceNumber: 0xABCD, timestamp: 0x1122_3344, ssrc: 0xDEAD_BEEF)
        let packet = RTPPacket(header: header, payload: [1, 2, 3, 4, 5])
        let bytes = try packet.serialized()
        #expect(bytes == hex("80 80 ab cd 11 22 33 44 de ad be ef 01 02 03 04 05"))
        #expect(bytes.count == packet.serializedSize)
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed == packet)
        #expect(Array(parsed.payload) == [1, 2, 3, 4, 5])
    }

    @Test func fullPacketRoundTripWithCSRCsExtensionAndPadding() throws {
        let header = RTPHeader(
            marker: false, payloadType: 111, sequenceNumber: 7, timestamp: 960, ssrc: 42, csrcs: [1, 2, 0xFFFF_FFFF],
            headerExtension: RTPHeaderExtension(profile: 0xABAC, data: [9, 8, 7, 6, 5, 4, 3, 2]))
        let packet = RTPPacket(header: header, payload: Array(repeating: 0x55, count: 33), paddingLength: 3)
        var buffer: [UInt8] = [0xFF]  // serialize appends
        try packet.serialize(into: &buffer)
        #expect(buffer.count == 1 + packet.serializedSize)
        #expect(buffer[1] == 0x80 | 0x20 | 0x10 | 3)  // V=2, P, X, CC=3
        #expect(buffer.suffix(3) == [0, 0, 3])
        let parsed = try RTPPacket(parsing: buffer[1...])
        #expect(parsed == packet)
        #expect(parsed.header.headerExtension?.elementForm == .profileSpecific)
    }

    @Test func payloadIsASliceOfTheInput() throws {
        let bytes = hex("80 00 00 01 00 00 00 00 00 00 00 01") + [10, 20, 30]
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed.payload.startIndex == 12)
        #expect(parsed.payload.withUnsafeBufferPointer { $0.baseAddress } == bytes.withUnsafeBufferPointer { $0.baseAddress! + 12 })
    }

    @Test func serializeIntoRawBufferAndLayout() throws {
        let packet = RTPPacket(header: RTPHeader(payloadType: 8, sequenceNumber: 1, timestamp: 2, ssrc: 3), payload: [0xAA, 0xBB])
        var storage = [UInt8](repeating: 0, count: 64)
        let written = try storage.withUnsafeMutableBytes { raw in try packet.serialize(into: raw) }
        #expect(written == 14)
        let layout = try storage[0..<written].withUnsafeBytes { raw in try RTPPacketLayout(parsing: raw) }
        #expect(layout.payloadRange == 12..<14)
        #expect(layout.header.payloadType == 8)
        let fromRaw = try storage[0..<written].withUnsafeBytes { raw in try RTPPacket(parsing: raw) }
        #expect(fromRaw == packet)

        var small = [UInt8](repeating: 0, count: 13)
        let error = small.withUnsafeMutableBytes { raw in rtpError { () throws(RTPError) in try packet.serialize(into: raw) } }
        #expect(error == .bufferTooSmall(needed: 14, available: 13))
    }

    @Test func serializationRejectsFieldsThatDoNotFit() {
        var header = RTPHeader(payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(header: header, payload: []).serialized() }
                == .fieldOutOfRange(field: "payload type", value: 128, limit: 127))
        header.payloadType = 0
        header.csrcs = Array(repeating: 1, count: 16)
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(header: header, payload: []).serialized() }
                == .fieldOutOfRange(field: "CSRC count", value: 16, limit: 15))
    }

    @Test func oneByteExtensionElements() throws {
        let elements = [
            RTPHeaderExtensionElement(id: 1, data: [0x30]),  // e.g. audio level
            RTPHeaderExtensionElement(id: 14, data: Array(0..<16)),
        ]
        let ext = try RTPHeaderExtension(elements: elements)
        #expect(ext.profile == 0xBEDE)
        #expect(ext.data.count % 4 == 0)
        #expect(Array(ext.data.prefix(3)) == [0x10, 0x30, 0xEF])
        #expect(try ext.elements() == elements)

        // Round trip through a packet, then read the elements from the parsed slice.
        let packet = RTPPacket(
            header: RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, headerExtension: ext), payload: [])
        let parsed = try RTPPacket(parsing: try packet.serialized())
        #expect(try parsed.header.headerExtension?.elements() == elements)
    }

    @Test func twoByteExtensionElements() throws {
        let elements = [
            RTPHeaderExtensionElement(id: 200, data: []),
            RTPHeaderExtensionElement(id: 3, data: Array(repeating: 7, count: 20)),
        ]
        let ext = try RTPHeaderExtension(elements: elements)
        #expect(ext.elementForm == .twoByte(appBits: 0))
        #expect(try ext.elements() == elements)
    }

    @Test func oneByteElementId15StopsParsing() throws {
        let ext = RTPHeaderExtension(profile: 0xBEDE, data: [0x10, 0xAA, 0xF0, 0x22])
        #expect(try ext.elements() == [RTPHeaderExtensionElement(id: 1, data: [0xAA])])
    }

    @Test func malformedExtensionElements() {
        let oneByte = RTPHeaderExtension(profile: 0xBEDE, data: [0x1F, 1, 2, 3])  // says 16 bytes
        #expect(throws: RTPError.self) { try oneByte.elements() }
        let twoByte = RTPHeaderExtension(profile: 0x1000, data: [5, 9, 1, 2])  // says 9 bytes
        #expect(throws: RTPError.self) { try twoByte.elements() }
    }

    @Test func typedErrorsForMalformedPackets() {
        let valid = hex("80 00 00 01 00 00 00 02 00 00 00 03")
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: Array(valid.prefix(11))) }
                == .truncated(what: "RTP fixed header", needed: 12, available: 11))
        #expect(rtpError { () throws(RTPError) in try RTPPacket(parsing: [0x40] + valid.dropFirst()) } == .unsupportedVersion(1))
        // CC = 2 but only one CSRC follows.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0x82] + valid.dropFirst() + [0, 0, 0, 9]) }
                == .csrcOverrun(count: 2, available: 4))
        // X set, extension says 2 words, one follows.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0x90] + valid.dropFirst() + hex("be de 00 02 01 02 03 04")) }
                == .extensionOverrun(declared: 8, available: 4))
        // X set, no room for the extension header.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0x90] + valid.dropFirst() + [0xBE]) }
                == .truncated(what: "RTP header extension header", needed: 4, available: 1))
        // P set, padding count 5 with 3 bytes after the header.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0xA0] + valid.dropFirst() + [1, 2, 5]) }
                == .paddingOverrun(padding: 5, available: 3))
        // P set, padding count 0.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0xA0] + valid.dropFirst() + [1, 2, 0]) }
                == .paddingOverrun(padding: 0, available: 3))
        // P set on a bare header: the count octet would be inside the header.
        #expect(
            rtpError { () throws(RTPError) in try RTPPacket(parsing: [0xA0] + valid.dropFirst()) }
                == .paddingOverrun(padding: 3, available: 0))
    }

    @Test func paddingMayTakeTheWholePayload() throws {
        let bytes = hex("a0 00 00 01 00 00 00 02 00 00 00 03 00 00 03")
        let parsed = try RTPPacket(parsing: bytes)
        #expect(parsed.payload.isEmpty)
        #expect(parsed.paddingLength == 3)
    }
}

@Suite("Demultiplexing RTP, RTCP and STUN on one port")
struct DemultiplexerTests {
    @Test func classifiesByFirstOctets() {
        let rtp = hex("80 00 00 01 00 00 00 02 00 00 00 03")
        let rtpMarkerPT127 = hex("80 ff 00 01 00 00 00 02 00 00 00 03")
        let senderReport = hex("80 c8 00 06 00 00 00 01")
        let receiverReport = hex("81 c9 00 07 00 00 00 01")
        let stun = hex("00 01 00 00 21 12 a4 42") + Array(repeating: 0, count: 12)
        let dtls = hex("16 fe fd 00 00")
        #expect(RTPDemultiplexer.classify(rtp) == .rtp)
        #expect(RTPDemultiplexer.classify(rtpMarkerPT127) == .rtp)  // 255 is outside 192-223
        #expect(RTPDemultiplexer.classify(senderReport) == .rtcp)
        #expect(RTPDemultiplexer.classify(receiverReport) == .rtcp)
        #expect(RTPDemultiplexer.classify(stun) == .stun)
        #expect(RTPDemultiplexer.classify(dtls) == .other)
        #expect(RTPDemultiplexer.classify([UInt8]()) == .other)
        #expect(RTPDemultiplexer.classify(hex("80 00 00")) == .other)
        #expect(RTPDemultiplexer.classify(hex("00 01 00 00 00 00 00 00") + Array(repeating: 0, count: 12)) == .other)  // no cookie
        #expect(RTPDemultiplexer.classify(rtp[...]) == .rtp)
    }
}
