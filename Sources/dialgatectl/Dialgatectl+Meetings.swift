import ArgumentParser
import ControlAPI
import Foundation

struct Meetings: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "List the meeting directory (passcodes are not shown; 'dialgatectl meeting ID' shows one).")

    @OptionGroup var global: GlobalOptions

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.meetings)
        guard case .meetings(let meetings) = payload else { throw CLIError.unexpectedReply(expected: "meetings") }
        if global.json { try printJSON(payload) } else { Output.line(Format.meetings(meetings)) }
    }
}

struct Trunks: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "List the trunks: their sources, live calls, and registration with the provider.")

    @OptionGroup var global: GlobalOptions

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.trunks)
        guard case .trunks(let trunks) = payload else { throw CLIError.unexpectedReply(expected: "trunks") }
        if global.json { try printJSON(payload) } else { Output.line(Format.trunks(trunks)) }
    }
}

/// `meeting ID` shows one meeting; `meeting create ...` adds one.
struct Meeting: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one meeting (with its passcode), create one, lock or unlock it, or end it.",
        discussion: "'dialgatectl meeting ID' is short for 'dialgatectl meeting show ID'.",
        subcommands: [MeetingShow.self, MeetingCreate.self, MeetingLock.self, MeetingUnlock.self, MeetingEnd.self],
        defaultSubcommand: MeetingShow.self)

    @OptionGroup var global: GlobalOptions
}

struct MeetingShow: ControlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one meeting, passcode included.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The meeting ID (9 to 11 digits).")
    var id: String

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.meeting(id: id))
        guard case .meeting(let meeting) = payload else { throw CLIError.unexpectedReply(expected: "meeting") }
        if global.json { try printJSON(payload) } else { Output.line(Format.meeting(meeting)) }
    }
}

struct MeetingCreate: ControlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a meeting in the directory.",
        discussion: """
            Without --passcode the gateway generates 6 random digits and prints them. \
            An ID that exists already is an error.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The meeting ID callers dial (9 to 11 digits).", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The passcode (4 to 10 digits; default: 6 random digits).", valueName: "digits"))
    var passcode: String?

    @Option(help: ArgumentHelp("The meeting's mode: standard or e2ee.", valueName: "mode"))
    var mode = MeetingMode.standard.rawValue

    @Option(help: ArgumentHelp("The host's account tier, which policy looks at.", valueName: "tier"))
    var tier = MeetingCreation.defaultTier

    @Option(help: ArgumentHelp("The host's name.", valueName: "name"))
    var host: String?

    @Flag(help: "Phone callers wait (hearing so) until the host is in the meeting.")
    var phonesWaitForHost = false

    @Option(
        name: .customLong("host-key"),
        help: ArgumentHelp(
            "Fix the host identity now: its signing key in base64 (the signingKey dialgate-participant prints).", valueName: "base64"))
    var hostKey: String?

    func run(client: inout ControlClient) async throws {
        let creation = MeetingCreation(
            id: id, passcode: passcode, mode: MeetingMode(rawValue: mode), tier: tier, host: host, phonesWaitForHost: phonesWaitForHost,
            hostKey: hostKey)
        let payload = try await client.request(.meetingCreate(creation))
        guard case .meeting(let meeting) = payload else { throw CLIError.unexpectedReply(expected: "meeting") }
        if global.json { try printJSON(payload) } else { Output.line(Format.meetingCreated(meeting)) }
    }
}

struct MeetingLock: ControlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "lock", abstract: "Lock a meeting: nobody new joins it (its host still can).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The meeting ID (9 to 11 digits).")
    var id: String

    func run(client: inout ControlClient) async throws {
        try await setLock(true, id: id, client: &client)
    }
}

struct MeetingUnlock: ControlSubcommand {
    static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Unlock a meeting.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The meeting ID (9 to 11 digits).")
    var id: String

    func run(client: inout ControlClient) async throws {
        try await setLock(false, id: id, client: &client)
    }
}

extension ControlSubcommand {
    /// `meeting lock` and `meeting unlock`.
    fileprivate func setLock(_ locked: Bool, id: String, client: inout ControlClient) async throws {
        let payload = try await client.request(.meetingLock(id: id, locked: locked))
        guard case .meeting(let meeting) = payload else { throw CLIError.unexpectedReply(expected: "meeting") }
        if global.json { try printJSON(payload) } else { Output.line("meeting \(meeting.id) \(meeting.locked ? "locked" : "unlocked")") }
    }
}

struct MeetingEnd: ControlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "end", abstract: "End a live meeting: every participant is told and disconnected (the meeting stays in the directory)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The meeting ID (9 to 11 digits).")
    var id: String

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.meetingEnd(id: id))
        guard case .meeting(let meeting) = payload else { throw CLIError.unexpectedReply(expected: "meeting") }
        if global.json { try printJSON(payload) } else { Output.line("meeting \(meeting.id) ended") }
    }
}

struct Reload: ControlSubcommand {
    static let configuration = CommandConfiguration(
        abstract: "Reload the dialplans (as SIGHUP does); a plan with errors is refused and the previous one stays.",
        discussion: "Exits 1 when the new plan is refused, after printing its errors (file:line:column: message) on stderr.")

    @OptionGroup var global: GlobalOptions

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(.reload)
        guard case .reload(let result) = payload else { throw CLIError.unexpectedReply(expected: "reload") }
        if global.json {
            try printJSON(payload)
        } else if result.accepted {
            Output.line(Format.reloaded(result))
        } else {
            for error in result.errors { Output.errorLine(error) }
        }
        guard result.accepted else { throw CLIError.reloadRefused }
    }
}
