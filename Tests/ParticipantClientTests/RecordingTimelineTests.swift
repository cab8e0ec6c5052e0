import Testing

@testable import ParticipantClient

@Suite("Recording timeline: 20 ms slots from the join, jitter, lateness, mixing")
struct RecordingTimelineTests {
    /// Collects everything the timeline emits.
    final class Sink {
        var slots: [[Int16]] = []
        func emit(_ samples: UnsafeBufferPointer<Int16>) { slots.append(Array(samples)) }
    }

    static func frame(_ value: Int16) -> [Int16] { Array(repeating: value, count: RecordingTimeline.samplesPerSlot) }

    @Test func slotsCountTwentyMillisecondsFromTheJoin() {
        #expect(MeetingAudio.slot(after: .zero) == 0)
        #expect(MeetingAudio.slot(after: .milliseconds(19)) == 0)
        #expect(MeetingAudio.slot(after: .milliseconds(20)) == 1)
        #expect(MeetingAudio.slot(after: .milliseconds(1_000)) == 50)
        #expect(MeetingAudio.slot(after: .milliseconds(-5)) == 0)
    }

    @Test func bunchedFramesMoveToTheNextFreeSlotPerSender() {
        var timeline = RecordingTimeline(windowSlots: 10, maximumLeadSlots: 3)
        #expect(timeline.place(sender: 1, arrivalSlot: 0) == 0)
        #expect(timeline.place(sender: 1, arrivalSlot: 2) == 2)
        #expect(timeline.place(sender: 1, arrivalSlot: 2) == 3)
        #expect(timeline.place(sender: 1, arrivalSlot: 4) == 4)
        // Another sender is independent.
        #expect(timeline.place(sender: 2, arrivalSlot: 2) == 2)
        // A burst runs ahead at most 3 slots; the rest is dropped and counted.
        #expect((0..<5).map { _ in timeline.place(sender: 1, arrivalSlot: 5) } == [5, 6, 7, 8, nil])
        #expect(timeline.droppedFrames == 1)
    }

    @Test func mixIsAlignedWithSilenceWhereNothingArrived() throws {
        var timeline = RecordingTimeline(windowSlots: 4)
        let sink = Sink()
        for (value, slot) in [(Int16(100), 1), (200, 1), (50, 3)] {
            Self.frame(value).withUnsafeBufferPointer { _ = timeline.add($0, at: slot, emit: sink.emit) }
        }
        #expect(sink.slots.isEmpty)
        timeline.flush(before: 5, emit: sink.emit)
        #expect(sink.slots == [Self.frame(0), Self.frame(300), Self.frame(0), Self.frame(50), Self.frame(0)])
        #expect(timeline.finishedSlots == 5)
        // A frame for a finished slot is late: counted, not mixed.
        #expect(Self.frame(7).withUnsafeBufferPointer { timeline.add($0, at: 4, emit: sink.emit) } == false)
        #expect(timeline.droppedFrames == 1)
    }

    @Test func theWindowMovesWhenAFrameIsFarAhead() {
        var timeline = RecordingTimeline(windowSlots: 3)
        let sink = Sink()
        Self.frame(1).withUnsafeBufferPointer { _ = timeline.add($0, at: 0, emit: sink.emit) }
        // Slot 5 needs slots 3...5 in the window: 0, 1 and 2 are finished first.
        Self.frame(2).withUnsafeBufferPointer { _ = timeline.add($0, at: 5, emit: sink.emit) }
        #expect(sink.slots == [Self.frame(1), Self.frame(0), Self.frame(0)])
        timeline.flush(before: 6, emit: sink.emit)
        #expect(sink.slots.count == 6)
        #expect(sink.slots[5] == Self.frame(2))
    }

    @Test func theMixClipsAndShortFramesEndInSilence() {
        var timeline = RecordingTimeline(windowSlots: 2)
        let sink = Sink()
        for _ in 0..<3 { Self.frame(20_000).withUnsafeBufferPointer { _ = timeline.add($0, at: 0, emit: sink.emit) } }
        [Int16](repeating: -30_000, count: 10).withUnsafeBufferPointer { _ = timeline.add($0, at: 0, emit: sink.emit) }
        timeline.flush(before: 1, emit: sink.emit)
        #expect(sink.slots[0][0..<10].allSatisfy { $0 == 30_000 })
        #expect(sink.slots[0][10...].allSatisfy { $0 == Int16.max })
    }
}
