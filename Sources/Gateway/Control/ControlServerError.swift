/// Why the control socket could not be opened, for the operator.
public enum ControlServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another process answers on the socket (a second `dialgate serve` with the same state directory).
    case alreadyRunning(path: String)
    /// Something other than a socket is at the path; it is left alone.
    case notASocket(path: String)
    /// Creating the directory, binding or setting permissions failed.
    case cannotBind(path: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyRunning(let path):
            "control socket \(path) is in use: another dialgate is running with this state directory"
        case .notASocket(let path):
            "control socket path \(path) exists and is not a socket; remove it or choose another --control path"
        case .cannotBind(let path, let reason):
            "cannot open control socket \(path): \(reason)"
        }
    }
}
