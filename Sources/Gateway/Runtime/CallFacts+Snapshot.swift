import Calls
import ControlAPI
import Foundation

extension CallSnapshot {
    /// What the control API and the records show of a call, in wall-clock time.
    init(_ facts: CallFacts, clock: WallClockMapping, withTimeline: Bool = false) {
        let startedAt = clock.date(facts.startedAt)
        let answeredAt = facts.answeredAt.map(clock.date)
        let endedAt = facts.endedAt.map(clock.date)
        self.init(
            id: facts.id.rawValue, sipCallID: facts.sipCallID, caller: facts.caller, callerName: facts.callerDisplayName,
            called: facts.called, trunk: facts.trunk, route: facts.route ?? "-", meeting: facts.meetingID,
            state: CallState(rawValue: facts.phase.rawValue), transport: facts.peer.transport.rawValue.lowercased(),
            remote: facts.peer.hostPort, codec: facts.codec, srtp: facts.srtp, startedAt: startedAt, answeredAt: answeredAt,
            endedAt: endedAt,
            // Talk time for answered calls; ringing time does not count (as on a phone bill).
            durationSeconds: endedAt.flatMap { end in answeredAt.map { end.timeIntervalSince($0) } },
            outcome: facts.outcome.map { CallOutcome(rawValue: $0.rawValue) }, endReason: facts.endReason,
            hungUpBy: facts.hungUpBy.map { CallParty(rawValue: $0.rawValue) })
        callerShown = facts.callerShown
        meetingMode = facts.meetingMode
        policyDecision = facts.policyDecision
        policyReason = facts.policyReason
        quality = facts.quality.map { quality in
            CallQualityFigures(
                packetsReceived: quality.packetsReceived, packetsSent: quality.packetsSent, lossPercent: quality.lossPercent,
                jitterMilliseconds: quality.jitterMilliseconds, roundTripMilliseconds: quality.roundTripMilliseconds,
                mos: quality.estimatedMOS)
        }
        if withTimeline {
            timeline = facts.timeline.entries.map { entry in
                CallTimelineEntry(
                    at: clock.date(entry.at), kind: entry.kind.rawValue, text: entry.text, location: entry.location?.description)
            }
            timelineOmitted = facts.timeline.omitted
        }
    }
}
