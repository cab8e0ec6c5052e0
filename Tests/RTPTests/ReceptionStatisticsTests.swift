import RTP
import Testing

@Suite("Reception statistics: loss, jitter, report blocks")
struct ReceptionStatisticsTests {
    /// Steps one packet: 8 kHz clock, 20 ms packets (160 units), arrival in RTP units.
    static func step(_ stats: inout RTPReceptionStatistics, seq: UInt16, ts: UInt32, arrival: UInt32) -> RTPSequenceTracker.Outcome {
        stats.receive(ssrc: 0x1234, sequenceNumber: seq, timestamp: ts, arrival: RTPTimestamp(arrival)).outcome
    }

    @Test func scriptedArrivalPatternGivesKnownFigures() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        // Jitter (A.8, integer form, J scaled by 16): J += |D| - ((J + 8) >> 4); reported J >> 4.
        // transit = arrival - ts.
        #expect(Self.step(&stats, seq: 1000, ts: 0, arrival: 10000) == .probation)  // A.1 probation: not counted
        #expect(Self.step(&stats, seq: 1001, ts: 160, arrival: 10160) == .accepted(extendedSequence: 1001))
        // base_seq = 1001; transit 10000 recorded, no jitter yet.
        _ = Self.step(&stats, seq: 1002, ts: 320, arrival: 10360)  // transit 10040, D 40: J = 0 + 40 - 0 = 40
        _ = Self.step(&stats, seq: 1003, ts: 480, arrival: 10480)  // transit 10000, D 40: J = 40 + 40 - 3 = 77
        // 1004 lost.
        _ = Self.step(&stats, seq: 1005, ts: 800, arrival: 10800)  // transit 10000, D 0: J = 77 - 5 = 72
        _ = Self.step(&stats, seq: 1006, ts: 960, arrival: 11040)  // transit 10080, D 80: J = 72 + 80 - 5 = 147
        #expect(stats.jitter == 9)  // 147 >> 4
        #expect(stats.received == 5)  // 1001, 1002, 1003, 1005, 1006
        #expect(stats.expected == 6)  // 1006 - 1001 + 1
        #expect(stats.cumulativeLost == 1)

        let first = stats.makeReportBlock(at: NTPTimestamp(seconds: 10, fraction: 0))
        // A.3: expected_interval 6, received_interval 5, lost_interval 1: fraction = (1 << 8) / 6 = 42.
        #expect(
            first
                == RTCPReportBlock(
                    ssrc: 0x1234, fractionLost: 42, cumulativeLost: 1, extendedHighestSequence: 1006, jitter: 9,
                    lastSenderReport: 0, delaySinceLastSenderReport: 0))

        _ = Self.step(&stats, seq: 1007, ts: 1120, arrival: 11120)  // transit 10000, D 80: J = 147 + 80 - 9 = 218
        // 1008, 1009 missing; 1010 arrives, then 1009 late.
        _ = Self.step(&stats, seq: 1010, ts: 1600, arrival: 11600)  // transit 10000, D 0: J = 218 - 14 = 204
        #expect(Self.step(&stats, seq: 1009, ts: 1440, arrival: 11700) == .late(extendedSequence: 1009))
        // transit 10260, D 260: J = 204 + 260 - 13 = 451 → 28 units = 3.5 ms at 8 kHz.
        #expect(stats.jitter == 28)
        #expect(stats.jitterDuration == .microseconds(3500))

        // An SR from the source: LSR is the middle 32 bits of its NTP time; DLSR is 2.5 s later.
        let sr = RTCPSenderReport(
            ssrc: 0x1234, ntpTimestamp: NTPTimestamp(seconds: 0x1234_5678, fraction: 0x9ABC_0000), rtpTimestamp: 0,
            packetCount: 0, octetCount: 0)
        stats.receivedSenderReport(sr, at: NTPTimestamp(seconds: 1000, fraction: 0))
        let second = stats.makeReportBlock(at: NTPTimestamp(seconds: 1002, fraction: 0x8000_0000))
        // expected 1010 - 1001 + 1 = 10, received 8, lost 2; interval: expected 4, received 3, lost 1:
        // fraction = 256 / 4 = 64. DLSR = 2.5 s × 65536 = 163840.
        #expect(
            second
                == RTCPReportBlock(
                    ssrc: 0x1234, fractionLost: 64, cumulativeLost: 2, extendedHighestSequence: 1010, jitter: 28,
                    lastSenderReport: 0x5678_9ABC, delaySinceLastSenderReport: 163_840))

        // Nothing new: the next interval has no loss.
        #expect(stats.makeReportBlock(at: NTPTimestamp(seconds: 1003, fraction: 0)).fractionLost == 0)
    }

    @Test func duplicatesMakeCumulativeLossNegative() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        _ = Self.step(&stats, seq: 1, ts: 0, arrival: 0)
        _ = Self.step(&stats, seq: 2, ts: 160, arrival: 160)
        _ = Self.step(&stats, seq: 3, ts: 320, arrival: 320)
        _ = Self.step(&stats, seq: 2, ts: 160, arrival: 330)  // duplicate, counted (A.1)
        #expect(stats.expected == 2)
        #expect(stats.received == 3)
        #expect(stats.cumulativeLost == -1)
        let block = stats.makeReportBlock(at: NTPTimestamp(seconds: 0, fraction: 0))
        #expect(block.cumulativeLost == -1)
        #expect(block.fractionLost == 0)  // A.3: negative interval loss reports 0
    }

    @Test func ssrcChangeStartsOver() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        _ = Self.step(&stats, seq: 1, ts: 0, arrival: 0)
        _ = Self.step(&stats, seq: 2, ts: 160, arrival: 160)
        #expect(stats.isValid)
        let update = stats.receive(ssrc: 0x9999, sequenceNumber: 500, timestamp: 7, arrival: RTPTimestamp(400))
        #expect(update.sourceChanged)
        #expect(update.outcome == .probation)
        #expect(stats.ssrc == 0x9999)
        #expect(!stats.isValid)
        #expect(stats.received == 0)
    }

    @Test func arrivalAsDurationUsesTheClockRate() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        let header = { (seq: UInt16, ts: UInt32) in RTPHeader(payloadType: 0, sequenceNumber: seq, timestamp: ts, ssrc: 5) }
        _ = stats.receive(header(1, 0), arrival: .milliseconds(0))
        _ = stats.receive(header(2, 160), arrival: .milliseconds(20))
        _ = stats.receive(header(3, 320), arrival: .milliseconds(45))  // 5 ms late = 40 units: J = 40 → 2
        #expect(stats.jitter == 2)
    }

    @Test func telephoneEventPacketsCountForLossButNotJitter() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        _ = Self.step(&stats, seq: 1, ts: 0, arrival: 0)
        _ = Self.step(&stats, seq: 2, ts: 160, arrival: 160)
        // Three event packets repeating the event's start timestamp 320, 20 ms apart.
        for (index, seq) in [UInt16(3), 4, 5].enumerated() {
            _ = stats.receive(
                ssrc: 0x1234, sequenceNumber: seq, timestamp: 320, arrival: RTPTimestamp(UInt32(320 + 160 * index)),
                updatesJitter: false)
        }
        #expect(stats.jitter == 0)
        #expect(stats.received == 4)
        #expect(stats.expected == 4)
    }

    @Test func restartResetsCounts() {
        var stats = RTPReceptionStatistics(clockRate: 8000)
        _ = Self.step(&stats, seq: 1, ts: 0, arrival: 0)
        _ = Self.step(&stats, seq: 2, ts: 160, arrival: 160)
        #expect(Self.step(&stats, seq: 30000, ts: 320, arrival: 320) == .rejectedJump)
        #expect(Self.step(&stats, seq: 30001, ts: 480, arrival: 480) == .restarted(extendedSequence: 30001))
        #expect(stats.received == 1)
        #expect(stats.expected == 1)
    }
}
