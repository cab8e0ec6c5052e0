import RTP
import Testing

@Suite("Sequence numbers and timestamps across wrap-around")
struct SequenceArithmeticTests {
    @Test func sequenceNumberSerialComparisonAcrossWrap() {
        let last = RTPSequenceNumber(65535)
        let first = RTPSequenceNumber(0)
        #expect(last.isBefore(first))
        #expect(first.isAfter(last))
        #expect(last.distance(to: first) == 1)
        #expect(first.distance(to: last) == -1)
        #expect(last.advanced(by: 2) == RTPSequenceNumber(1))
        #expect(RTPSequenceNumber(100).distance(to: RTPSequenceNumber(100 + 32767)) == 32767)
        #expect(RTPSequenceNumber(100).isBefore(RTPSequenceNumber(100 + 32767)))
        #expect(!RTPSequenceNumber(5).isBefore(RTPSequenceNumber(5)))
    }

    @Test func timestampDifferencesAcrossWrap() throws {
        let before = RTPTimestamp(UInt32.max - 79)
        let after = before.advanced(by: 160)
        #expect(after.rawValue == 80)
        #expect(before.distance(to: after) == 160)
        #expect(after.distance(to: before) == -160)
        #expect(before.isBefore(after))
        #expect(RTPTimestamp.duration(from: before, to: after, clockRate: 8000) == .milliseconds(20))
        #expect(RTPTimestamp.duration(from: after, to: before, clockRate: 8000) == .milliseconds(-20))
        #expect(RTPTimestamp.duration(from: before, to: after, clockRate: 0) == nil)
        #expect(RTPTimestamp.duration(from: after, to: before, clockRate: Int.max) == nil)  // from a hostile SDP
    }

    @Test func durationToClockTicks() {
        #expect(RTPTimestamp(.milliseconds(20), clockRate: 8000).rawValue == 160)
        #expect(RTPTimestamp(.seconds(1) + .milliseconds(500), clockRate: 48000).rawValue == 72000)
        // 2^32 / 8000 s = 536870.912 s: the clock wraps to 0.
        #expect(RTPTimestamp(.seconds(536_870) + .milliseconds(912), clockRate: 8000).rawValue == 0)
    }

    @Test func extendedSequenceAcrossWrap() {
        var tracker = RTPSequenceTracker(firstSequenceNumber: 65534)
        #expect(tracker.update(65534) == .probation)
        #expect(tracker.update(65535) == .accepted(extendedSequence: 65535))
        #expect(tracker.update(0) == .accepted(extendedSequence: 65536))
        #expect(tracker.update(1) == .accepted(extendedSequence: 65537))
        #expect(tracker.update(65535) == .late(extendedSequence: 65535))  // reordered across the wrap
        #expect(tracker.update(3) == .accepted(extendedSequence: 65539))
        #expect(tracker.received == 5)
        // A.3: expected = 65539 - 65535 + 1 = 5 (base is the packet that ended probation).
        #expect(tracker.expected == 5)
    }

    @Test func probationNeedsTwoSequentialPackets() {
        var tracker = RTPSequenceTracker(firstSequenceNumber: 10)
        #expect(tracker.update(10) == .probation)
        #expect(tracker.update(12) == .probation)  // out of sequence: probation starts again
        #expect(!tracker.isValid)
        #expect(tracker.update(13) == .accepted(extendedSequence: 13))
        #expect(tracker.isValid)
        #expect(tracker.received == 1)
        #expect(tracker.baseSequence == 13)
    }

    @Test func largeJumpThenSequentialPacketRestarts() {
        var tracker = RTPSequenceTracker(firstSequenceNumber: 100)
        _ = tracker.update(100)
        _ = tracker.update(101)
        _ = tracker.update(102)
        // 20000 - 102 > MAX_DROPOUT (3000): rejected, remembered as bad_seq + 1.
        #expect(tracker.update(20000) == .rejectedJump)
        #expect(tracker.extendedHighestSequence == 102)
        #expect(tracker.update(20001) == .restarted(extendedSequence: 20001))
        #expect(tracker.received == 1)
        #expect(tracker.update(20002) == .accepted(extendedSequence: 20002))
    }

    @Test func largeJumpNotFollowedIsIgnored() {
        var tracker = RTPSequenceTracker(firstSequenceNumber: 100)
        _ = tracker.update(100)
        _ = tracker.update(101)
        #expect(tracker.update(40000) == .rejectedJump)
        #expect(tracker.update(102) == .accepted(extendedSequence: 102))
        #expect(tracker.update(40005) == .rejectedJump)
        #expect(tracker.update(103) == .accepted(extendedSequence: 103))
    }

    @Test func gapWithinDropoutIsAccepted() {
        var tracker = RTPSequenceTracker(firstSequenceNumber: 1)
        _ = tracker.update(1)
        _ = tracker.update(2)
        #expect(tracker.update(2 + 2999) == .accepted(extendedSequence: 3001))
        // A.1 MAX_MISORDER: up to 99 behind is late; 100 behind (udelta = 65536 - 100) is a jump.
        #expect(tracker.update(3001 - 99) == .late(extendedSequence: 2902))
        #expect(tracker.update(3001 - 100) == .rejectedJump)
    }
}
