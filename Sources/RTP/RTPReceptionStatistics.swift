/// Reception statistics for one remote source (RFC 3550 §6.4, Appendix A.1, A.3, A.8), stepped by
/// the caller with each packet and its arrival time; no clock is read.
///
/// Feed every RTP packet from the source with `receive(...)`; call `makeReportBlock(at:)` once per
/// RTCP interval (it closes the interval used for "fraction lost"); pass SRs from the source to
/// `receivedSenderReport(_:at:)` so the block carries LSR/DLSR.
///
/// An SSRC change (a new source on the same leg) starts the statistics over, including probation,
/// and is reported in `Update.sourceChanged`.
public struct RTPReceptionStatistics: Sendable {
    /// The result of one packet.
    public struct Update: Sendable, Hashable {
        public var outcome: RTPSequenceTracker.Outcome
        /// True when this packet's SSRC differed from the previous source's: the state was reset.
        public var sourceChanged: Bool
    }

    /// RTP clock rate of the source's payload (8000 for G.711, 48000 for Opus).
    public let clockRate: Int
    public private(set) var ssrc: UInt32?
    private var tracker: RTPSequenceTracker?
    /// A.8: relative transit time of the previous packet, in timestamp units.
    private var previousTransit: UInt32?
    /// A.8: jitter scaled by 16 (the RFC's integer form keeps 4 fraction bits).
    private var scaledJitter: Int64 = 0
    /// A.3: `expected_prior` and `received_prior`.
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    /// The compact NTP time of the last SR from this source, and when we received it (§6.4.1 LSR/DLSR).
    private var lastSenderReport: (compact: UInt32, arrival: NTPTimestamp)?
    /// Fraction lost computed by the last `makeReportBlock(at:)`, in 1/256.
    public private(set) var fractionLost: UInt8 = 0

    public init(clockRate: Int) {
        self.clockRate = clockRate
    }

    /// Steps the statistics with one packet. `arrival` is the arrival time converted to the source's
    /// RTP clock (any origin, A.8), e.g. `RTPTimestamp(monotonicNow, clockRate: 8000)`.
    ///
    /// Pass `updatesJitter: false` for packets whose timestamp is not a sampling instant, such as
    /// RFC 4733 telephone-event packets (every packet of an event repeats the event's start
    /// timestamp, which would read as growing transit time); they still count for loss.
    public mutating func receive(
        ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, arrival: RTPTimestamp, updatesJitter: Bool = true
    ) -> Update {
        var sourceChanged = false
        if self.ssrc != ssrc || tracker == nil {
            sourceChanged = self.ssrc != nil
            reset(ssrc: ssrc, firstSequenceNumber: sequenceNumber)
        }
        guard var tracker else { return Update(outcome: .probation, sourceChanged: sourceChanged) }
        let outcome = tracker.update(sequenceNumber)
        self.tracker = tracker
        switch outcome {
        case .probation, .rejectedJump:
            break
        case .restarted:
            expectedPrior = 0
            receivedPrior = 0
            previousTransit = nil
            if updatesJitter { updateJitter(timestamp: timestamp, arrival: arrival) }
        case .accepted, .late:
            if updatesJitter { updateJitter(timestamp: timestamp, arrival: arrival) }
        }
        return Update(outcome: outcome, sourceChanged: sourceChanged)
    }

    /// Steps the statistics with a packet header and an arrival time given as a duration since any
    /// fixed origin (a monotonic clock reading taken by the adapter).
    public mutating func receive(_ header: RTPHeader, arrival: Duration, updatesJitter: Bool = true) -> Update {
        receive(
            ssrc: header.ssrc, sequenceNumber: header.sequenceNumber, timestamp: header.timestamp,
            arrival: RTPTimestamp(arrival, clockRate: clockRate), updatesJitter: updatesJitter)
    }

    private mutating func reset(ssrc: UInt32, firstSequenceNumber: UInt16) {
        self.ssrc = ssrc
        tracker = RTPSequenceTracker(firstSequenceNumber: firstSequenceNumber)
        previousTransit = nil
        scaledJitter = 0
        expectedPrior = 0
        receivedPrior = 0
        lastSenderReport = nil
        fractionLost = 0
    }

    /// RFC 3550 A.8, integer form: `J += |D| - ((J + 8) >> 4)` with J scaled by 16. The first packet
    /// only records its transit time (there is no previous packet to compare with).
    private mutating func updateJitter(timestamp: UInt32, arrival: RTPTimestamp) {
        let transit = arrival.rawValue &- timestamp
        if let previousTransit {
            let difference = Int64(Int32(bitPattern: transit &- previousTransit)).magnitude
            scaledJitter += Int64(difference) - ((scaledJitter + 8) >> 4)
        }
        previousTransit = transit
    }

    /// True once the source has passed probation (A.1).
    public var isValid: Bool { tracker?.isValid ?? false }

    /// Packets received and counted since the source became valid (A.1 `received`).
    public var received: UInt32 { tracker?.received ?? 0 }

    /// A.3: packets expected, from the base to the highest extended sequence number.
    public var expected: UInt32 { tracker.map { $0.isValid ? $0.expected : 0 } ?? 0 }

    /// A.3: cumulative lost, `expected - received`; negative with duplicates.
    public var cumulativeLost: Int64 { Int64(expected) - Int64(received) }

    /// The highest extended sequence number received (A.1 `cycles + max_seq`).
    public var extendedHighestSequence: UInt32 { tracker?.extendedHighestSequence ?? 0 }

    /// A.8 interarrival jitter in timestamp units (what the report block carries).
    public var jitter: UInt32 { UInt32(clamping: scaledJitter >> 4) }

    /// Interarrival jitter as a duration at `clockRate`.
    public var jitterDuration: Duration {
        guard clockRate > 0, clockRate <= 1 << 32 else { return .zero }
        return .nanoseconds(Int64(jitter) * 1_000_000_000 / Int64(clockRate))
    }

    /// Records an SR from this source so the next report block carries LSR and DLSR (§6.4.1).
    /// SRs from another SSRC are ignored.
    public mutating func receivedSenderReport(_ report: RTCPSenderReport, at arrival: NTPTimestamp) {
        guard report.ssrc == ssrc else { return }
        lastSenderReport = (report.ntpTimestamp.compact, arrival)
    }

    /// Builds the report block for this source and closes the reporting interval (A.3: the
    /// `expected_prior`/`received_prior` snapshot). `now` is when the report is being sent.
    public mutating func makeReportBlock(at now: NTPTimestamp) -> RTCPReportBlock {
        let expected = self.expected
        let received = self.received
        // A.3: the interval figures use wrapping differences, as the counters are 32-bit.
        let expectedInterval = expected &- expectedPrior
        let receivedInterval = received &- receivedPrior
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = Int64(Int32(bitPattern: expectedInterval)) - Int64(Int32(bitPattern: receivedInterval))
        if expectedInterval == 0 || lostInterval <= 0 {
            fractionLost = 0
        } else {
            fractionLost = UInt8(clamping: (lostInterval << 8) / Int64(expectedInterval))
        }
        // §6.4.1: cumulative lost is clamped to the signed 24-bit field.
        let lost = Int32(clamping: min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF))
        var lsr: UInt32 = 0
        var dlsr: UInt32 = 0
        if let lastSenderReport {
            lsr = lastSenderReport.compact
            // §6.4.1: DLSR in units of 1/65536 s, the difference of two compact NTP times.
            dlsr = now.compact &- lastSenderReport.arrival.compact
        }
        return RTCPReportBlock(
            ssrc: ssrc ?? 0, fractionLost: fractionLost, cumulativeLost: lost,
            extendedHighestSequence: extendedHighestSequence, jitter: jitter, lastSenderReport: lsr,
            delaySinceLastSenderReport: dlsr)
    }
}
