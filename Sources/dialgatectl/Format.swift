import ControlAPI
import Foundation

/// Human output: aligned tables and key: value blocks an operator reads at a glance.
enum Format {
    /// Columns separated by two spaces, each as wide as its widest cell; the last is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `0:42`, `12:05`, `1:02:03`; `-` when unknown.
    static func duration(_ seconds: Double?) -> String {
        // Bounds checked before converting: a hostile or buggy reply must not trap.
        guard let seconds, seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-" }
        let total = Int(seconds)
        let hours = total / 3600
        let minutes = (total % 3600) / 60
        let secs = total % 60
        return hours > 0
            ? "\(hours):\(pad2(minutes)):\(pad2(secs))"
            : "\(minutes):\(pad2(secs))"
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Local time, `2026-11-26 19:46:19`; `-` when absent.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    static func calls(_ calls: [CallSnapshot]) -> String {
        guard !calls.isEmpty else { return "no live calls" }
        return table(
            ["ID", "STATE", "CALLER", "CALLED", "ROUTE", "TRANSPORT", "REMOTE", "DURATION", "SIP CALL-ID"],
            calls.map { call in
                [
                    call.id, call.state.rawValue, call.caller, call.called, orDash(call.route), call.transport,
                    call.remote, duration(call.durationSeconds ?? Date().timeIntervalSince(call.answeredAt ?? call.startedAt)),
                    call.sipCallID,
                ]
            })
    }

    static func history(_ calls: [CallSnapshot]) -> String {
        guard !calls.isEmpty else { return "no calls recorded" }
        return table(
            ["ID", "STARTED", "CALLER", "CALLED", "ROUTE", "OUTCOME", "DURATION", "REASON", "SIP CALL-ID"],
            calls.map { call in
                [
                    call.id, time(call.startedAt), call.caller, call.called, orDash(call.route),
                    call.outcome?.rawValue ?? call.state.rawValue, duration(call.durationSeconds),
                    call.endReason ?? "-", call.sipCallID,
                ]
            })
    }

    /// `call ID`: one `key: value` line per field, keys aligned.
    static func call(_ call: CallSnapshot) -> String {
        var caller = call.caller
        if let name = call.callerName, !name.isEmpty { caller = "\"\(name)\" \(call.caller)" }
        var fields: [(String, String)] = [
            ("id", call.id),
            ("sip call-id", call.sipCallID),
            ("state", call.state.rawValue),
            ("caller", caller),
            ("called", call.called),
            ("trunk", call.trunk),
            ("route", orDash(call.route)),
            ("meeting", call.meeting ?? "-"),
            ("transport", call.transport),
            ("remote", call.remote),
            ("codec", call.codec ?? "-"),
            ("srtp", call.srtp ? "yes" : "no"),
            ("started", time(call.startedAt)),
            ("answered", time(call.answeredAt)),
            ("ended", time(call.endedAt)),
            ("duration", duration(call.durationSeconds)),
            ("outcome", call.outcome?.rawValue ?? "-"),
            ("end reason", call.endReason ?? "-"),
            ("hung up by", call.hungUpBy?.rawValue ?? "-"),
        ]
        if let decision = call.policyDecision {
            fields.append(("policy", decision))
            if let reason = call.policyReason, !reason.isEmpty { fields.append(("policy reason", reason)) }
        }
        if let quality = call.quality {
            let rtt = quality.roundTripMilliseconds.map { "\(Int($0.rounded())) ms" } ?? "-"
            fields.append(("packets", "\(quality.packetsReceived) in, \(quality.packetsSent) out"))
            fields.append(
                (
                    "loss / jitter / rtt",
                    "\((quality.lossPercent * 10).rounded() / 10) % / \(Int(quality.jitterMilliseconds.rounded())) ms / \(rtt)"
                ))
            fields.append(("mos (estimate)", "\((quality.mos * 100).rounded() / 100)"))
        }
        return keyValues(fields)
    }

    static func status(_ status: GatewayStatus) -> String {
        var fields: [(String, String)] = [
            ("version", status.version),
            ("started", time(status.startedAt)),
            ("uptime", duration(status.uptimeSeconds)),
            ("calls", "\(status.activeCalls) active, \(status.totalCalls) total"),
            ("draining", status.draining ? "yes (new calls get 503)" : "no"),
        ]
        if status.listeners.isEmpty { fields.append(("listeners", "-")) }
        var text = keyValues(fields)
        if !status.listeners.isEmpty {
            text += "\nlisteners:\n"
            text += table(["  KIND", "ADDRESS"], status.listeners.map { ["  " + $0.kind, $0.address] })
        }
        return text
    }

    /// `meetings`: no passcodes (the reply has none).
    static func meetings(_ meetings: [MeetingSnapshot]) -> String {
        guard !meetings.isEmpty else { return "no meetings" }
        return table(
            ["ID", "MODE", "TIER", "HOST", "CREATED", "LOCKED"],
            meetings.map { meeting in
                [
                    meeting.id, meeting.mode.rawValue, meeting.tier, meeting.host ?? "-", time(meeting.createdAt),
                    meeting.locked ? "yes" : "no",
                ]
            })
    }

    /// `meeting ID`: one `key: value` line per field, passcode included.
    static func meeting(_ meeting: MeetingSnapshot) -> String {
        let audit = (meeting.audit ?? []).map { row in "  \(time(row.at))  \(row.call ?? "-")  \(row.kind)  \(row.detail)" }
        return keyValues([
            ("id", meeting.id),
            ("passcode", meeting.passcode ?? "-"),
            ("mode", meeting.mode.rawValue + (meeting.downgrade.map { ", downgraded for phone callers: \($0)" } ?? "")),
            ("tier", meeting.tier),
            ("host", meeting.host ?? "-"),
            ("created", time(meeting.createdAt)),
            ("locked", meeting.locked ? "yes" : "no"),
            ("phones", meeting.phonesWaitForHost == true ? "wait for the host" : "may join before the host"),
        ]) + (audit.isEmpty ? "" : "\naudit (newest first):\n" + audit.joined(separator: "\n"))
    }

    /// `meeting create`: one line with what a host shares (ID and passcode).
    static func meetingCreated(_ meeting: MeetingSnapshot) -> String {
        var details = ["passcode \(meeting.passcode ?? "-")", meeting.mode.rawValue, "tier \(meeting.tier)"]
        if let host = meeting.host { details.append("host \(host)") }
        return "created meeting \(meeting.id) (\(details.joined(separator: ", ")))"
    }

    /// `reload` that was accepted.
    static func reloaded(_ result: DialplanReloadResult) -> String {
        "dialplans reloaded: \(result.files.count) files, \(result.routes) routes, \(result.trunks) trunks (version \(result.version))"
    }

    /// One line per `calls --watch` event.
    static func event(_ event: ControlEvent, at now: Date) -> String {
        let call = event.call
        let what: String =
            switch event.kind {
            case .callStarted: "started"
            case .callUpdated: "updated"
            case .callEnded: "ended"
            }
        var line =
            "\(time(now))  \(what.padding(toLength: 7, withPad: " ", startingAt: 0))  \(call.id)  "
            + "\(call.caller) -> \(call.called)  \(call.state.rawValue)"
        if let meeting = call.meeting { line += "  meeting \(meeting)" }
        if event.kind == .callEnded {
            line += "  \(call.outcome?.rawValue ?? "-")  \(duration(call.durationSeconds))"
            if let reason = call.endReason { line += "  (\(reason))" }
        }
        return line
    }

    private static func keyValues(_ fields: [(String, String)]) -> String {
        let width = fields.map { $0.0.count }.max() ?? 0
        return fields.map { key, value in
            (key + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + value
        }.joined(separator: "\n")
    }

    private static func orDash(_ text: String) -> String { text.isEmpty ? "-" : text }
}
