import SIP
import Testing

@testable import Calls
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

    /// Calls by trunk, active and ended; a call refused at its INVITE (an `ended` event with no
    /// `started`) is counted as ended but never takes the active gauges below zero; SRTP failures
    /// of the leg's last report are added at the end.
    @Test func callsByTrunkAndSRTPFailures() {
        let metrics = GatewayMetrics()
        func call(_ id: String, trunk: String, phase: CallPhase) -> CallFacts {
            CallFacts(
                id: GatewayCallID(id), sipCallID: id, caller: "100", called: "1000", trunk: trunk, phase: phase,
                peer: SIPPeer(transport: .udp, host: "127.0.0.1", port: 5070), onHold: false, startedAt: SIPInstant(nanoseconds: 0))
        }
        metrics.callEvent(CallEvent(kind: .started, call: call("c1", trunk: "carrier", phase: .ringing)))
        metrics.callEvent(CallEvent(kind: .started, call: call("c2", trunk: "carrier", phase: .ringing)))
        var ended = call("c1", trunk: "carrier", phase: .ended)
        ended.outcome = .completed
        ended.quality = CallQuality(packetsReceived: 100, packetsSent: 100, lossPercent: 0, jitter: .zero, roundTrip: nil, srtpFailures: 7)
        metrics.callEvent(CallEvent(kind: .ended, call: ended))
        var refused = call("c3", trunk: "-", phase: .ended)
        refused.outcome = .rejected
        metrics.callEvent(CallEvent(kind: .ended, call: refused))
        let values = Self.values(metrics, MeetingCensus())
        #expect(values["dialgate_trunk_calls_active{trunk=\"carrier\"}"] == 1)
        #expect(values["dialgate_trunk_calls_total{trunk=\"carrier\",outcome=\"completed\"}"] == 1)
        #expect(values["dialgate_trunk_calls_total{trunk=\"-\",outcome=\"rejected\"}"] == 1)
        #expect(values["dialgate_trunk_calls_active{trunk=\"-\"}"] == nil, "a refused call was never active")
        #expect(values["dialgate_calls_active"] == 1)
        #expect(values["dialgate_srtp_failures_total"] == 7)
    }

    @Test func registrationStateAndFailuresPerTrunk() {
        let metrics = GatewayMetrics()
        metrics.registrationChanged(trunk: "provider", registered: true, failed: false)
        metrics.registrationChanged(trunk: "backup", registered: false, failed: true)
        metrics.registrationChanged(trunk: "backup", registered: false, failed: true)
        let values = Self.values(metrics, MeetingCensus())
        #expect(values["dialgate_trunk_registered{trunk=\"provider\"}"] == 1)
        #expect(values["dialgate_trunk_registered{trunk=\"backup\"}"] == 0)
        #expect(values["dialgate_registration_failures_total{trunk=\"backup\"}"] == 2)
        #expect(values["dialgate_registration_failures_total{trunk=\"provider\"}"] == nil)
    }
}
