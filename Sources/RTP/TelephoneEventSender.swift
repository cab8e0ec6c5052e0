/// Produces RFC 4733 telephone-event packets, stepped by the caller once per packet time.
///
/// The caller's media clock calls `nextPacket(mediaTimestamp:)` every packet time (20 or 50 ms) with
/// the RTP timestamp it would give an audio packet now. A non-nil result is sent *instead of* audio
/// in that slot, with the stream's own SSRC, next sequence number and the telephone-event payload
/// type; nil means "send audio as usual". Timing for one digit with 50 ms packets (RFC 4733 §5,
/// Table 5, digit "1" at timestamp 11200 with duration 1760):
///
/// ```
/// tick:      1       2       3       4       5       6       7
/// M bit:     1       0       0       0       0       0       0
/// duration:  400     800     1200    1600    1760E   1760E   1760E
/// timestamp: 11200 on every packet (the event's start)
/// ```
///
/// RFC 4733 §2.5.1.2: the first packet has the marker bit, updates grow the duration, and the final
/// packet (E bit) is sent three times (§2.5.1.4). §2.5.1.3: an event longer than 0xFFFF continues
/// in a new segment whose timestamp is the previous one plus 0xFFFF, without marker.
public struct TelephoneEventSender: Sendable {
    /// One packet to send.
    public struct Packet: Sendable, Hashable {
        public var marker: Bool
        public var timestamp: UInt32
        public var payload: TelephoneEvent
    }

    /// RFC 4733 §2.5.1.4: the final packet is sent three times.
    public static let defaultEndPacketCount = 3

    private enum State: Sendable {
        case idle
        case sending(Sending)
        case ending(packet: Packet, remaining: Int)
        case gap(remainingTicks: Int)
    }

    private struct Sending: Sendable {
        var event: UInt8
        var segmentTimestamp: UInt32
        /// Duration covered in the current segment so far.
        var segmentElapsed: UInt32
        /// Duration still to send after the current segment's elapsed time.
        var remainingTotal: UInt32
    }

    /// Timestamp units per packet time (160 for 20 ms at 8 kHz, 400 for 50 ms).
    public let packetDuration: UInt32
    public let volume: UInt8
    public let endPacketCount: Int
    /// Packet times of audio between one event's last end packet and the next event.
    public let gapTicks: Int

    private var state: State = .idle
    private var queue: [(event: UInt8, duration: UInt32)] = []
    private var queueHead = 0

    /// - Parameters:
    ///   - packetDuration: timestamp units per call to `nextPacket` (must be > 0).
    ///   - volume: 0...63 (-dBm0).
    ///   - gapTicks: silent packet times between events (2 × 20 ms gives a 40 ms pause, enough for
    ///     ITU-T Q.24 receivers).
    public init(packetDuration: UInt32 = 160, volume: UInt8 = 10, endPacketCount: Int = defaultEndPacketCount, gapTicks: Int = 2)
        throws(RTPError)
    {
        try checkField("telephone-event packet duration", Int(packetDuration), limit: 0xFFFF)
        guard packetDuration > 0 else {
            throw .fieldOutOfRange(field: "telephone-event packet duration", value: 0, limit: 0xFFFF)
        }
        try checkField("telephone-event volume", Int(volume), limit: Int(TelephoneEvent.maximumVolume))
        self.packetDuration = packetDuration
        self.volume = volume
        self.endPacketCount = max(1, endPacketCount)
        self.gapTicks = max(0, gapTicks)
    }

    /// True when nothing is being sent or waiting.
    public var isIdle: Bool {
        if case .idle = state, queueHead == queue.count { return true }
        return false
    }

    /// Queues one event of `duration` timestamp units (at least one packet time is sent).
    public mutating func enqueue(event: UInt8, duration: UInt32) {
        queue.append((event, max(duration, 1)))
    }

    /// Queues DTMF digits ("0"–"9", "*", "#", "A"–"D"), each lasting `duration` timestamp units
    /// (800 = 100 ms at 8 kHz). Throws before queueing anything if a character is not a DTMF digit.
    public mutating func enqueue(digits: String, duration: UInt32 = 800) throws(RTPError) {
        var events: [UInt8] = []
        for character in digits {
            guard let event = TelephoneEvent.event(forDigit: character) else {
                throw .malformedTelephoneEvent("'\(character)' is not a DTMF digit")
            }
            events.append(event)
        }
        for event in events { enqueue(event: event, duration: duration) }
    }

    /// Steps one packet time. Returns the packet to send in this slot, or nil to send audio.
    public mutating func nextPacket(mediaTimestamp: UInt32) -> Packet? {
        switch state {
        case .idle:
            guard queueHead < queue.count else {
                queue.removeAll(keepingCapacity: true)
                queueHead = 0
                return nil
            }
            let next = queue[queueHead]
            queueHead += 1
            let sending = Sending(event: next.event, segmentTimestamp: mediaTimestamp, segmentElapsed: 0, remainingTotal: next.duration)
            return advance(sending, marker: true)
        case .sending(let sending):
            return advance(sending, marker: false)
        case .ending(let packet, let remaining):
            state =
                remaining > 1 ? .ending(packet: packet, remaining: remaining - 1) : (gapTicks > 0 ? .gap(remainingTicks: gapTicks) : .idle)
            return packet
        case .gap(let remainingTicks):
            state = remainingTicks > 1 ? .gap(remainingTicks: remainingTicks - 1) : .idle
            return nil
        }
    }

    /// Covers one more packet time of the event and returns its packet.
    private mutating func advance(_ sending: Sending, marker: Bool) -> Packet {
        var sending = sending
        let step = min(packetDuration, sending.remainingTotal)
        // Both terms are at most 0xFFFF, so the sum cannot overflow.
        let covered = sending.segmentElapsed + step
        if covered > TelephoneEventReceiver.maximumSegmentDuration {
            // §2.5.1.3: start a new segment 0xFFFF after the previous one.
            sending.segmentTimestamp &+= TelephoneEventReceiver.maximumSegmentDuration
            sending.segmentElapsed = covered - TelephoneEventReceiver.maximumSegmentDuration
        } else {
            sending.segmentElapsed = covered
        }
        sending.remainingTotal -= step
        let isEnd = sending.remainingTotal == 0
        let packet = Packet(
            marker: marker, timestamp: sending.segmentTimestamp,
            payload: TelephoneEvent(event: sending.event, isEnd: isEnd, volume: volume, duration: UInt16(sending.segmentElapsed)))
        if isEnd {
            let retransmissions = endPacketCount - 1
            if retransmissions > 0 {
                state = .ending(
                    packet: Packet(marker: false, timestamp: packet.timestamp, payload: packet.payload), remaining: retransmissions)
            } else {
                state = gapTicks > 0 ? .gap(remainingTicks: gapTicks) : .idle
            }
        } else {
            state = .sending(sending)
        }
        return packet
    }
}
