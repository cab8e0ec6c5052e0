import ArgumentParser

/// `dialgate`: the gateway daemon and its tools.
struct Dialgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dialgate",
        abstract: "A phone dial-in gateway for online meetings.",
        version: "dialgate \(GatewayVersion.string)",
        subcommands: [Serve.self, DialplanCommand.self]
    )
}

enum GatewayVersion {
    static let string = "0.1.0"
}
