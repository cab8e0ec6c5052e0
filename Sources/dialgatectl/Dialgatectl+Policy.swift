import ArgumentParser
import ControlAPI

/// `policy explain`: what policy would decide for a caller, without placing a call.
struct Policy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask what policy decides for phone callers.", subcommands: [PolicyExplain.self])

    @OptionGroup var global: GlobalOptions
}

struct PolicyExplain: ControlSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "What policy would decide if this caller joined this meeting now, why, and which lines say so.",
        discussion: """
            Uses the meeting as the directory has it (mode, tier), whether its host is in it now, and the \
            dialplan in force. No call is placed.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The meeting ID.", valueName: "id"))
    var meeting: String

    @Option(help: ArgumentHelp("The caller's number.", valueName: "number"))
    var caller: String

    @Option(help: ArgumentHelp("The trunk the call would come in on (its SRTP policy counts).", valueName: "name"))
    var trunk: String?

    @Option(help: ArgumentHelp("A policy profile the route names.", valueName: "name"))
    var policy: String?

    @Flag(inversion: .prefixedNo, help: "Whether the call's media is SRTP (default: what the trunk requires).")
    var srtp: Bool?

    func run(client: inout ControlClient) async throws {
        let payload = try await client.request(
            .policyExplain(PolicyExplainRequest(meeting: meeting, caller: caller, trunk: trunk, policy: policy, srtp: srtp)))
        guard case .policy(let explanation) = payload else { throw CLIError.unexpectedReply(expected: "policy") }
        if global.json { try printJSON(payload) } else { Output.line(Format.policy(explanation)) }
    }
}

extension Format {
    /// `policy explain`: the outcome first, then why, then where it is written.
    static func policy(_ explanation: PolicyExplanation) -> String {
        var outcome = explanation.outcome
        if let seconds = explanation.lobbySeconds { outcome += " (the host has \(seconds) s to decide)" }
        var lines = [
            "meeting \(explanation.meeting) (\(explanation.mode.rawValue), tier \(explanation.tier), host \(explanation.hostPresent ? "in" : "not in"), media \(explanation.srtp ? "SRTP" : "RTP")): \(outcome)",
            "participants see the caller as: \(explanation.callerShown)",
            "because:",
        ]
        lines += explanation.reasons.map { "  - \($0)" }
        lines.append("policy lines:")
        lines += explanation.lines.map { line in
            "  \(line.setting) \(line.value)  (\(line.source)\(line.location.map { ", \($0)" } ?? ""))"
        }
        return lines.joined(separator: "\n")
    }
}
