/// Canonical wire form (RFC 3261 §7): start line, one `Name: value` CRLF per field with the
/// standard long names (`SIPHeaders.standardName`), Content-Length computed from the body
/// (in place of the first Content-Length field, or last when there was none; duplicates are
/// dropped), the empty line, the body. Writes into the caller's buffer after reserving room.
extension SIPRequest {
    public func serialize(into buffer: inout [UInt8]) {
        let uriText = uri.description
        buffer.reserveCapacity(buffer.count + SIPSerializer.estimate(headers, body) + uriText.utf8.count + 32)
        buffer.append(contentsOf: method.token.utf8)
        buffer.append(0x20)
        buffer.append(contentsOf: uriText.utf8)
        buffer.append(contentsOf: " SIP/2.0\r\n".utf8)
        SIPSerializer.appendFields(headers, body: body, to: &buffer)
    }

    public var serialized: [UInt8] {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return buffer
    }
}

extension SIPResponse {
    public func serialize(into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + SIPSerializer.estimate(headers, body) + reasonPhrase.utf8.count + 16)
        buffer.append(contentsOf: "SIP/2.0 ".utf8)
        buffer.append(contentsOf: String(statusCode).utf8)
        buffer.append(0x20)
        // A reason phrase never holds CR or LF (RFC 3261 §25.1); drop any so a value cannot
        // inject header lines.
        buffer.append(contentsOf: reasonPhrase.utf8.filter { $0 != 0x0D && $0 != 0x0A })
        buffer.append(contentsOf: "\r\n".utf8)
        SIPSerializer.appendFields(headers, body: body, to: &buffer)
    }

    public var serialized: [UInt8] {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return buffer
    }
}

extension SIPMessage {
    public func serialize(into buffer: inout [UInt8]) {
        switch self {
        case .request(let request): request.serialize(into: &buffer)
        case .response(let response): response.serialize(into: &buffer)
        }
    }

    public var serialized: [UInt8] {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return buffer
    }
}

enum SIPSerializer {
    /// An upper bound of the octets needed for fields and body (start line excluded).
    static func estimate(_ headers: SIPHeaders, _ body: [UInt8]) -> Int {
        var total = body.count + 32
        for field in headers { total += field.name.utf8.count + field.value.utf8.count + 24 }
        return total
    }

    static func appendFields(_ headers: SIPHeaders, body: [UInt8], to buffer: inout [UInt8]) {
        var wroteLength = false
        for field in headers {
            let name = SIPHeaders.standardName(field.name)
            if name == "Content-Length" {
                guard !wroteLength else { continue }
                wroteLength = true
                appendLength(body.count, to: &buffer)
                continue
            }
            buffer.append(contentsOf: name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            // Values were unfolded by the parser; CR/LF in a value set by code would start a new
            // header line, so they are replaced by SP (RFC 3261 §7.3.1 folding is equivalent).
            for byte in field.value.utf8 { buffer.append(byte == 0x0D || byte == 0x0A ? 0x20 : byte) }
            buffer.append(contentsOf: "\r\n".utf8)
        }
        if !wroteLength { appendLength(body.count, to: &buffer) }
        buffer.append(contentsOf: "\r\n".utf8)
        buffer.append(contentsOf: body)
    }

    private static func appendLength(_ length: Int, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: "Content-Length: ".utf8)
        buffer.append(contentsOf: String(length).utf8)
        buffer.append(contentsOf: "\r\n".utf8)
    }
}
