import ControlAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `dialgatectl calls --watch` on a terminal: the live-calls table redrawn in place, like `top`, on
/// every change and every second (durations move), with the state in colour unless `NO_COLOR` is set.
/// Piped into another program, `--watch` prints one line per change instead (`Format.event`).
actor WatchScreen {
    private var calls: [String: CallSnapshot] = [:]
    private let colour: Bool

    init(calls: [CallSnapshot], colour: Bool) {
        self.colour = colour
        for call in calls { self.calls[call.id] = call }
    }

    /// Whether stdout is a terminal (redraw) rather than a pipe or file (one line per change).
    nonisolated static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Colour only on a terminal and when NO_COLOR (https://no-color.org) is not set.
    nonisolated static var wantsColour: Bool { isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true }

    func apply(_ event: ControlEvent) {
        switch event.kind {
        case .callEnded: calls[event.call.id] = nil
        default: calls[event.call.id] = event.call
        }
        draw()
    }

    func draw(now: Date = Date()) {
        // Home, clear: the whole screen is redrawn (a terminal of any size, no cursor games).
        Output.raw(Array("\u{1B}[H\u{1B}[2J".utf8) + Array(Self.render(Array(calls.values), now: now, colour: colour).utf8) + [10])
    }

    /// The screen's text: a title line, then the table of live calls (oldest first).
    static func render(_ calls: [CallSnapshot], now: Date, colour: Bool) -> String {
        let sorted = calls.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        let title = "dialgate: \(sorted.count) live call\(sorted.count == 1 ? "" : "s") at \(Format.time(now))  (Ctrl-C to stop)"
        guard !sorted.isEmpty else { return title }
        var lines = Format.callsTable(sorted, now: now).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if colour {
            // The state column, coloured after padding so the columns stay aligned.
            for (index, call) in sorted.enumerated() {
                let code =
                    switch call.state {
                    case .inMeeting: "32"  // green
                    case .answered: "36"  // cyan: in the IVR
                    case .ringing, .lobby, .onHold: "33"  // yellow: waiting
                    default: "31"  // red: ending
                    }
                let line = lines[index + 1]
                if let range = line.range(of: " \(call.state.rawValue) ") {
                    lines[index + 1] = line.replacingCharacters(in: range, with: " \u{1B}[\(code)m\(call.state.rawValue)\u{1B}[0m ")
                }
            }
            lines[0] = "\u{1B}[1m\(lines[0])\u{1B}[0m"
        }
        return title + "\n\n" + lines.joined(separator: "\n")
    }
}
