import Testing

@testable import Gateway

/// The metrics' own arithmetic, without a daemon: audit kinds become the right counters, and the
/// meetings' running totals become counters that only go up (a scrape after a restart of the
/// rooms' totals must not go backwards).
@Suite struct GatewayMetricsTests {
    static func values(_ metrics: GatewayMetrics, _ census: MeetingCensus) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in String(decoding: metrics.render(meetings: census), as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    @Test func auditKindsDigitsAndTheMeetingsCensus() {
        let metrics = GatewayMetrics()
        for kind in [
            "policy.admit", "policy.refused-e2ee", "policy.refused-e2ee", "admission.timeout", "mode.downgraded", "policy", "other.x",
        ] {
            metrics.audited(kind: kind)
        }
        metrics.digit(source: "rfc4733")
        metrics.securityRejection(method: "INVITE")
        var census = MeetingCensus(
            meetingsByMode: ["standard": 2, "downgraded": 1], appParticipants: 5, phoneParticipants: 2, phonesWaiting: 1,
            framesForwarded: 1000, framesDropped: 3)
        var values = Self.values(metrics, census)
        #expect(values["dialgate_policy_decisions_total{decision=\"refused-e2ee\"}"] == 2)
        #expect(values["dialgate_policy_decisions_total{decision=\"admit\"}"] == 1)
        #expect(values["dialgate_admissions_total{result=\"timeout\"}"] == 1)
        #expect(values["dialgate_meeting_mode_changes_total{change=\"downgraded\"}"] == 1)
        #expect(values["dialgate_dtmf_digits_total{source=\"rfc4733\"}"] == 1)
        #expect(values["dialgate_security_rejections_total{method=\"INVITE\"}"] == 1)
        #expect(values["dialgate_meetings{mode=\"standard\"}"] == 2 && values["dialgate_meetings{mode=\"e2ee\"}"] == 0)
        #expect(values["dialgate_meetings{mode=\"downgraded\"}"] == 1)
        #expect(values["dialgate_participants{kind=\"app\"}"] == 5 && values["dialgate_participants{kind=\"phone\"}"] == 2)
        #expect(values["dialgate_phones_waiting"] == 1)
        #expect(values["dialgate_frames_forwarded_total"] == 1000 && values["dialgate_frames_dropped_total"] == 3)
        #expect(values["dialgate_calls_total{outcome=\"completed\"}"] == 0, "every outcome from the start")

        census.framesForwarded = 1500
        census.meetingsByMode = [:]
        values = Self.values(metrics, census)
        #expect(values["dialgate_frames_forwarded_total"] == 1500)
        #expect(values["dialgate_meetings{mode=\"standard\"}"] == 0, "a gauge follows the census down")
        census.framesForwarded = 10  // the rooms' total can only grow; a smaller one never takes the counter back
        #expect(Self.values(metrics, census)["dialgate_frames_forwarded_total"] == 1500)
    }
}
