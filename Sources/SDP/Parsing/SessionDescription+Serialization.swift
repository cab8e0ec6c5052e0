extension SessionDescription {
    /// The description as SDP text: CRLF line ends and the canonical line order of RFC 8866 §5
    /// (`v o s i u e p c b t r z k a`, then per media `m i c b k a`).
    public func serialized() -> String {
        var buffer: [UInt8] = []
        serialize(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Appends the description as SDP text to `buffer` (see `serialized()`).
    public func serialize(into buffer: inout [UInt8]) {
        var writer = SDPWriter(buffer: buffer)
        buffer = []
        writer.line("v", "\(version)")
        writer.line("o", origin.fieldText)
        writer.line("s", sessionName)
        if let information { writer.line("i", information) }
        if let uri { writer.line("u", uri) }
        for email in emails { writer.line("e", email) }
        for phone in phones { writer.line("p", phone) }
        if let connection { writer.line("c", connection.fieldText) }
        for bandwidth in bandwidths { writer.line("b", bandwidth.fieldText) }
        for timing in timings {
            writer.line("t", "\(timing.start) \(timing.stop)")
            for repeat_ in timing.repeats { writer.line("r", repeat_) }
        }
        if let timeZones { writer.line("z", timeZones) }
        if let encryptionKey { writer.line("k", encryptionKey) }
        for attribute in attributes { writer.line("a", attribute.fieldText) }
        for section in media {
            writer.line("m", section.mediaLineText)
            if let information = section.information { writer.line("i", information) }
            if let connection = section.connection { writer.line("c", connection.fieldText) }
            for bandwidth in section.bandwidths { writer.line("b", bandwidth.fieldText) }
            if let key = section.encryptionKey { writer.line("k", key) }
            for attribute in section.attributes { writer.line("a", attribute.fieldText) }
        }
        buffer = writer.buffer
    }
}

private struct SDPWriter {
    var buffer: [UInt8]

    mutating func line(_ type: Character, _ value: String) {
        buffer.append(contentsOf: type.utf8)
        buffer.append(UInt8(ascii: "="))
        buffer.append(contentsOf: value.utf8)
        buffer.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }
}

extension SDPOrigin {
    /// The `o=` value (RFC 8866 §5.2).
    public var fieldText: String {
        "\(username) \(sessionID) \(sessionVersion) \(netType) \(addrType) \(address)"
    }
}

extension SDPConnection {
    /// The `c=` value (RFC 8866 §5.7), with any multicast suffixes.
    public var fieldText: String {
        var text = "\(netType) \(addrType) \(address)"
        if let ttl { text += "/\(ttl)" }
        if let numberOfAddresses { text += "/\(numberOfAddresses)" }
        return text
    }
}

extension SDPBandwidth {
    /// The `b=` value (RFC 8866 §5.8).
    public var fieldText: String { "\(type):\(value)" }
}

extension SDPAttribute {
    /// The `a=` value (RFC 8866 §5.13): `name` or `name:value`.
    public var fieldText: String {
        if let value { "\(name):\(value)" } else { name }
    }
}

extension MediaDescription {
    /// The `m=` value (RFC 8866 §5.14).
    public var mediaLineText: String {
        var text = "\(media) \(port)"
        if let numberOfPorts { text += "/\(numberOfPorts)" }
        text += " \(proto)"
        for format in formats { text += " \(format)" }
        return text
    }
}
