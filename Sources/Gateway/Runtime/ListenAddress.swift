/// `HOST:PORT` as given on the command line: `127.0.0.1:5060`, `[::1]:5060`, `0.0.0.0:0`.
public struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init(parsing text: String) throws(ListenAddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw .malformed(text, "expected [IPv6]:PORT")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                throw .malformed(text, "expected HOST:PORT (IPv6 in brackets)")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .malformed(text, "the host is empty") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw .malformed(text, "the port must be a number from 0 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public enum ListenAddressError: Error, Equatable, CustomStringConvertible {
    case malformed(String, String)

    public var description: String {
        switch self {
        case .malformed(let text, let why): "'\(text)': \(why)"
        }
    }
}

/// `LO-HI` for `--rtp-ports`.
public func parsePortRange(_ text: String) throws(ListenAddressError) -> ClosedRange<Int> {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 1024 <= low, low < high, high <= 65535 else {
        throw .malformed(text, "expected LO-HI with 1024 <= LO < HI <= 65535")
    }
    return low...high
}
