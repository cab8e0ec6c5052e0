/// When each outgoing 20 ms frame is due: frame n at `start + n × 20 ms`, computed from the start
/// rather than by sleeping 20 ms after each frame, so the time spent encoding and the scheduler's
/// lateness never add up (a sleep loop drifts by both on every frame).
///
/// When the sender falls more than `maximumLag` behind (the process was stopped or starved), the
/// schedule restarts from now instead of sending the backlog in a burst the receivers would have to
/// drop anyway. Pure: the caller passes the clock's `now`.
public struct FrameSchedule: Sendable {
    public private(set) var start: ContinuousClock.Instant
    /// Frames sent since `start`.
    public private(set) var sent = 0
    public let frameDuration: Duration
    public let maximumLag: Duration
    /// How often the schedule restarted after falling behind.
    public private(set) var restarts = 0

    public init(
        start: ContinuousClock.Instant, frameDuration: Duration = MeetingAudio.frameDuration, maximumLag: Duration = .milliseconds(200)
    ) {
        self.start = start
        self.frameDuration = frameDuration
        self.maximumLag = maximumLag
    }

    /// Records that a frame was sent at `now` and returns when the next one is due.
    public mutating func next(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        sent += 1
        let due = start + frameDuration * sent
        guard now - due > maximumLag else { return due }
        restarts += 1
        start = now
        sent = 0
        return now
    }
}
