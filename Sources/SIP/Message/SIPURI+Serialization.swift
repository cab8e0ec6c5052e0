extension SIPURI: CustomStringConvertible {
    /// The canonical text of the URI: lower-case scheme, and %-escapes for exactly the octets
    /// that may not appear literally in each part (RFC 3261 §25.1 `user`, `password`, `paramchar`,
    /// `hname`/`hvalue`). Parsing the result gives an equal value.
    public var description: String {
        var out = ""
        switch scheme {
        case .sip: out += "sip:"
        case .sips: out += "sips:"
        case .tel:
            out += "tel:"
            out += SIPURI.escape(user ?? "", allowing: SIPURI.userExtra)
            appendParameters(to: &out)
            return out
        case .other(let name):
            out += name
            out += ":"
            out += opaque ?? ""
            return out
        }
        if let user {
            out += SIPURI.escape(user, allowing: SIPURI.userExtra)
            if let password {
                out += ":"
                out += SIPURI.escape(password, allowing: SIPURI.passwordExtra)
            }
            out += "@"
        }
        out += hostPort
        appendParameters(to: &out)
        for (index, header) in headers.enumerated() {
            out += index == 0 ? "?" : "&"
            out += SIPURI.escape(header.name, allowing: SIPURI.headerExtra)
            out += "="
            out += SIPURI.escape(header.value ?? "", allowing: SIPURI.headerExtra)
        }
        return out
    }

    /// `host[:port]`, with an IPv6 host in brackets (RFC 3261 §25.1 `hostport`).
    public var hostPort: String {
        var out = host.contains(":") ? "[\(host)]" : host
        if let port { out += ":\(port)" }
        return out
    }

    private func appendParameters(to out: inout String) {
        for parameter in parameters {
            out += ";"
            out += SIPURI.escape(parameter.name, allowing: SIPURI.paramExtra)
            if let value = parameter.value {
                out += "="
                out += SIPURI.escape(value, allowing: SIPURI.paramExtra)
            }
        }
    }

    // RFC 3261 §25.1: characters allowed unescaped besides `unreserved` in each part.
    static let userExtra: [UInt8] = Array("&=+$,;?/".utf8)
    static let passwordExtra: [UInt8] = Array("&=+$,".utf8)
    static let paramExtra: [UInt8] = Array("[]/:&+$".utf8)
    static let headerExtra: [UInt8] = Array("[]/?:+$".utf8)

    /// `unreserved = alphanum / mark`, `mark = - _ . ! ~ * ' ( )`.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "~"),
            UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
            true
        default:
            SIPLexer.isAlpha(byte) || SIPLexer.isDigit(byte)
        }
    }

    static func escape(_ text: String, allowing extra: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || extra.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
