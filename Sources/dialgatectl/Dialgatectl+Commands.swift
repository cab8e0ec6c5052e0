import ArgumentParser
import ControlAPI
import Foundation

struct Status: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the daemon's version, uptime, listeners and call counts.")

    @OptionGroup var global: GlobalOptions

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.status)
        guard case .status(let status) = payload else { throw CLIError.unexpectedReply(expected: "status") }
        if global.json { try printJSON(payload) } else { Output.line(Format.status(status)) }
    }
}

struct Calls: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "List the live calls.",
        discussion: """
            With --watch on a terminal, the table is redrawn in place on every change and every \
            second, like top (state in colour unless NO_COLOR is set); into a pipe, one line per call \
            change until interrupted; with --watch --json, the first line is {"watching":[live calls]} \
            and then one {"event":{"kind":...,"call":{...}}} line per change.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Keep printing call changes as they happen.")
    var watch = false

    @OptionGroup var filters: LiveCallFilters

    func run(client: inout ControlClient) async throws {
        guard watch else {
            let payload = try await client.request(.calls)
            guard case .calls(let all) = payload else { throw CLIError.unexpectedReply(expected: "calls") }
            let calls = all.filter(filters.matches)
            if global.json { try printJSON(ControlReplyPayload.calls(calls)) } else { Output.line(Format.calls(calls)) }
            return
        }
        let first = try await client.request(.watchCalls)
        guard case .watching(let all) = first else { throw CLIError.unexpectedReply(expected: "watching") }
        let calls = all.filter(filters.matches)
        // On a terminal, a table redrawn in place; into a pipe, one line per change (scripts).
        let screen = !global.json && WatchScreen.isTerminal ? WatchScreen(calls: calls, colour: WatchScreen.wantsColour) : nil
        if global.json {
            try printJSON(ControlReplyPayload.watching(calls))
        } else if let screen {
            await screen.draw()
        } else {
            Output.line(Format.calls(calls))
            Output.line("watching for changes (Ctrl-C to stop)")
        }
        let ticker = Task {
            while let screen, !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                await screen.draw()
            }
        }
        defer { ticker.cancel() }
        while let reply = try await client.nextReply() {
            let payload = try reply.result.unwrapped()
            guard case .event(let event) = payload else { continue }  // a newer daemon's extra line
            // A call leaving the filter (a state it no longer has) leaves the screen as if it ended.
            guard filters.matches(event.call) || screen != nil else { continue }
            if let screen, !filters.matches(event.call) {
                await screen.apply(ControlEvent(kind: .callEnded, call: event.call))
                continue
            }
            if global.json {
                try printJSON(payload)
            } else if let screen {
                await screen.apply(event)
            } else {
                Output.line(Format.event(event, at: Date()))
            }
        }
        throw CLIError.connectionClosed(path: client.socketPath)
    }
}

struct Call: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one call, live or recorded, by its gateway call id.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The gateway call id (the ID column of 'dialgatectl calls'), e.g. c7f3a2.")
    var id: String

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.call(id: id))
        guard case .call(let call) = payload else { throw CLIError.unexpectedReply(expected: "call") }
        if global.json { try printJSON(payload) } else { Output.line(Format.call(call)) }
    }
}

struct History: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "List recorded calls, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many calls to show (1 to \(HistoryQuery.maxLimit)).")
    var limit = HistoryQuery.defaultLimit

    @Option(help: "Only calls from this caller.")
    var caller: String?

    @Option(help: "Only calls to this number.")
    var called: String?

    @OptionGroup var filters: RecordFilters

    func validate() throws {
        guard HistoryQuery.limitRange.contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(HistoryQuery.maxLimit)")
        }
    }

    func run(client: inout ControlClient) async throws {
        let query = HistoryQuery(
            limit: limit, caller: caller, called: called, outcome: filters.outcome.map(CallOutcome.init(rawValue:)),
            since: filters.since.flatMap(Self.parseTime), until: filters.until.flatMap(Self.parseTime), meeting: filters.meeting)
        let payload = try await client.request(.history(query))
        guard case .history(let calls) = payload else { throw CLIError.unexpectedReply(expected: "history") }
        if global.json { try printJSON(payload) } else { Output.line(Format.history(calls)) }
    }

    /// ISO 8601 with time, or a bare date meaning local midnight.
    static func parseTime(_ text: String) -> Date? {
        if let date = ControlWire.parseISO8601(text) { return date }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: Calendar.current) else { return nil }
        return Calendar.current.date(from: components)
    }
}

struct Hangup: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "End a live call (BYE, or a final response if it is still ringing).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The gateway call id, e.g. c7f3a2.")
    var id: String

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.hangup(id: id))
        guard case .call(let call) = payload else { throw CLIError.unexpectedReply(expected: "call") }
        if global.json {
            try printJSON(payload)
        } else {
            Output.line("hanging up \(call.id) (\(call.caller) -> \(call.called), \(call.state.rawValue))")
        }
    }
}

/// `export`: every recorded call matching the filters, oldest last, as CSV or JSON lines, read from
/// the daemon page by page (so a large history needs no large reply).
struct Export: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Print recorded calls as CSV (with a header) or JSON lines, newest first.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "csv (RFC 4180, one header line) or jsonl (one JSON object per call, as history --json).")
    var format = Format.csv

    @OptionGroup var filters: RecordFilters

    func run(client: inout ControlClient) async throws {
        // A fixed end, so calls that start while the export runs do not shift the pages.
        let end = filters.until.flatMap(History.parseTime) ?? Date()
        if format == .csv { Output.line(CallSnapshot.csvColumns.joined(separator: ",")) }
        var offset = 0
        while true {
            let query = HistoryQuery(
                limit: HistoryQuery.maxLimit, outcome: filters.outcome.map(CallOutcome.init(rawValue:)),
                since: filters.since.flatMap(History.parseTime), until: end, offset: offset, meeting: filters.meeting)
            guard case .history(let calls) = try await client.request(.history(query)) else {
                throw CLIError.unexpectedReply(expected: "history")
            }
            for call in calls {
                switch format {
                case .csv: Output.line(call.csvRecord)
                case .jsonl: Output.raw(try ControlWire.encodeLine(call))
                }
            }
            guard calls.count == HistoryQuery.maxLimit else { return }
            offset += calls.count
        }
    }
}

/// The record filters `history` and `export` share.
struct RecordFilters: ParsableArguments {
    @Option(help: "Only calls with this outcome (completed, cancelled, rejected, failed, interrupted, refused-e2ee).")
    var outcome: String?

    @Option(help: "Only calls that joined, or were refused from, this meeting.")
    var meeting: String?

    @Option(help: ArgumentHelp("Only calls started at or after this time (ISO 8601, or YYYY-MM-DD for local midnight).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only calls started before this time (ISO 8601, or YYYY-MM-DD; export: default now).", valueName: "time"))
    var until: String?

    func validate() throws {
        if let since, History.parseTime(since) == nil { throw ValidationError("--since: not an ISO 8601 time: \(since)") }
        if let until, History.parseTime(until) == nil { throw ValidationError("--until: not an ISO 8601 time: \(until)") }
    }
}

/// `calls` filters: every one given must hold.
struct LiveCallFilters: ParsableArguments {
    @Option(help: "Only calls in this state (ringing, answered, lobby, in-meeting, on-hold, ending).")
    var state: String?

    @Option(help: "Only calls in this meeting.")
    var meeting: String?

    @Option(help: "Only calls from this trunk.")
    var trunk: String?

    @Option(help: "Only calls whose caller number contains this.")
    var caller: String?

    func matches(_ call: CallSnapshot) -> Bool {
        (state.map { $0 == call.state.rawValue } ?? true) && (meeting.map { $0 == call.meeting } ?? true)
            && (trunk.map { $0 == call.trunk } ?? true) && (caller.map { call.caller.contains($0) } ?? true)
    }
}
