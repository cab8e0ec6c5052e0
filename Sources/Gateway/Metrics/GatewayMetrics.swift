import Calls
import NIOConcurrencyHelpers
import Prometheus

/// The daemon's Prometheus metrics (issue 8), on one registry of its own (no global metrics system):
/// call events, policy decisions and DTMF digits are counted as they happen; the meetings' figures
/// are read from `MeetingRooms` when Prometheus scrapes (`MetricsService`).
///
/// Names follow Prometheus' conventions (`_total` counters, base units: seconds, percent as a ratio
/// of 100 where said). docs/metrics.md lists every metric with its labels.
final class GatewayMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private let callsActive: Gauge
    private let callsStarted: Counter
    private let setupTime: DurationHistogram
    private let callDuration: DurationHistogram
    private let lossPercent: ValueHistogram
    private let jitterSeconds: ValueHistogram
    private let mos: ValueHistogram
    private let packetsReceived: Counter
    private let packetsSent: Counter
    private let srtpFailures: Counter
    /// Calls that started and have not ended (refused calls end without starting).
    private let started = NIOLockedValueBox<Set<GatewayCallID>>([])
    /// Calls whose answer has been timed (a call is `updated` many times after it is answered).
    private let answered = NIOLockedValueBox<Set<GatewayCallID>>([])

    // Meetings, set at each scrape.
    private let participantsApp: Gauge
    private let participantsPhone: Gauge
    private let phonesWaiting: Gauge
    private let framesForwarded: Counter
    private let framesDropped: Counter
    /// The rooms' running totals at the last scrape: the counters advance by the difference.
    private let lastFrames = NIOLockedValueBox((forwarded: 0, dropped: 0))

    init() {
        callsActive = registry.makeGauge(
            descriptor: Self.metric("dialgate_calls_active", "Calls in progress (ringing, IVR, in a meeting)."))
        callsStarted = registry.makeCounter(descriptor: Self.metric("dialgate_calls_started_total", "INVITEs that became calls."))
        setupTime = registry.makeDurationHistogram(
            descriptor: Self.metric("dialgate_call_setup_seconds", "From the INVITE to the 200 OK, for answered calls."),
            buckets: [
                .milliseconds(5), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            ])
        callDuration = registry.makeDurationHistogram(
            descriptor: Self.metric("dialgate_call_duration_seconds", "Answered calls, from the answer to the end."),
            buckets: [.seconds(1), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900), .seconds(3600), .seconds(14400)])
        lossPercent = registry.makeValueHistogram(
            descriptor: Self.metric("dialgate_call_loss_percent", "Per ended call with media: packets lost, in percent of those expected."),
            buckets: [0, 0.1, 0.5, 1, 2, 5, 10, 25, 100])
        jitterSeconds = registry.makeValueHistogram(
            descriptor: Self.metric("dialgate_call_jitter_seconds", "Per ended call with media: interarrival jitter (RFC 3550 §6.4.1)."),
            buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16])
        mos = registry.makeValueHistogram(
            descriptor: Self.metric(
                "dialgate_call_mos", "Per ended call with media: the estimated MOS (E-model, from loss, jitter and delay)."),
            buckets: [1, 2, 2.5, 3, 3.5, 4, 4.2, 4.5])
        packetsReceived = registry.makeCounter(
            descriptor: Self.metric("dialgate_media_packets_received_total", "RTP packets received on phone legs (ended calls)."))
        packetsSent = registry.makeCounter(
            descriptor: Self.metric("dialgate_media_packets_sent_total", "RTP packets sent on phone legs (ended calls)."))
        srtpFailures = registry.makeCounter(
            descriptor: Self.metric(
                "dialgate_srtp_failures_total",
                "SRTP packets that failed authentication or the replay check on phone legs (ended calls)."))
        participantsApp = registry.makeGauge(
            descriptor: Self.metric("dialgate_participants", "Participants in live meetings, by kind."), labels: [("kind", "app")])
        participantsPhone = registry.makeGauge(
            descriptor: Self.metric("dialgate_participants", "Participants in live meetings, by kind."), labels: [("kind", "phone")])
        phonesWaiting = registry.makeGauge(
            descriptor: Self.metric(
                "dialgate_phones_waiting", "Phone callers waiting for a host or for the host's answer (lobby, downgrade)."))
        framesForwarded = registry.makeCounter(
            descriptor: Self.metric(
                "dialgate_frames_forwarded_total", "Media frames forwarded to app participants (once per frame, whatever the receivers)."))
        framesDropped = registry.makeCounter(
            descriptor: Self.metric("dialgate_frames_dropped_total", "Media frames dropped for app participants that fell behind."))
        // Every outcome and mode shows from the first scrape, at 0.
        for outcome in ["completed", "cancelled", "rejected", "failed", "refused-e2ee", "refused-no-srtp"] { _ = callsEnded(outcome) }
        for mode in MeetingCensus.modes { _ = meetings(mode) }
    }

    // MARK: Events

    /// A call started, changed or ended (`CallEventFanout`).
    func callEvent(_ event: CallEvent) {
        let call = event.call
        switch event.kind {
        case .started:
            callsStarted.increment()
            started.withLockedValue { _ = $0.insert(call.id) }
            callsActive.increment()
            trunkActive(call.trunk).increment()
        case .updated:
            if let answeredAt = call.answeredAt, answered.withLockedValue({ $0.insert(call.id).inserted }) {
                setupTime.record(.nanoseconds(answeredAt.nanoseconds - call.startedAt.nanoseconds))
            }
        case .ended:
            let outcome = call.outcome?.rawValue ?? "failed"
            callsEnded(outcome).increment()
            trunkEnded(call.trunk, outcome).increment()
            // A call refused at its INVITE never started (no `started` event): it was never active.
            if started.withLockedValue({ $0.remove(call.id) != nil }) {
                callsActive.decrement()
                trunkActive(call.trunk).decrement()
            }
            if let quality = call.quality { srtpFailures.increment(by: Int64(quality.srtpFailures)) }
            let timed = answered.withLockedValue { $0.remove(call.id) != nil }
            if let answeredAt = call.answeredAt {
                if !timed { setupTime.record(.nanoseconds(answeredAt.nanoseconds - call.startedAt.nanoseconds)) }
                if let endedAt = call.endedAt { callDuration.record(.nanoseconds(endedAt.nanoseconds - answeredAt.nanoseconds)) }
            }
            if let quality = call.quality, quality.packetsReceived > 0 {
                packetsReceived.increment(by: Int64(quality.packetsReceived))
                packetsSent.increment(by: Int64(quality.packetsSent))
                lossPercent.record(quality.lossPercent)
                jitterSeconds.record(quality.jitterMilliseconds / 1000)
                mos.record(quality.estimatedMOS)
            } else if let quality = call.quality {
                packetsSent.increment(by: Int64(quality.packetsSent))
            }
        }
    }

    /// An audit row: policy decisions (`policy.X`), the lobby's steps (`admission.X`), mode changes.
    func audited(kind: String) {
        let parts = kind.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        switch parts[0] {
        case "policy":
            registry.makeCounter(
                descriptor: Self.metric(
                    "dialgate_policy_decisions_total",
                    "Policy decisions about phone callers, by decision (admit, refused-e2ee, lobby, ...)."),
                labels: [("decision", parts[1])]
            ).increment()
        case "admission":
            registry.makeCounter(
                descriptor: Self.metric(
                    "dialgate_admissions_total",
                    "Phone callers asking the host of an e2ee meeting, by step (requested, accepted, refused, timeout, withdrawn)."),
                labels: [("result", parts[1])]
            ).increment()
        case "mode":
            registry.makeCounter(
                descriptor: Self.metric(
                    "dialgate_meeting_mode_changes_total", "e2ee meetings downgraded for phone callers and upgraded again."),
                labels: [("change", parts[1])]
            ).increment()
        default:
            return
        }
    }

    /// A DTMF digit a phone leg's caller pressed, by how it came (`rfc4733`, `in-band`, `sip-info`).
    func digit(source: String) {
        registry.makeCounter(
            descriptor: Self.metric("dialgate_dtmf_digits_total", "DTMF digits received, by how they came."), labels: [("source", source)]
        )
        .increment()
    }

    /// A request refused with 503 because the SIP transaction table was full.
    func overloadRejection() {
        registry.makeCounter(
            descriptor: Self.metric(
                "dialgate_overload_rejections_total", "Requests answered 503 because the SIP transaction table was full.")
        ).increment()
    }

    /// A trunk's registration changed: `dialgate_trunk_registered` is 1 while the provider holds our
    /// binding (the alert operators set first), and each failed attempt is counted.
    func registrationChanged(trunk: String, registered: Bool, failed: Bool) {
        registry.makeGauge(
            descriptor: Self.metric("dialgate_trunk_registered", "1 while the provider holds the trunk's registration, else 0."),
            labels: [("trunk", trunk)]
        ).set(Double(registered ? 1 : 0))
        guard failed else { return }
        registry.makeCounter(
            descriptor: Self.metric("dialgate_registration_failures_total", "REGISTER attempts that failed (refused, or no answer)."),
            labels: [("trunk", trunk)]
        ).increment()
    }

    /// A request refused for security (auth failure, ban, wrong meeting entries), by SIP method.
    func securityRejection(method: String) {
        registry.makeCounter(
            descriptor: Self.metric(
                "dialgate_security_rejections_total",
                "Requests refused for security reasons (the security log line has the remote address)."), labels: [("method", method)]
        ).increment()
    }

    /// A metric's name and help text, as swift-prometheus wants them.
    private static func metric(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)  // the unit is in the name already
    }

    // MARK: Scrape

    /// The text exposition format (version 0.0.4), with the meetings' figures as of now.
    func render(meetings census: MeetingCensus) -> [UInt8] {
        for mode in MeetingCensus.modes { meetings(mode).set(Double(census.meetingsByMode[mode] ?? 0)) }
        participantsApp.set(Double(census.appParticipants))
        participantsPhone.set(Double(census.phoneParticipants))
        phonesWaiting.set(Double(census.phonesWaiting))
        let (forwarded, dropped) = lastFrames.withLockedValue { last in
            defer { last = (max(last.forwarded, census.framesForwarded), max(last.dropped, census.framesDropped)) }
            return (max(0, census.framesForwarded - last.forwarded), max(0, census.framesDropped - last.dropped))
        }
        framesForwarded.increment(by: Int64(forwarded))
        framesDropped.increment(by: Int64(dropped))
        return registry.emitToBuffer()
    }

    private func callsEnded(_ outcome: String) -> Counter {
        registry.makeCounter(descriptor: Self.metric("dialgate_calls_total", "Ended calls, by outcome."), labels: [("outcome", outcome)])
    }

    private func trunkEnded(_ trunk: String, _ outcome: String) -> Counter {
        registry.makeCounter(
            descriptor: Self.metric("dialgate_trunk_calls_total", "Ended calls, by trunk (`-`: from no trunk) and outcome."),
            labels: [("trunk", trunk), ("outcome", outcome)])
    }

    private func trunkActive(_ trunk: String) -> Gauge {
        registry.makeGauge(
            descriptor: Self.metric("dialgate_trunk_calls_active", "Calls in progress, by trunk."), labels: [("trunk", trunk)])
    }

    private func meetings(_ mode: String) -> Gauge {
        registry.makeGauge(
            descriptor: Self.metric("dialgate_meetings", "Live meetings, by mode (downgraded: e2ee meetings a host let phones into)."),
            labels: [("mode", mode)])
    }
}

/// What the live meetings add up to, for a scrape.
struct MeetingCensus: Sendable, Equatable {
    static let modes = ["standard", "e2ee", "downgraded"]

    var meetingsByMode: [String: Int] = [:]
    var appParticipants = 0
    var phoneParticipants = 0
    var phonesWaiting = 0
    var framesForwarded = 0
    var framesDropped = 0
}
