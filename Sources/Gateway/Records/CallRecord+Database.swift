import ControlAPI
import Foundation
import GRDB

/// Column names of the `calls` table (schema v1, ``CallRecordStore/migrator``).
enum CallColumn {
    static let id = Column("id")
    static let sipCallID = Column("sip_call_id")
    static let caller = Column("caller")
    static let callerName = Column("caller_name")
    static let called = Column("called")
    static let trunk = Column("trunk")
    static let route = Column("route")
    static let meeting = Column("meeting")
    static let state = Column("state")
    static let transport = Column("transport")
    static let remote = Column("remote")
    static let codec = Column("codec")
    static let srtp = Column("srtp")
    static let startedAt = Column("started_at")
    static let answeredAt = Column("answered_at")
    static let endedAt = Column("ended_at")
    static let durationSeconds = Column("duration_seconds")
    static let outcome = Column("outcome")
    static let endReason = Column("end_reason")
    static let hungUpBy = Column("hung_up_by")
    static let policyDecision = Column("policy_decision")
    static let policyReason = Column("policy_reason")
    static let packetLossPercent = Column("packet_loss_percent")
    static let jitterMilliseconds = Column("jitter_ms")
    static let roundTripMilliseconds = Column("rtt_ms")
    static let mos = Column("mos")
    static let packetsReceived = Column("packets_received")
    static let packetsSent = Column("packets_sent")
    static let meetingMode = Column("meeting_mode")
}

extension CallRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "calls" }

    public init(row: Row) throws {
        let call = CallSnapshot(
            id: row[CallColumn.id],
            sipCallID: row[CallColumn.sipCallID],
            caller: row[CallColumn.caller],
            callerName: row[CallColumn.callerName],
            called: row[CallColumn.called],
            trunk: row[CallColumn.trunk],
            route: row[CallColumn.route],
            meeting: row[CallColumn.meeting],
            state: CallState(rawValue: row[CallColumn.state]),
            transport: row[CallColumn.transport],
            remote: row[CallColumn.remote],
            codec: row[CallColumn.codec],
            srtp: row[CallColumn.srtp],
            startedAt: row[CallColumn.startedAt],
            answeredAt: row[CallColumn.answeredAt],
            endedAt: row[CallColumn.endedAt],
            durationSeconds: row[CallColumn.durationSeconds],
            outcome: (row[CallColumn.outcome] as String?).map(CallOutcome.init(rawValue:)),
            endReason: row[CallColumn.endReason],
            hungUpBy: (row[CallColumn.hungUpBy] as String?).map(CallParty.init(rawValue:)))
        var withQuality = call
        withQuality.meetingMode = row[CallColumn.meetingMode]
        if let mos = row[CallColumn.mos] as Double? {
            withQuality.quality = CallQualityFigures(
                packetsReceived: row[CallColumn.packetsReceived] ?? 0, packetsSent: row[CallColumn.packetsSent] ?? 0,
                lossPercent: row[CallColumn.packetLossPercent] ?? 0, jitterMilliseconds: row[CallColumn.jitterMilliseconds] ?? 0,
                roundTripMilliseconds: row[CallColumn.roundTripMilliseconds], mos: mos)
        }
        self.init(call: withQuality, policyDecision: row[CallColumn.policyDecision], policyReason: row[CallColumn.policyReason])
    }

    public func encode(to container: inout PersistenceContainer) throws {
        container[CallColumn.id] = call.id
        container[CallColumn.sipCallID] = call.sipCallID
        container[CallColumn.caller] = call.caller
        container[CallColumn.callerName] = call.callerName
        container[CallColumn.called] = call.called
        container[CallColumn.trunk] = call.trunk
        container[CallColumn.route] = call.route
        container[CallColumn.meeting] = call.meeting
        container[CallColumn.state] = call.state.rawValue
        container[CallColumn.transport] = call.transport
        container[CallColumn.remote] = call.remote
        container[CallColumn.codec] = call.codec
        container[CallColumn.srtp] = call.srtp
        container[CallColumn.startedAt] = call.startedAt
        container[CallColumn.answeredAt] = call.answeredAt
        container[CallColumn.endedAt] = call.endedAt
        container[CallColumn.durationSeconds] = call.durationSeconds
        container[CallColumn.outcome] = call.outcome?.rawValue
        container[CallColumn.endReason] = call.endReason
        container[CallColumn.hungUpBy] = call.hungUpBy?.rawValue
        container[CallColumn.policyDecision] = policyDecision
        container[CallColumn.policyReason] = policyReason
        container[CallColumn.packetLossPercent] = call.quality?.lossPercent
        container[CallColumn.jitterMilliseconds] = call.quality?.jitterMilliseconds
        container[CallColumn.roundTripMilliseconds] = call.quality?.roundTripMilliseconds
        container[CallColumn.mos] = call.quality?.mos
        container[CallColumn.packetsReceived] = call.quality?.packetsReceived
        container[CallColumn.packetsSent] = call.quality?.packetsSent
        container[CallColumn.meetingMode] = call.meetingMode
    }
}

extension AuditEntry: PersistableRecord {
    public static var databaseTableName: String { "audit" }

    public func encode(to container: inout PersistenceContainer) throws {
        container["at"] = at
        container["call_id"] = callID
        container["meeting_id"] = meetingID
        container["kind"] = kind
        container["detail"] = detail
    }
}
