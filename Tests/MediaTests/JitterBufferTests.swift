import Media
import TestSupport
import Testing

/// Jitter buffer scenarios on a fake media clock: packets carry their sequence number as the frame,
/// the "clock" pops every 20 ms, and every packet arriving by a pop is inserted before it.
@Suite struct JitterBufferTests {
    struct Packet {
        var sequence: UInt16
        var timestamp: UInt32
        var arrivalMilliseconds: Int
    }

    /// Packets `count` long from `firstSequence`, 20 ms apart, arriving 2 ms after their send time
    /// plus `jitter(index)` ms.
    static func stream(
        count: Int, firstSequence: UInt16 = 1000, firstTimestamp: UInt32 = 50_000, jitter: (Int) -> Int = { _ in 0 }
    ) -> [Packet] {
        (0..<count).map { index in
            Packet(
                sequence: firstSequence &+ UInt16(truncatingIfNeeded: index),
                timestamp: firstTimestamp &+ UInt32(truncatingIfNeeded: index * 160), arrivalMilliseconds: index * 20 + 2 + jitter(index))
        }
    }

    /// Runs `pops` frame periods; returns what each pop gave.
    static func run(
        _ buffer: inout JitterBuffer<UInt16>, _ packets: [Packet], pops: Int, startMilliseconds: Int = 0
    ) -> [JitterBufferOutput<UInt16>] {
        let ordered = packets.enumerated().sorted {
            ($0.element.arrivalMilliseconds, $0.offset) < ($1.element.arrivalMilliseconds, $1.offset)
        }
        .map(\.element)
        var next = 0
        var outputs: [JitterBufferOutput<UInt16>] = []
        for pop in 0..<pops {
            let now = startMilliseconds + pop * 20
            while next < ordered.count && ordered[next].arrivalMilliseconds <= now {
                let packet = ordered[next]
                buffer.insert(
                    sequence: packet.sequence, timestamp: packet.timestamp, frame: packet.sequence,
                    arrival: .milliseconds(packet.arrivalMilliseconds))
                next += 1
            }
            outputs.append(buffer.pop(at: .milliseconds(now)))
            #expect(buffer.statistics.held <= buffer.capacity)
        }
        return outputs
    }

    static func played(_ outputs: [JitterBufferOutput<UInt16>]) -> [UInt16] {
        outputs.compactMap { if case .frame(let frame, _, _) = $0 { frame } else { nil } }
    }

    /// Every sequence the head passed is accounted for exactly once.
    static func expectAccounted(_ buffer: JitterBuffer<UInt16>, passed: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let s = buffer.statistics
        #expect(s.played + s.late + s.lost + s.droppedToShrink + s.discardedForOverflow == passed, "\(s)", sourceLocation: sourceLocation)
    }

    @Test func inOrderStreamPlaysEveryFrameInOrderAfterTheMinimumDelay() throws {
        var buffer = try JitterBuffer<UInt16>()
        let outputs = Self.run(&buffer, Self.stream(count: 50), pops: 60)
        // Arrives at 2 ms, target 20 ms: pops at 0 and 20 ms are empty, playout starts at 40 ms.
        #expect(outputs.prefix(2).allSatisfy { $0 == .empty })
        #expect(outputs[2] == .frame(1000, sequence: 1000, timestamp: 50_000))
        #expect(Self.played(outputs) == Array(1000..<1050))
        let s = buffer.statistics
        #expect(s.late == 0 && s.lost == 0 && s.duplicates == 0 && s.stretched == 0 && s.droppedToShrink == 0)
        #expect(s.targetDelay == .milliseconds(20))
        #expect(s.currentDelay == .milliseconds(38))
        Self.expectAccounted(buffer, passed: 50)
    }

    @Test func reorderWithinTheDelayIsPlayedInOrder() throws {
        var buffer = try JitterBuffer<UInt16>(configuration: .init(minimumDelay: .milliseconds(60)))
        var packets = Self.stream(count: 40)
        // 1011 overtakes 1010 by 25 ms; 1020 arrives after 1021 and 1022.
        packets[10].arrivalMilliseconds += 25
        packets[20].arrivalMilliseconds += 45
        let outputs = Self.run(&buffer, packets, pops: 50)
        #expect(Self.played(outputs) == Array(1000..<1040))
        #expect(buffer.statistics.late == 0 && buffer.statistics.lost == 0)
    }

    @Test func duplicatesAreDroppedAndCounted() throws {
        var buffer = try JitterBuffer<UInt16>()
        var packets = Self.stream(count: 30)
        packets.append(packets[5])  // a copy arriving at the same time, still buffered
        var late = packets[3]
        late.arrivalMilliseconds = 400  // a copy of a frame already played
        packets.append(late)
        let outputs = Self.run(&buffer, packets, pops: 35)
        #expect(Self.played(outputs) == Array(1000..<1030))
        #expect(buffer.statistics.duplicates == 2)
        #expect(buffer.statistics.late == 0)
    }

    @Test func lossIsConcealedAndCounted() throws {
        var buffer = try JitterBuffer<UInt16>()
        var packets = Self.stream(count: 30)
        packets.remove(at: 12)
        let outputs = Self.run(&buffer, packets, pops: 35)
        let index = try #require(outputs.firstIndex(of: .frame(1011, sequence: 1011, timestamp: 50_000 + 11 * 160)))
        #expect(outputs[index + 1] == .conceal(.missing(sequence: 1012)))
        #expect(outputs[index + 2] == .frame(1013, sequence: 1013, timestamp: 50_000 + 13 * 160))
        #expect(buffer.statistics.lost == 1 && buffer.statistics.late == 0)
        Self.expectAccounted(buffer, passed: 30)
    }

    @Test func lateArrivalAfterConcealmentCountsLateNotLost() throws {
        var buffer = try JitterBuffer<UInt16>()
        var packets = Self.stream(count: 30)
        packets[12].arrivalMilliseconds += 150
        let outputs = Self.run(&buffer, packets, pops: 60)
        #expect(outputs.contains(.conceal(.missing(sequence: 1012))))
        #expect(!Self.played(outputs).contains(1012))
        #expect(buffer.statistics.late == 1)
        #expect(buffer.statistics.lost == 0)
        // The spike widened the measured jitter, so the target rose above the minimum.
        #expect(buffer.statistics.jitter >= .milliseconds(150))
        #expect(buffer.statistics.targetDelay >= .milliseconds(160))
        Self.expectAccounted(buffer, passed: 30)
    }

    @Test func sequenceAndTimestampWrap() throws {
        var buffer = try JitterBuffer<UInt16>()
        var packets = Self.stream(count: 40, firstSequence: 65_520, firstTimestamp: UInt32.max - 1000)
        packets.swapAt(15, 16)  // reorder right at the wrap: 65535 and 0
        packets[15].arrivalMilliseconds = packets[16].arrivalMilliseconds
        let outputs = Self.run(&buffer, packets, pops: 45)
        let expected = (0..<40).map { UInt16(truncatingIfNeeded: 65_520 + $0) }
        #expect(Self.played(outputs) == expected)
        #expect(buffer.statistics.lost == 0 && buffer.statistics.late == 0 && buffer.statistics.duplicates == 0)
    }

    @Test func burstAfterAStallDrainsInOrderAndRaisesTheDelay() throws {
        var buffer = try JitterBuffer<UInt16>()
        // Packets 10...19 are held up and arrive together at 400 ms, then the stream goes on.
        let packets = Self.stream(count: 80, jitter: { (10..<20).contains($0) ? 400 - ($0 * 20 + 2) : 0 })
        let outputs = Self.run(&buffer, packets, pops: 100)
        #expect(outputs.contains(.conceal(.underrun)))
        let played = Self.played(outputs)
        #expect(played == played.sorted())
        #expect(played.last == 1079)
        // The burst came ~200 ms late: the buffer grew its delay toward the 200 ms maximum.
        let s = buffer.statistics
        #expect(s.targetDelay == .milliseconds(200))
        #expect(s.currentDelay >= .milliseconds(180))
        #expect(s.stretched > 0)
        #expect(s.late > 0)
        Self.expectAccounted(buffer, passed: Int(played.last! - 1000) + 1)
    }

    @Test func overflowIsBoundedByCapacity() throws {
        var buffer = try JitterBuffer<UInt16>(configuration: .init(minimumDelay: .milliseconds(200), capacity: 8))
        #expect(buffer.capacity == 8)
        // 20 packets arrive at once before playout starts: only the 8 newest can be held.
        let packets = Self.stream(count: 20, jitter: { 100 - $0 * 20 })
        _ = Self.run(&buffer, packets, pops: 1, startMilliseconds: 120)
        #expect(buffer.statistics.held == 8)
        #expect(buffer.statistics.discardedForOverflow == 12)
        let outputs = Self.run(&buffer, [], pops: 30, startMilliseconds: 140)
        #expect(Self.played(outputs) == Array(1012..<1020))
    }

    @Test func delayAdaptsUpUnderJitterAndBackDownWhenItCalms() throws {
        var buffer = try JitterBuffer<UInt16>()
        // 4 s with every third packet 70 ms late, then 6 s of a calm network.
        let packets = Self.stream(count: 500, jitter: { $0 < 200 && $0 % 3 == 0 ? 70 : 0 })
        let first = Self.run(&buffer, packets.filter { $0.arrivalMilliseconds <= 199 * 20 }, pops: 200)
        let raised = buffer.statistics
        #expect(raised.targetDelay >= .milliseconds(80))
        #expect(raised.currentDelay >= raised.targetDelay)
        #expect(raised.stretched > 0)
        // Once adapted, the late packets arrive in time: no late packets in the last second.
        #expect(Self.played(Array(first.suffix(50))).count == 50)
        let lateBefore = raised.late

        _ = Self.run(&buffer, packets.filter { $0.arrivalMilliseconds > 199 * 20 }, pops: 300, startMilliseconds: 200 * 20)
        let calmed = buffer.statistics
        #expect(calmed.targetDelay == .milliseconds(20))
        #expect(calmed.currentDelay < .milliseconds(50))
        #expect(calmed.droppedToShrink > 0)
        #expect(calmed.late == lateBefore)
    }

    @Test func restartNeedsTwoConsecutivePacketsFarAway() throws {
        var buffer = try JitterBuffer<UInt16>()
        _ = Self.run(&buffer, Self.stream(count: 10), pops: 10)
        // One stray packet far ahead is dropped; two in a row start a new stream.
        buffer.insert(sequence: 30_000, timestamp: 9, frame: 30_000, arrival: .milliseconds(201))
        #expect(buffer.statistics.discardedOutOfRange == 1)
        let packets = Self.stream(count: 10, firstSequence: 40_000, firstTimestamp: 7).map {
            Packet(sequence: $0.sequence, timestamp: $0.timestamp, arrivalMilliseconds: $0.arrivalMilliseconds + 200)
        }
        let outputs = Self.run(&buffer, packets, pops: 15, startMilliseconds: 200)
        #expect(buffer.statistics.restarts == 1)
        #expect(buffer.statistics.discardedOutOfRange == 2)
        // The old stream's last held frames are dropped at the restart; 40000 was the probe.
        #expect(Self.played(outputs).filter { $0 >= 30_000 } == Array(40_001..<40_010))
    }

    @Test func silenceAfterTheStreamStopsBecomesEmpty() throws {
        var buffer = try JitterBuffer<UInt16>()
        let outputs = Self.run(&buffer, Self.stream(count: 5), pops: 25)
        let tail = outputs.drop { if case .frame = $0 { true } else { $0 == .empty } }
        // 200 ms (10 periods) of underrun concealment, then nothing.
        #expect(tail.prefix(10).allSatisfy { $0 == .conceal(.underrun) })
        #expect(tail.dropFirst(10).allSatisfy { $0 == .empty })
        #expect(buffer.statistics.lost == 0)
    }

    @Test func invalidConfigurationsAreTypedErrors() {
        #expect(throws: JitterBufferError.self) { try JitterBuffer<Int>(configuration: .init(capacity: 0)) }
        #expect(throws: JitterBufferError.self) {
            try JitterBuffer<Int>(configuration: .init(minimumDelay: .milliseconds(300), maximumDelay: .milliseconds(200)))
        }
        #expect(throws: JitterBufferError.self) { try JitterBuffer<Int>(configuration: .init(clockRate: 0)) }
    }

    @Test func hostileValuesDoNotTrap() throws {
        var buffer = try JitterBuffer<UInt16>()
        var generator = SeededGenerator(seed: 7)
        for step in 0..<2000 {
            let random = generator.next()
            buffer.insert(
                sequence: UInt16(truncatingIfNeeded: random), timestamp: UInt32(truncatingIfNeeded: random >> 16), frame: 0,
                arrival: .seconds(Int64(bitPattern: random) / 3))
            if step % 3 == 0 { _ = buffer.pop(at: .seconds(Int64(bitPattern: generator.next()))) }
        }
        #expect(buffer.statistics.held <= buffer.capacity)
    }
}
