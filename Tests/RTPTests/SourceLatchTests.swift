import RTP
import Testing

@Suite("Symmetric RTP source latch")
struct SourceLatchTests {
    @Test func locksAfterThreeSequentialPacketsThenDropsOthers() {
        var latch = RTPSourceLatch<String>()
        #expect(latch.receive(from: "192.0.2.1:4000", ssrc: 7, sequenceNumber: 100) == .learning)
        #expect(latch.receive(from: "192.0.2.1:4000", ssrc: 7, sequenceNumber: 101) == .learning)
        #expect(latch.receive(from: "192.0.2.1:4000", ssrc: 7, sequenceNumber: 102) == .locked("192.0.2.1:4000"))
        #expect(latch.lockedSource?.address == "192.0.2.1:4000")
        #expect(latch.receive(from: "192.0.2.1:4000", ssrc: 7, sequenceNumber: 103) == .accept)

        // Injection from elsewhere, even with the right SSRC and next sequence number.
        #expect(latch.receive(from: "198.51.100.9:5000", ssrc: 7, sequenceNumber: 104) == .drop)
        #expect(latch.receive(from: "192.0.2.1:4001", ssrc: 7, sequenceNumber: 105) == .drop)
        #expect(latch.droppedPackets == 2)
        #expect(latch.lockedSource?.address == "192.0.2.1:4000")

        // The locked peer may restart its stream with a new SSRC.
        #expect(latch.receive(from: "192.0.2.1:4000", ssrc: 8, sequenceNumber: 1) == .accept)
        #expect(latch.lockedSource?.ssrc == 8)
    }

    @Test func interleavedSourcesDoNotLock() {
        var latch = RTPSourceLatch<String>()
        #expect(latch.receive(from: "a", ssrc: 1, sequenceNumber: 1) == .learning)
        #expect(latch.receive(from: "a", ssrc: 1, sequenceNumber: 2) == .learning)
        #expect(latch.receive(from: "b", ssrc: 1, sequenceNumber: 3) == .learning)  // other address: restart
        #expect(latch.receive(from: "a", ssrc: 1, sequenceNumber: 4) == .learning)
        #expect(latch.receive(from: "a", ssrc: 2, sequenceNumber: 5) == .learning)  // other SSRC: restart
        #expect(latch.receive(from: "a", ssrc: 2, sequenceNumber: 7) == .learning)  // gap: restart
        #expect(!latch.isLocked)
        #expect(latch.learningRestarts == 4)
        #expect(latch.receive(from: "a", ssrc: 2, sequenceNumber: 8) == .learning)
        #expect(latch.receive(from: "a", ssrc: 2, sequenceNumber: 9) == .locked("a"))
    }

    @Test func sequenceWrapCountsAsInSequence() {
        var latch = RTPSourceLatch<Int>(requiredPackets: 2)
        #expect(latch.receive(from: 1, ssrc: 1, sequenceNumber: 65535) == .learning)
        #expect(latch.receive(from: 1, ssrc: 1, sequenceNumber: 0) == .locked(1))
    }

    @Test func relearnAfterRemoteAddressChange() {
        var latch = RTPSourceLatch<String>()
        for seq in UInt16(1)...3 { _ = latch.receive(from: "old", ssrc: 1, sequenceNumber: seq) }
        #expect(latch.receive(from: "new", ssrc: 1, sequenceNumber: 4) == .drop)
        latch.relearn()  // e.g. a re-INVITE moved the remote media
        #expect(!latch.isLocked)
        #expect(latch.receive(from: "new", ssrc: 1, sequenceNumber: 5) == .learning)
        #expect(latch.receive(from: "new", ssrc: 1, sequenceNumber: 6) == .learning)
        #expect(latch.receive(from: "new", ssrc: 1, sequenceNumber: 7) == .locked("new"))
        #expect(latch.receive(from: "old", ssrc: 1, sequenceNumber: 8) == .drop)
        #expect(latch.droppedPackets == 2)  // counts survive re-learning
    }
}
