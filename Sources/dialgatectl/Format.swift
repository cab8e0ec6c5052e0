import ControlAPI
import Foundation

/// Human output: aligned tables and key: value blocks an operator reads at a glance.
enum Format {
    /// Columns separated by two spaces, each as wide as its widest cell; the last is not padded.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map(printable) }
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

    static func calls(_ calls: [CallSnapshot], now: Date = Date()) -> String {
        guard !calls.isEmpty else { return "no live calls" }
        return callsTable(calls, now: now)
    }

    static let callsHeader = ["ID", "STATE", "CALLER", "CALLED", "MEETING", "MODE", "CODEC", "SRTP", "DURATION", "LOSS", "JITTER", "MOS"]

    /// The live-calls table of `calls` and `calls --watch`, oldest call first. The caller as policy
    /// shows it (`caller-id-display`, masked by default); `call ID` shows the number.
    static func callsTable(_ calls: [CallSnapshot], now: Date) -> String {
        let sorted = calls.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        return table(
            callsHeader,
            sorted.map { call in
                let quality = call.quality
                return [
                    call.id, call.state.rawValue, call.callerShown ?? call.caller, call.called, call.meeting ?? "-",
                    call.meetingMode ?? "-", call.codec ?? "-", call.srtp ? "yes" : "no",
                    duration(call.durationSeconds ?? now.timeIntervalSince(call.answeredAt ?? call.startedAt)),
                    quality.map { String(format: "%.1f%%", $0.lossPercent) } ?? "-",
                    quality.map { "\(Int($0.jitterMilliseconds.rounded())) ms" } ?? "-",
                    quality.map { String(format: "%.2f", $0.mos) } ?? "-",
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
            ("meeting", (call.meeting ?? "-") + (call.meetingMode.map { " (\($0))" } ?? "")),
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
        var text = keyValues(fields)
        if let timeline = call.timeline, !timeline.isEmpty {
            // The record keeps milliseconds: the first entry can come out a hair before `startedAt`.
            let start = min(call.startedAt, timeline[0].at)
            text += "\ntimeline:\n" + self.timeline(timeline, omitted: call.timelineOmitted ?? 0, from: start)
        }
        return text
    }

    /// `call ID`'s timeline: seconds since the call started, what happened, and where a dialplan step
    /// is written (`file:line:column`, what an editor opens).
    static func timeline(_ entries: [CallTimelineEntry], omitted: Int, from start: Date) -> String {
        var rows = entries.map { entry -> [String] in
            let offset = entry.at.timeIntervalSince(start)
            let mark =
                switch entry.kind {
                case "received": "<-"
                case "sent": "->"
                case "dialplan": "plan"
                case "digit": "dtmf"
                default: entry.kind
                }
            return [
                "  " + String(format: "%+.3fs", offset.isFinite ? offset : 0), mark,
                entry.text + (entry.location.map { "  (\($0))" } ?? ""),
            ]
        }
        if omitted > 0, rows.count > keptTimelineHead {
            rows.insert(["  ...", "", "\(omitted) entries left out"], at: keptTimelineHead)
        }
        return table(["  AT", "", "WHAT"], rows)
    }

    /// The daemon keeps a long call's first 80 timeline entries and its latest ones.
    private static let keptTimelineHead = 80

    static func status(_ status: GatewayStatus) -> String {
        var fields: [(String, String)] = [
            ("version", status.version),
            ("started", time(status.startedAt)),
            ("uptime", duration(status.uptimeSeconds)),
            ("calls", "\(status.activeCalls) active, \(status.totalCalls) total"),
            ("draining", status.draining ? "yes (new calls get 503)" : "no"),
        ]
        if let meetings = status.activeMeetings {
            let participants = status.participants ?? 0
            fields.append(("meetings", "\(meetings) active, \(participants) participant\(participants == 1 ? "" : "s")"))
        }
        if let plan = status.dialplan {
            fields.append(
                (
                    "dialplan",
                    "version \(plan.version) (\(plan.fingerprint)), \(plan.files.count) files, \(plan.routes) routes, "
                        + "\(plan.trunks) trunks, loaded \(time(plan.loadedAt))"
                ))
            fields.append(("policy", "\(plan.policyFingerprint), \(plan.policyProfiles) profiles, \(plan.tiers) tiers"))
            if let reload = plan.lastReload {
                let outcome = reload.accepted ? "accepted" : "refused, \(reload.errors.count) errors: \(reload.errors.first ?? "-")"
                fields.append(("last reload", "\(time(reload.at)) by \(reload.trigger): \(outcome)"))
            }
        }
        for registration in status.registrations ?? [] {
            fields.append(("registration", "\(registration.trunk): \(registrationSummary(registration))"))
        }
        if status.listeners.isEmpty { fields.append(("listeners", "-")) }
        var text = keyValues(fields)
        if !status.listeners.isEmpty {
            text += "\nlisteners:\n"
            text += table(["  KIND", "ADDRESS"], status.listeners.map { ["  " + $0.kind, $0.address] })
        }
        return text
    }

    /// `trunks`: one row per trunk; the registration's state with what happened last.
    static func trunks(_ trunks: [TrunkSnapshot]) -> String {
        guard !trunks.isEmpty else { return "no trunks" }
        return table(
            ["TRUNK", "SOURCES", "AUTH", "CALLS", "REGISTRATION"],
            trunks.map { trunk in
                var sources = trunk.sources
                if let registration = trunk.registration { sources.append("registrar " + registration.registrar) }
                return [
                    trunk.name, sources.isEmpty ? "-" : sources.joined(separator: ", "), trunk.authenticates ? "digest" : "-",
                    trunk.maxCalls.map { "\(trunk.activeCalls)/\($0)" } ?? "\(trunk.activeCalls)",
                    trunk.registration.map(registrationSummary) ?? "-",
                ]
            })
    }

    /// `registered as sip:4711@example.com until 12:00:00 (200 OK (granted 600 s)), refresh 11:55:00`.
    static func registrationSummary(_ registration: RegistrationSnapshot) -> String {
        var text = "\(registration.state) as \(printable(registration.addressOfRecord))"
        if let expires = registration.expiresAt { text += " until \(time(expires))" }
        if let result = registration.lastResult { text += " (\(printable(result)))" }
        if registration.consecutiveFailures > 0 { text += ", \(registration.consecutiveFailures) failed in a row" }
        if let next = registration.nextAttemptAt {
            text += registration.state == "failed" ? ", retry \(time(next))" : ", refresh \(time(next))"
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
        ]) + (meeting.epoch.map { "\nepoch:     \($0)" } ?? "") + roster(meeting.roster)
            + (audit.isEmpty ? "" : "\naudit (newest first):\n" + audit.joined(separator: "\n"))
    }

    /// A live meeting's participants; nothing when the meeting is not live.
    private static func roster(_ members: [RosterMember]?) -> String {
        guard let members else { return "" }
        guard !members.isEmpty else { return "\nroster:    nobody in the meeting" }
        let rows = members.map { member in
            [
                "  " + (member.name.isEmpty ? "-" : member.name), member.kind, member.role ?? "-",
                member.waiting ? "waiting" : member.muted ? "muted" : "-", member.call ?? "-", member.fingerprint ?? "-",
            ]
        }
        return "\nroster:\n" + table(["  NAME", "KIND", "ROLE", "STATE", "CALL", "FINGERPRINT"], rows)
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
            + "\(call.callerShown ?? call.caller) -> \(call.called)  \(call.state.rawValue)"
        if let meeting = call.meeting { line += "  meeting \(meeting)" }
        if event.kind == .callEnded {
            line += "  \(call.outcome?.rawValue ?? "-")  \(duration(call.durationSeconds))"
            if let reason = call.endReason { line += "  (\(reason))" }
        }
        return printable(line)
    }

    private static func keyValues(_ fields: [(String, String)]) -> String {
        let width = fields.map { $0.0.count }.max() ?? 0
        return fields.map { key, value in
            (key + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + printable(value)
        }.joined(separator: "\n")
    }

    /// What the daemon reports comes from callers (display names, URIs): control characters (an
    /// escape sequence would drive the operator's terminal) are shown as `?`.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? "?" : $0 }))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.properties.generalCategory == .format
    }

    private static func orDash(_ text: String) -> String { text.isEmpty ? "-" : text }
}
