/// A SIP request method (RFC 3261 §7.1). Methods are case-sensitive tokens: `invite` is not `INVITE`.
public enum SIPMethod: Hashable, Sendable, CustomStringConvertible {
    case invite, ack, bye, cancel, options, register
    case info, update, prack, message, subscribe, notify, refer, publish
    /// Any other token, kept verbatim (RFC 4475 §3.1.1.2: unknown methods are well-formed).
    case other(String)

    public init(_ token: String) {
        switch token {
        case "INVITE": self = .invite
        case "ACK": self = .ack
        case "BYE": self = .bye
        case "CANCEL": self = .cancel
        case "OPTIONS": self = .options
        case "REGISTER": self = .register
        case "INFO": self = .info
        case "UPDATE": self = .update
        case "PRACK": self = .prack
        case "MESSAGE": self = .message
        case "SUBSCRIBE": self = .subscribe
        case "NOTIFY": self = .notify
        case "REFER": self = .refer
        case "PUBLISH": self = .publish
        default: self = .other(token)
        }
    }

    /// The method as it appears on the wire.
    public var token: String {
        switch self {
        case .invite: "INVITE"
        case .ack: "ACK"
        case .bye: "BYE"
        case .cancel: "CANCEL"
        case .options: "OPTIONS"
        case .register: "REGISTER"
        case .info: "INFO"
        case .update: "UPDATE"
        case .prack: "PRACK"
        case .message: "MESSAGE"
        case .subscribe: "SUBSCRIBE"
        case .notify: "NOTIFY"
        case .refer: "REFER"
        case .publish: "PUBLISH"
        case .other(let token): token
        }
    }

    public var description: String { token }
}
