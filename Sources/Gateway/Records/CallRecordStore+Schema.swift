import GRDB

extension CallRecordStore {
    /// The versioned schema. Migrations are append-only: a released migration is never edited,
    /// later issues add `v2`, `v3`, ... (GRDB records which ran in `grdb_migrations`).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: calls and audit") { db in
            try db.create(table: "calls") { t in
                t.column("id", .text).primaryKey()  // the gateway call id, e.g. c7f3a2
                t.column("sip_call_id", .text).notNull()
                t.column("caller", .text).notNull()
                t.column("caller_name", .text)
                t.column("called", .text).notNull()
                t.column("trunk", .text).notNull()
                t.column("route", .text).notNull()
                t.column("meeting", .text)
                t.column("state", .text).notNull()
                t.column("transport", .text).notNull()
                t.column("remote", .text).notNull()
                t.column("codec", .text)
                t.column("srtp", .boolean).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("answered_at", .datetime)
                t.column("ended_at", .datetime)
                t.column("duration_seconds", .double)
                t.column("outcome", .text)
                t.column("end_reason", .text)
                t.column("hung_up_by", .text)
                t.column("policy_decision", .text)
                t.column("policy_reason", .text)
                // Quality placeholders, filled by the RTP statistics issue.
                t.column("packet_loss_percent", .double)
                t.column("jitter_ms", .double)
                t.column("rtt_ms", .double)
                t.column("mos", .double)
            }
            // `history` sorts by start time and filters by caller.
            try db.create(index: "calls_started_at", on: "calls", columns: ["started_at"])
            try db.create(index: "calls_caller", on: "calls", columns: ["caller", "started_at"])
            // Crash recovery looks for calls that never ended.
            try db.create(index: "calls_live", on: "calls", columns: ["ended_at"])

            try db.create(table: "audit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("call_id", .text)
                t.column("meeting_id", .text)
                t.column("kind", .text).notNull()
                t.column("detail", .text).notNull()
            }
            try db.create(index: "audit_at", on: "audit", columns: ["at"])
            try db.create(index: "audit_call", on: "audit", columns: ["call_id"])
        }
        // v2: packet counts of the media leg, beside v1's quality columns.
        migrator.registerMigration("v2: media packet counts") { db in
            try db.alter(table: "calls") { t in
                t.add(column: "packets_received", .integer)
                t.add(column: "packets_sent", .integer)
            }
        }
        // v3: the meeting directory (``MeetingDirectory``). Without rowid: the table is looked up
        // by its text key only, so the key's B-tree holds the rows and a lookup is one tree walk.
        // Formats (ID and passcode digits, known modes) are checked by the directory, not by CHECK
        // constraints, so a later mode needs no table rebuild.
        migrator.registerMigration("v3: meetings") { db in
            try db.create(table: "meetings", options: [.withoutRowID]) { t in
                t.column("id", .text).primaryKey()  // 9 to 11 digits, e.g. 123456789
                t.column("passcode", .text).notNull()
                t.column("mode", .text).notNull()  // standard | e2ee
                t.column("tier", .text).notNull().defaults(to: "free")
                t.column("host", .text)
                t.column("created_at", .datetime).notNull()
                t.column("locked", .boolean).notNull().defaults(to: false)
            }
        }
        // v4: whether phone callers wait for the host (issue 5; the policy issue may set it by tier).
        migrator.registerMigration("v4: phones wait for host") { db in
            try db.alter(table: "meetings") { t in
                t.add(column: "phones_wait_for_host", .boolean).notNull().defaults(to: false)
            }
        }
        // v5: the host's Ed25519 key, fixed when a host client creates the meeting (DESIGN.md §4)
        // or pinned when the first host joins one made by dialgatectl.
        migrator.registerMigration("v5: meeting host key") { db in
            try db.alter(table: "meetings") { t in
                t.add(column: "host_signing_key", .blob)
            }
        }
        // v6: each call's timeline (`dialgatectl call ID`), written once when the call ends. A table of
        // its own so that `history` and `export` never read it; deleted with its call. And the
        // meeting's mode when the caller joined.
        migrator.registerMigration("v6: call timelines, meeting mode at join") { db in
            try db.alter(table: "calls") { t in
                t.add(column: "meeting_mode", .text)  // standard | e2ee | downgraded
            }
            try db.create(table: "call_timelines", options: [.withoutRowID]) { t in
                t.column("call_id", .text).primaryKey().references("calls", onDelete: .cascade)
                t.column("entries", .jsonText).notNull()  // [CallTimelineEntry] as JSON
                t.column("omitted", .integer).notNull().defaults(to: 0)
            }
        }
        return migrator
    }
}
