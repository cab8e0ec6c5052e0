import ControlAPI
import Foundation
import GRDB

/// The columns of the `calls` table (schema v1, v2, v6: ``CallRecordStore/migrator``), in the order
/// the batch writer binds them. A column of GRDB's query interface (`CallColumn.endedAt == nil`).
///
/// A record's value for each column comes from ONE place, ``CallRecord/databaseValue(_:)``, an
/// exhaustive switch: `encode(to:)` and the writer's upsert are both derived from it, so a column
/// added here cannot be forgotten by either.
enum CallColumn: String, CaseIterable, ColumnExpression {
    case id
    case sipCallID = "sip_call_id"
    case caller
    case callerName = "caller_name"
    case called
    case trunk
    case route
    case meeting
    case state
    case transport
    case remote
    case codec
    case srtp
    case startedAt = "started_at"
    case answeredAt = "answered_at"
    case endedAt = "ended_at"
    case durationSeconds = "duration_seconds"
    case outcome
    case endReason = "end_reason"
    case hungUpBy = "hung_up_by"
    case policyDecision = "policy_decision"
    case policyReason = "policy_reason"
    case packetLossPercent = "packet_loss_percent"
    case jitterMilliseconds = "jitter_ms"
    case roundTripMilliseconds = "rtt_ms"
    case mos
    case packetsReceived = "packets_received"
    case packetsSent = "packets_sent"
    case meetingMode = "meeting_mode"
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
        for column in CallColumn.allCases { container[column] = databaseValue(column) }
    }

    /// What the record stores in `column`. Dates as GRDB writes them (``StorageDateText``).
    func databaseValue(_ column: CallColumn) -> DatabaseValue {
        switch column {
        case .id: call.id.databaseValue
        case .sipCallID: call.sipCallID.databaseValue
        case .caller: call.caller.databaseValue
        case .callerName: call.callerName.databaseValue
        case .called: call.called.databaseValue
        case .trunk: call.trunk.databaseValue
        case .route: call.route.databaseValue
        case .meeting: call.meeting.databaseValue
        case .state: call.state.rawValue.databaseValue
        case .transport: call.transport.databaseValue
        case .remote: call.remote.databaseValue
        case .codec: call.codec.databaseValue
        case .srtp: call.srtp.databaseValue
        case .startedAt: StorageDateText.databaseValue(call.startedAt)
        case .answeredAt: StorageDateText.databaseValue(call.answeredAt)
        case .endedAt: StorageDateText.databaseValue(call.endedAt)
        case .durationSeconds: call.durationSeconds.databaseValue
        case .outcome: call.outcome?.rawValue.databaseValue ?? .null
        case .endReason: call.endReason.databaseValue
        case .hungUpBy: call.hungUpBy?.rawValue.databaseValue ?? .null
        case .policyDecision: policyDecision.databaseValue
        case .policyReason: policyReason.databaseValue
        case .packetLossPercent: call.quality?.lossPercent.databaseValue ?? .null
        case .jitterMilliseconds: call.quality?.jitterMilliseconds.databaseValue ?? .null
        case .roundTripMilliseconds: call.quality?.roundTripMilliseconds?.databaseValue ?? .null
        case .mos: call.quality?.mos.databaseValue ?? .null
        case .packetsReceived: call.quality?.packetsReceived.databaseValue ?? .null
        case .packetsSent: call.quality?.packetsSent.databaseValue ?? .null
        case .meetingMode: call.meetingMode.databaseValue
        }
    }

    /// The batch writer's statement: insert the call, or update every column of its row.
    /// (SQLite >= 3.24 upsert; one cached statement instead of GRDB's UPDATE-then-INSERT `save`.)
    static let upsertSQL: String = {
        let names = CallColumn.allCases.map(\.name)
        let updates = names.filter { $0 != CallColumn.id.name }.map { "\($0) = excluded.\($0)" }
        return """
            INSERT INTO calls (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", "))) \
            ON CONFLICT(id) DO UPDATE SET \(updates.joined(separator: ", "))
            """
    }()

    /// Writes the record with ``upsertSQL`` from the connection's statement cache.
    func upsert(_ db: Database) throws {
        try db.cachedStatement(sql: Self.upsertSQL).execute(arguments: StatementArguments(CallColumn.allCases.map(databaseValue)))
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
