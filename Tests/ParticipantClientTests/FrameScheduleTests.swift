import Testing

@testable import ParticipantClient

@Suite("Frame pacing by deadlines from the start")
struct FrameScheduleTests {
    @Test func deadlinesDoNotDriftWithLateWakeUps() {
        let start = ContinuousClock.now
        var schedule = FrameSchedule(start: start)
        // Each wake-up is 7 ms late; the deadlines stay on the 20 ms grid.
        var now = start
        for frame in 1...50 {
            let due = schedule.next(now: now)
            #expect(due == start + .milliseconds(20 * frame))
            now = due + .milliseconds(7)
        }
        #expect(schedule.restarts == 0)
    }

    @Test func aStalledSenderRestartsInsteadOfBursting() {
        let start = ContinuousClock.now
        var schedule = FrameSchedule(start: start, maximumLag: .milliseconds(200))
        let late = start + .seconds(2)
        #expect(schedule.next(now: late) == late)
        #expect(schedule.restarts == 1)
        #expect(schedule.next(now: late) == late + .milliseconds(20))
    }
}
