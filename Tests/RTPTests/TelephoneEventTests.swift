import RTP
import Testing

/// Drives a receiver with (marker, timestamp, seq, event, duration, end) rows and collects actions.
private struct Feed {
    var receiver = TelephoneEventReceiver()
    var actions: [TelephoneEventReceiver.Action] = []
    var ssrc: UInt32 = 0xCAFE

    mutating func send(_ marker: Bool, _ ts: UInt32, _ seq: UInt16, _ event: UInt8, _ duration: UInt16, end: Bool = false) {
        actions += receiver.receive(
            marker: marker, timestamp: ts, sequenceNumber: seq, ssrc: ssrc,
            payload: TelephoneEvent(event: event, isEnd: end, volume: 10, duration: duration))
    }

    var digits: String {
        String(
            actions.compactMap { action -> Character? in
                if case .began(let event) = action { return event.digit }
                return nil
            })
    }

    var endedDurations: [UInt32] {
        actions.compactMap { action -> UInt32? in
            if case .ended(_, let duration) = action { return duration }
            return nil
        }
    }
}

@Suite("RFC 4733 telephone events")
struct TelephoneEventTests {
    @Test func payloadRoundTripAndDigitMapping() throws {
        let event = TelephoneEvent(event: 11, isEnd: true, volume: 63, duration: 0xFFFF)
        let bytes = try event.serialized()
        #expect(bytes == hex("0b bf ff ff"))
        #expect(try TelephoneEvent(parsing: bytes) == event)
        #expect(event.digit == "#")
        // R bit is ignored on receipt.
        #expect(try TelephoneEvent(parsing: hex("05 4a 00 a0")) == TelephoneEvent(event: 5, isEnd: false, volume: 10, duration: 160))
        #expect(String(TelephoneEvent.dtmfDigits) == "0123456789*#ABCD")
        #expect(TelephoneEvent.event(forDigit: "*") == 10)
        #expect(TelephoneEvent.event(forDigit: "d") == 15)
        #expect(TelephoneEvent.event(forDigit: "E") == nil)
        #expect(TelephoneEvent.digit(forEvent: 16) == nil)
        #expect(
            rtpError { () throws(RTPError) in try TelephoneEvent(parsing: hex("01 02 03")) }
                == .truncated(what: "telephone-event payload", needed: 4, available: 3))
        #expect(
            rtpError { () throws(RTPError) in try TelephoneEvent(event: 1, volume: 64, duration: 1).serialized() }
                == .fieldOutOfRange(field: "telephone-event volume", value: 64, limit: 63))
    }

    @Test func retransmittedEndPacketsGiveOneDigit() {
        var feed = Feed()
        feed.send(true, 1000, 1, 5, 160)
        feed.send(false, 1000, 2, 5, 320)
        feed.send(false, 1000, 3, 5, 480, end: true)
        feed.send(false, 1000, 4, 5, 480, end: true)
        feed.send(false, 1000, 5, 5, 480, end: true)
        #expect(feed.digits == "5")
        #expect(feed.endedDurations == [480])
        #expect(feed.actions.count == 2)
    }

    @Test func longPressGivesOneDigit() {
        var feed = Feed()
        feed.send(true, 0, 1, 0, 160)
        for step in UInt16(2)...200 { feed.send(false, 0, step, 0, step * 160) }  // 4 s of updates
        feed.send(false, 0, 201, 0, 32_000, end: true)
        feed.send(false, 0, 202, 0, 32_000, end: true)
        #expect(feed.digits == "0")
        #expect(feed.endedDurations == [32_000])
    }

    @Test func missingMarkerStillGivesOneDigit() {
        var feed = Feed()
        // The start packet (with M) is lost; updates and ends carry no marker.
        feed.send(false, 4000, 2, 7, 320)
        feed.send(false, 4000, 3, 7, 480)
        feed.send(false, 4000, 4, 7, 640, end: true)
        feed.send(false, 4000, 5, 7, 640, end: true)
        #expect(feed.digits == "7")
        #expect(feed.endedDurations == [640])
    }

    @Test func twoPressesOfTheSameDigitGiveTwoDigits() {
        var feed = Feed()
        feed.send(true, 0, 1, 3, 160)
        feed.send(false, 0, 2, 3, 320, end: true)
        feed.send(false, 0, 3, 3, 320, end: true)
        feed.send(false, 0, 4, 3, 320, end: true)
        feed.send(true, 1600, 5, 3, 160)
        feed.send(false, 1600, 6, 3, 320, end: true)
        feed.send(false, 1600, 7, 3, 320, end: true)
        #expect(feed.digits == "33")
        #expect(feed.endedDurations == [320, 320])
    }

    @Test func onlyEndPacketsArrive() {
        var feed = Feed()
        feed.send(false, 800, 9, 12, 800, end: true)
        feed.send(false, 800, 10, 12, 800, end: true)
        #expect(feed.digits == "A")  // event 12
        #expect(feed.actions.count == 2)  // began and ended together, once
    }

    @Test func lostEndPacketsAreClosedByTheNextEvent() {
        var feed = Feed()
        feed.send(true, 0, 1, 1, 160)
        feed.send(false, 0, 2, 1, 320)
        // All three end packets lost; the next digit starts.
        feed.send(true, 2400, 6, 2, 160)
        #expect(feed.digits == "12")
        #expect(feed.endedDurations == [320])
        #expect(feed.receiver.finish().count == 1)  // the stream stops: "2" is closed
        var again = feed.receiver
        #expect(again.finish().isEmpty)
    }

    @Test func reorderedEndOfThePreviousEventIsIgnored() {
        var feed = Feed()
        feed.send(true, 0, 1, 4, 160)
        feed.send(false, 0, 2, 4, 320, end: true)
        feed.send(true, 1600, 5, 6, 160)  // next digit overtakes the end retransmissions
        feed.send(false, 0, 3, 4, 320, end: true)
        feed.send(false, 0, 4, 4, 320, end: true)
        feed.send(false, 1600, 6, 6, 320, end: true)
        #expect(feed.digits == "46")
        #expect(feed.endedDurations == [320, 320])
    }

    @Test func reorderedUpdatesDoNotShrinkTheDuration() {
        var feed = Feed()
        feed.send(true, 0, 1, 9, 160)
        feed.send(false, 0, 3, 9, 480)
        feed.send(false, 0, 2, 9, 320)
        feed.send(false, 0, 4, 9, 480, end: true)
        #expect(feed.endedDurations == [480])
    }

    @Test func segmentedLongEventIsOneEvent() {
        var feed = Feed()
        // RFC 4733 §2.5.1.3: duration reaches 0xFFFF, then a new segment at ts + 0xFFFF, no marker.
        feed.send(true, 100, 1, 8, 40_000)
        feed.send(false, 100, 2, 8, 0xFFFF)
        feed.send(false, 100 + 0xFFFF, 3, 8, 1000)
        feed.send(false, 100 + 0xFFFF, 4, 8, 2000, end: true)
        feed.send(false, 100 + 0xFFFF, 5, 8, 2000, end: true)
        #expect(feed.digits == "8")
        #expect(feed.endedDurations == [0xFFFF + 2000])
    }

    @Test func timestampJumpBackWithNewerSequenceIsANewEvent() {
        var feed = Feed()
        feed.send(true, 50_000, 10, 1, 160, end: true)
        feed.send(true, 100, 11, 2, 160, end: true)  // peer restarted its clock
        #expect(feed.digits == "12")
    }

    @Test func newSSRCStartsOver() {
        var feed = Feed()
        feed.send(true, 0, 1, 1, 160)
        feed.ssrc = 0xBEEF
        feed.send(false, 0, 1, 1, 160)  // same timestamp, other stream: a new event
        #expect(feed.digits == "11")
        #expect(feed.endedDurations == [160])  // the first was closed when the source changed
    }

    @Test func senderToReceiverRoundTripOfADigitString() throws {
        var sender = try TelephoneEventSender(packetDuration: 160)
        try sender.enqueue(digits: "0123456789*#ABCD")
        var receiver = TelephoneEventReceiver()
        var actions: [TelephoneEventReceiver.Action] = []
        var mediaTimestamp: UInt32 = UInt32.max - 5000  // the media clock wraps during the string
        var sequence: UInt16 = 65000
        var audioSlots = 0
        var ticks = 0
        while !sender.isIdle && ticks < 10_000 {
            ticks += 1
            if let packet = sender.nextPacket(mediaTimestamp: mediaTimestamp) {
                let rtp = RTPPacket(
                    header: RTPHeader(
                        marker: packet.marker, payloadType: 101, sequenceNumber: sequence, timestamp: packet.timestamp, ssrc: 1),
                    payload: try packet.payload.serialized())
                actions += try receiver.receive(try RTPPacket(parsing: try rtp.serialized()))
            } else {
                audioSlots += 1
            }
            mediaTimestamp &+= 160
            sequence &+= 1
        }
        let digits = actions.compactMap { action -> Character? in
            if case .began(let event) = action { return event.digit }
            return nil
        }
        #expect(String(digits) == "0123456789*#ABCD")
        let durations = actions.compactMap { action -> UInt32? in
            if case .ended(_, let duration) = action { return duration }
            return nil
        }
        #expect(durations == Array(repeating: 800, count: 16))
        // Per digit: 5 packets to reach 800 (the 5th is the first end), 2 more ends, 2 gap slots.
        #expect(ticks == 16 * 9)
        #expect(audioSlots == 16 * 2)
    }

    @Test func senderSegmentsEventsLongerThanTheDurationField() throws {
        var sender = try TelephoneEventSender(packetDuration: 160, endPacketCount: 3, gapTicks: 0)
        sender.enqueue(event: 5, duration: 70_000)
        var receiver = TelephoneEventReceiver()
        var actions: [TelephoneEventReceiver.Action] = []
        var timestamps: Set<UInt32> = []
        var seq: UInt16 = 0
        while let packet = sender.nextPacket(mediaTimestamp: 1000) {
            timestamps.insert(packet.timestamp)
            seq &+= 1
            actions += receiver.receive(
                marker: packet.marker, timestamp: packet.timestamp, sequenceNumber: seq, ssrc: 1, payload: packet.payload)
        }
        #expect(timestamps.sorted() == [1000, 1000 + 0xFFFF])
        #expect(actions.count == 2)
        #expect(actions.last == .ended(TelephoneEventReceiver.Event(event: 5, timestamp: 1000), duration: 70_000))
    }

    @Test func senderRejectsNonDigits() throws {
        var sender = try TelephoneEventSender()
        #expect(throws: RTPError.self) { try sender.enqueue(digits: "12x") }
        #expect(sender.isIdle)  // nothing queued
        #expect(throws: RTPError.self) { try TelephoneEventSender(packetDuration: 0) }
    }
}

@Suite("RFC 3389 comfort noise")
struct ComfortNoiseTests {
    @Test func parseAndSerialize() throws {
        let noise = try ComfortNoise(parsing: hex("40"))
        #expect(noise.noiseLevel == 64)
        #expect(noise.noiseLevelDBov == -64)
        #expect(noise.reflectionCoefficients.isEmpty)
        let spectral = try ComfortNoise(parsing: hex("28 7f 80 01"))
        #expect(spectral.reflectionCoefficients == [0x7F, 0x80, 0x01])
        var bytes: [UInt8] = []
        try spectral.serialize(into: &bytes)
        #expect(bytes == hex("28 7f 80 01"))
    }

    @Test func malformedComfortNoise() {
        #expect(
            rtpError { () throws(RTPError) in try ComfortNoise(parsing: [UInt8]()) }
                == .truncated(what: "comfort-noise payload", needed: 1, available: 0))
        #expect(throws: RTPError.self) { try ComfortNoise(parsing: hex("80")) }
        #expect(throws: RTPError.self) { try ComfortNoise(parsing: [0x10] + Array(repeating: 1, count: 65)) }
    }
}
