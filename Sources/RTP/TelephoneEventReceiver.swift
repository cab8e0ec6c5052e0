/// Turns a stream of RFC 4733 telephone-event packets into events reported exactly once.
///
/// Whatever the peer does (three end packets, long presses with many updates, segmented events
/// longer than 0xFFFF, a lost marker bit, lost start or end packets, reordering) each event produces
/// one `.began` and at most one `.ended`:
///
/// - **Identity**: RFC 4733 §2.5.2.2: an event is identified by its RTP timestamp. A new timestamp
///   is a new event, whatever the marker bit says; packets with the current timestamp are updates,
///   retransmissions or end packets of the current event.
/// - **When a digit is reported**: on the *first packet received* of the event (`.began`), for the
///   lowest latency in an IVR. If only the end packets arrive, `.began` and `.ended` come together.
/// - **Lost end packets**: when the next event starts, the open one is closed with `.ended`, its
///   duration the last one seen.
/// - **Long events** (§2.5.1.3): a packet without marker, same event code, whose timestamp is the
///   open event's plus 0xFFFF, continues the open event; durations add up.
/// - **Reordering**: a packet whose timestamp lies before the current event's, and whose sequence
///   number is not newer than the newest seen, is stale and ignored. A newer sequence number with an
///   older timestamp means the peer restarted its clock: it starts a new event.
/// - **A new SSRC** starts over (the previous open event is closed).
public struct TelephoneEventReceiver: Sendable {
    /// An event as the receiver identified it.
    public struct Event: Sendable, Hashable {
        public var event: UInt8
        /// RTP timestamp of the event's first segment.
        public var timestamp: UInt32
        public init(event: UInt8, timestamp: UInt32) {
            self.event = event
            self.timestamp = timestamp
        }

        /// The DTMF digit, for events 0–15.
        public var digit: Character? { TelephoneEvent.digit(forEvent: event) }
    }

    /// What the caller should act on.
    public enum Action: Sendable, Hashable {
        /// A new event: report the digit now.
        case began(Event)
        /// The event ended; `duration` is the total in timestamp units (all segments).
        case ended(Event, duration: UInt32)
    }

    /// RFC 4733 §2.5.1.3: the largest duration one segment can carry.
    public static let maximumSegmentDuration: UInt32 = 0xFFFF

    private struct Current: Sendable {
        var event: Event
        /// Timestamp of the current segment.
        var segmentTimestamp: UInt32
        /// Sum of the durations of the finished segments.
        var previousSegments: UInt32
        /// Longest duration seen in the current segment.
        var segmentDuration: UInt16
        var ended: Bool

        var totalDuration: UInt32 { previousSegments &+ UInt32(segmentDuration) }
    }

    private var ssrc: UInt32?
    private var current: Current?
    private var newestSequence: UInt16?

    public init() {}

    /// Steps the receiver with one telephone-event packet's header fields and payload.
    public mutating func receive(
        marker: Bool, timestamp: UInt32, sequenceNumber: UInt16, ssrc: UInt32, payload: TelephoneEvent
    ) -> [Action] {
        var actions: [Action] = []
        if self.ssrc != ssrc {
            closeOpenEvent(into: &actions)
            self.ssrc = ssrc
            current = nil
            newestSequence = nil
        }
        let sequenceIsNewer = newestSequence.map { RTPSequenceNumber($0).isBefore(RTPSequenceNumber(sequenceNumber)) } ?? true
        if sequenceIsNewer { newestSequence = sequenceNumber }

        guard var open = current else {
            start(payload, timestamp: timestamp, into: &actions)
            return actions
        }
        if timestamp == open.segmentTimestamp {
            // Same event: an update, a retransmission or an end packet.
            guard !open.ended, payload.event == open.event.event else { return actions }
            open.segmentDuration = max(open.segmentDuration, payload.duration)
            if payload.isEnd {
                open.ended = true
                actions.append(.ended(open.event, duration: open.totalDuration))
            }
            current = open
            return actions
        }
        let distance = RTPTimestamp(open.segmentTimestamp).distance(to: RTPTimestamp(timestamp))
        if distance < 0 && !sequenceIsNewer {
            return actions  // a late packet of an earlier event (or segment)
        }
        // RFC 4733 §2.5.1.3: the next segment of a long event starts 0xFFFF after the previous one,
        // carries no marker and the same event code.
        if !open.ended, !marker, payload.event == open.event.event, distance == Int(Self.maximumSegmentDuration) {
            open.previousSegments &+= Self.maximumSegmentDuration
            open.segmentTimestamp = timestamp
            open.segmentDuration = payload.duration
            if payload.isEnd {
                open.ended = true
                actions.append(.ended(open.event, duration: open.totalDuration))
            }
            current = open
            return actions
        }
        closeOpenEvent(into: &actions)
        start(payload, timestamp: timestamp, into: &actions)
        return actions
    }

    /// Steps the receiver with a parsed RTP packet whose payload is a telephone-event.
    public mutating func receive(_ packet: RTPPacket) throws(RTPError) -> [Action] {
        let payload = try TelephoneEvent(parsing: packet.payload)
        return receive(
            marker: packet.header.marker, timestamp: packet.header.timestamp,
            sequenceNumber: packet.header.sequenceNumber, ssrc: packet.header.ssrc, payload: payload)
    }

    /// Closes an event whose end packets never came, e.g. when the stream stops; returns `.ended` for it.
    public mutating func finish() -> [Action] {
        var actions: [Action] = []
        closeOpenEvent(into: &actions)
        return actions
    }

    private mutating func start(_ payload: TelephoneEvent, timestamp: UInt32, into actions: inout [Action]) {
        var open = Current(
            event: Event(event: payload.event, timestamp: timestamp), segmentTimestamp: timestamp,
            previousSegments: 0, segmentDuration: payload.duration, ended: false)
        actions.append(.began(open.event))
        if payload.isEnd {
            open.ended = true
            actions.append(.ended(open.event, duration: open.totalDuration))
        }
        current = open
    }

    private mutating func closeOpenEvent(into actions: inout [Action]) {
        guard var open = current, !open.ended else { return }
        open.ended = true
        actions.append(.ended(open.event, duration: open.totalDuration))
        current = open
    }
}
