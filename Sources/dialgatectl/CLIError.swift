import ControlAPI

/// Everything that makes dialgatectl exit non-zero, as one line for stderr.
enum CLIError: Error {
    case cannotConnect(path: String, reason: String)
    case connectionClosed(path: String)
    case server(ControlError)
    case badReply(String)
    case unexpectedReply(expected: String)
    /// `reload` ran and the daemon refused the new plan (its errors are printed before this).
    case reloadRefused

    var message: String {
        switch self {
        case .cannotConnect(let path, let reason):
            "cannot connect to \(path): \(reason) (is 'dialgate serve' running?)"
        case .connectionClosed(let path):
            "the daemon closed the connection on \(path)"
        case .server(.notFound(let id)):
            "no call \(id) (see 'dialgatectl calls')"
        case .server(.meetingNotFound(let id)):
            "no meeting \(id) (see 'dialgatectl meetings')"
        case .server(.unknownCommand(let name)):
            "the daemon does not know the command '\(name)' (is it older than dialgatectl?)"
        case .server(let error):
            error.message
        case .badReply(let reason):
            "unreadable reply from the daemon: \(reason)"
        case .unexpectedReply(let expected):
            "unexpected reply from the daemon (wanted \(expected))"
        case .reloadRefused:
            "reload refused: the previous dialplan stays active"
        }
    }
}
