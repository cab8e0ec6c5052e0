import Foundation

/// `dialgatectl export`: call records as CSV (RFC 4180) or JSON lines, for spreadsheets, billing and
/// log pipelines (issue 8).
extension CallSnapshot {
    /// The CSV columns, in order (the header line).
    public static let csvColumns = [
        "id", "sip_call_id", "started_at", "answered_at", "ended_at", "duration_seconds", "caller", "caller_name", "called", "trunk",
        "route", "meeting", "transport", "remote", "codec", "srtp", "state", "outcome", "end_reason", "hung_up_by", "policy_decision",
        "policy_reason", "packets_received", "packets_sent", "loss_percent", "jitter_ms", "rtt_ms", "mos",
    ]

    /// One CSV record (no line break): RFC 4180 quoting, times in ISO 8601 UTC, empty for absent.
    public var csvRecord: String {
        let time: (Date?) -> String = { $0.map { $0.formatted(.iso8601) } ?? "" }
        let number: (Double?) -> String = { $0.map { String(format: "%.3f", $0) } ?? "" }
        let fields: [String] = [
            id, sipCallID, time(startedAt), time(answeredAt), time(endedAt), number(durationSeconds), caller, callerName ?? "", called,
            trunk, route, meeting ?? "", transport, remote, codec ?? "", srtp ? "yes" : "no", state.rawValue, outcome?.rawValue ?? "",
            endReason ?? "", hungUpBy?.rawValue ?? "", policyDecision ?? "", policyReason ?? "",
            quality.map { String($0.packetsReceived) } ?? "", quality.map { String($0.packetsSent) } ?? "", number(quality?.lossPercent),
            number(quality?.jitterMilliseconds), number(quality?.roundTripMilliseconds), number(quality?.mos),
        ]
        return fields.map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180 §2: a field with a comma, quote or line break is quoted, quotes doubled. A field a
    /// spreadsheet would run as a formula (`=`, `@`, a tab or CR first; `+` or `-` not followed by a
    /// number, so phone numbers stay as they are) gets a leading `'` (OWASP's CSV injection advice):
    /// a caller's display name is the caller's to choose.
    static func csvField(_ text: String) -> String {
        var field = text
        if let first = field.first {
            let rest = field.dropFirst()
            let formula =
                "=@\t\r".contains(first)
                || ("+-".contains(first) && !(rest.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") } && !rest.isEmpty))
            if formula { field = "'" + field }
        }
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
