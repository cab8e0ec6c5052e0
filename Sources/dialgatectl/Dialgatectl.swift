import ArgumentParser
import ControlAPI
import Foundation

// dialgatectl: the operator's view of a running dialgate, over its control socket (DESIGN.md §3).

/// The root command: only dispatches; each subcommand is one control API command.
@main
struct Dialgatectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialgatectl",
        abstract: "Look at and steer a running dialgate through its control socket.",
        discussion: """
            The socket is --socket, else $DIALGATE_SOCKET, else ./var/dialgate.sock. \
            --socket and --json may come before or after the subcommand.
            """,
        subcommands: [
            Status.self, Calls.self, Call.self, History.self, Export.self, Hangup.self, Meetings.self, Meeting.self, Policy.self,
            Trunks.self, Reload.self,
        ])

    @OptionGroup var global: GlobalOptions
}

/// Options every subcommand takes (declared in each through `@OptionGroup`, so they are accepted
/// before or after the subcommand name).
struct GlobalOptions: ParsableArguments {
    static let defaultSocket = "./var/dialgate.sock"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's control socket (default: $DIALGATE_SOCKET, else \(GlobalOptions.defaultSocket)).",
            valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print exactly one JSON object (for scripts).")
    var json = false

    /// The socket path to use.
    func socketPath(parent: GlobalOptions? = nil) -> String {
        if let socket = socket ?? parent?.socket, !socket.isEmpty { return socket }
        if let fromEnvironment = ProcessInfo.processInfo.environment["DIALGATE_SOCKET"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultSocket
    }
}

/// What every subcommand does: connect, run, turn a failure into one line on stderr and exit 1.
protocol ControlSubcommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func run(client: inout ControlClient) async throws
}

extension ControlSubcommand {
    func run() async throws {
        do {
            try await ControlClient.withConnection(socketPath: global.socketPath()) { client in
                try await run(client: &client)
            }
        } catch let error as CLIError {
            Output.error(error.message)
            throw ExitCode.failure
        } catch let error as ExitCode {
            throw error
        } catch {
            Output.error("\(error)")
            throw ExitCode.failure
        }
    }

    /// `--json`: the payload as one JSON object on one line.
    func printJSON(_ payload: ControlReplyPayload) throws {
        Output.raw(try ControlWire.encodeLine(payload))
    }
}
