import SIP

/// Protection against guessing meeting IDs and passcodes ("zoom-bombing"), across all calls.
///
/// Two counters, both pure (instants come in; docs/dialplan.md, "Guessing", has the arithmetic):
/// - per source (an address, or a trusted trunk's caller): each wrong entry doubles the wait
///   before the caller hears the failure, and too many in a window lock the source out;
/// - per meeting, across every caller: a bucket of `meetingBurst` failures that refills at a
///   rate set by the passcode's length, so that at the fastest allowed rate the expected time to
///   guess the passcode is `targetGuessTime` (20 years) whatever its length. An empty bucket
///   locks the meeting's phone entry until a failure's worth has refilled.
/// A locked source or meeting sounds exactly like a wrong entry, so nothing is learned from it.
public struct EntryGuard: Sendable {
    public struct Settings: Sendable, Equatable {
        /// The wait after a source's first wrong entry; it doubles with each one after.
        public var firstPenalty: Duration = .seconds(1)
        public var maxPenalty: Duration = .seconds(30)
        /// This many wrong entries from a source within `sourceWindow` lock it out for `sourceLockout`.
        public var sourceFailureLimit = 10
        public var sourceWindow: Duration = .seconds(3600)
        public var sourceLockout: Duration = .seconds(3600)
        /// Wrong passcodes a meeting absorbs before its bucket is empty.
        public var meetingBurst = 10
        /// The expected time to guess a passcode at the fastest rate the bucket allows.
        public var targetGuessTime: Duration = .seconds(20 * 365 * 86400 + 5 * 86400)
        /// However long the passcode, a meeting never refills faster than one failure per this.
        public var minimumRefillInterval: Duration = .seconds(10)
        /// Sources and meetings tracked at most (memory stays bounded under any attack).
        public var maxTracked = 65536

        public init() {}
    }

    public let settings: Settings
    private var sources: [String: SourceRecord] = [:]
    private var meetings: [String: MeetingBucket] = [:]

    struct SourceRecord: Sendable {
        /// Instants of the wrong entries within the window, oldest first.
        var failures: [SIPInstant] = []
        var lockedUntil: SIPInstant?
        var last: SIPInstant
    }

    struct MeetingBucket: Sendable {
        var tokens: Double
        var refillInterval: Duration
        var updated: SIPInstant
    }

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// What `recordFailure` decided.
    public struct Verdict: Sendable, Equatable {
        /// How long the caller waits before hearing the failure.
        public var penalty: Duration
        /// The source has just been locked out, until then.
        public var sourceLockedUntil: SIPInstant?
        /// The meeting's phone entry is locked (its bucket is empty), until then.
        public var meetingLockedUntil: SIPInstant?
    }

    /// Whether entries from `source` are refused for now.
    public func isLocked(source: String, now: SIPInstant) -> Bool {
        guard let until = sources[source]?.lockedUntil else { return false }
        return now < until
    }

    /// Whether the meeting's phone entry is locked for now (its bucket has no whole failure left).
    public func isLocked(meeting id: String, now: SIPInstant) -> Bool {
        guard let bucket = meetings[id] else { return false }
        return refilled(bucket, now: now).tokens < 1
    }

    /// The interval at which a meeting with a passcode of `length` digits gets one more failure:
    /// the bucket's rate r makes the expected guessing time (10^length / 2 − burst) / r equal to
    /// the target, so r = (10^length / 2) / target, rounded down to `minimumRefillInterval`.
    public func refillInterval(passcodeLength length: Int) -> Duration {
        let halfSpace = Double(pow10(max(1, min(length, 18)))) / 2
        let seconds = Double(settings.targetGuessTime.components.seconds) / halfSpace
        let minimum = Double(settings.minimumRefillInterval.components.seconds)
        return .milliseconds(Int64(max(seconds, minimum) * 1000))
    }

    /// Counts a wrong entry from `source` (and against the meeting, when the caller named one
    /// that exists and got its passcode wrong).
    public mutating func recordFailure(
        source: String, meeting: MeetingEntry?, now: SIPInstant
    ) -> Verdict {
        prune(now: now)
        var record = sources[source] ?? SourceRecord(last: now)
        record.failures.removeAll { now - $0 >= settings.sourceWindow }
        record.failures.append(now)
        record.last = now
        var verdict = Verdict(penalty: penalty(afterFailures: record.failures.count), sourceLockedUntil: nil, meetingLockedUntil: nil)
        if record.failures.count >= settings.sourceFailureLimit {
            let until = now + settings.sourceLockout
            record.lockedUntil = until
            record.failures.removeAll()
            verdict.sourceLockedUntil = until
        }
        sources[source] = record

        if let meeting {
            let interval = refillInterval(passcodeLength: meeting.passcode.count)
            var bucket =
                meetings[meeting.id].map { refilled($0, now: now) }
                ?? MeetingBucket(tokens: Double(settings.meetingBurst), refillInterval: interval, updated: now)
            bucket.refillInterval = interval
            bucket.tokens = max(0, bucket.tokens - 1)
            if bucket.tokens < 1 {
                verdict.meetingLockedUntil = now + interval * (1 - bucket.tokens)
            }
            meetings[meeting.id] = bucket
        }
        return verdict
    }

    /// 1 s, 2 s, 4 s ... up to the maximum.
    func penalty(afterFailures count: Int) -> Duration {
        let doublings = min(max(0, count - 1), 20)
        return min(settings.firstPenalty * (1 << doublings), settings.maxPenalty)
    }

    private func refilled(_ bucket: MeetingBucket, now: SIPInstant) -> MeetingBucket {
        var bucket = bucket
        let elapsed = Double((now - bucket.updated).components.seconds) + Double((now - bucket.updated).components.attoseconds) / 1e18
        let interval = Double(bucket.refillInterval.components.seconds) + Double(bucket.refillInterval.components.attoseconds) / 1e18
        bucket.tokens = min(Double(settings.meetingBurst), bucket.tokens + max(0, elapsed) / interval)
        bucket.updated = now
        return bucket
    }

    /// Forgets what no longer matters (expired sources, full buckets); past `maxTracked`, the
    /// least recently failing sources go first. Meetings are bounded by the directory.
    private mutating func prune(now: SIPInstant) {
        guard sources.count >= settings.maxTracked || meetings.count >= settings.maxTracked else { return }
        sources = sources.filter { _, record in
            if let until = record.lockedUntil, now < until { return true }
            return now - record.last < settings.sourceWindow
        }
        meetings = meetings.filter { _, bucket in refilled(bucket, now: now).tokens < Double(settings.meetingBurst) }
        if sources.count >= settings.maxTracked {
            let keep = sources.sorted { $0.value.last > $1.value.last }.prefix(settings.maxTracked / 2)
            sources = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    private func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { acc, _ in acc * 10 } }
}
