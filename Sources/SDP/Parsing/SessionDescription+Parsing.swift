extension SessionDescription {
    /// Parses an SDP body (RFC 8866 §5).
    ///
    /// Tolerant where real phones differ harmlessly: lone LF line ends, trailing blank lines, runs
    /// of spaces between fields, an empty `s=` (as in RFC 3264 §10), session-level lines after
    /// `s=` in any order (RFC 3264 §9 puts `t=` before `c=`). Strict on structure: `v=0` first,
    /// then `o=` and `s=`, at least one `t=`, no unknown line types, no repeated single lines,
    /// numeric fields in range. Unknown attributes are kept verbatim.
    public init(parsing text: String) throws(SDPParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses an SDP body given as bytes; see `init(parsing: String)`.
    public init(parsing bytes: [UInt8]) throws(SDPParseError) {
        let lines = try SDPLineReader.lines(of: bytes)
        self = try SDPParser.parse(lines)
    }
}

/// The RFC 8866 §5 grammar over already split lines.
enum SDPParser {
    static func parse(_ lines: [SDPLine]) throws(SDPParseError) -> SessionDescription {
        // RFC 8866 §5: v=, o=, s= come first and in this order.
        let version = lines[0]
        guard version.type == "v" else { throw version.error(.versionNotFirst) }
        guard version.value == "0" else {
            throw version.error(.unsupportedVersion(String(version.value)), column: SDPLine.valueColumn)
        }
        guard lines.count > 1, lines[1].type == "o" else {
            throw SDPParseError(line: min(2, lines.count), reason: .missingLine(type: "o"))
        }
        let origin = try parseOrigin(lines[1])
        guard lines.count > 2, lines[2].type == "s" else {
            throw SDPParseError(line: min(3, lines.count), reason: .missingLine(type: "s"))
        }
        var description = SessionDescription(
            origin: origin, sessionName: String(lines[2].value), timings: [])

        var index = 3
        // Session-level lines up to the first m=.
        while index < lines.count, lines[index].type != "m" {
            try parseSessionLine(lines[index], into: &description)
            index += 1
        }
        guard !description.timings.isEmpty else {
            // RFC 8866 §5: at least one t= line is required.
            let failingLine = index < lines.count ? lines[index].number : 0
            throw SDPParseError(line: failingLine, reason: .missingLine(type: "t"))
        }
        // Media sections.
        while index < lines.count {
            let mLine = lines[index]
            guard description.media.count < SDPLimits.maxMediaSections else {
                throw mLine.error(.tooManyMediaSections(limit: SDPLimits.maxMediaSections))
            }
            var media = try parseMediaLine(mLine)
            index += 1
            while index < lines.count, lines[index].type != "m" {
                try parseMediaLevelLine(lines[index], into: &media)
                index += 1
            }
            description.media.append(media)
        }
        return description
    }

    // MARK: - Session level

    private static func parseSessionLine(
        _ line: SDPLine, into description: inout SessionDescription
    ) throws(SDPParseError) {
        switch line.type {
        case "i":
            guard description.information == nil else { throw line.error(.duplicateLine(type: "i")) }
            description.information = String(line.value)
        case "u":
            guard description.uri == nil else { throw line.error(.duplicateLine(type: "u")) }
            description.uri = String(line.value)
        case "e": description.emails.append(String(line.value))
        case "p": description.phones.append(String(line.value))
        case "c":
            guard description.connection == nil else { throw line.error(.duplicateLine(type: "c")) }
            description.connection = try parseConnection(line)
        case "b": description.bandwidths.append(try parseBandwidth(line))
        case "t": description.timings.append(try parseTiming(line))
        case "r":
            // RFC 8866 §5.10: r= belongs to the t= just before it.
            guard !description.timings.isEmpty else { throw line.error(.unexpectedLine(type: "r")) }
            description.timings[description.timings.count - 1].repeats.append(String(line.value))
        case "z":
            guard description.timeZones == nil else { throw line.error(.duplicateLine(type: "z")) }
            description.timeZones = String(line.value)
        case "k":
            guard description.encryptionKey == nil else { throw line.error(.duplicateLine(type: "k")) }
            description.encryptionKey = String(line.value)
        case "a": description.attributes.append(try parseAttribute(line))
        case "v", "o", "s": throw line.error(.duplicateLine(type: line.type))
        default: throw line.error(.unknownLineType(type: line.type))
        }
    }

    private static func parseMediaLevelLine(
        _ line: SDPLine, into media: inout MediaDescription
    ) throws(SDPParseError) {
        switch line.type {
        case "i":
            guard media.information == nil else { throw line.error(.duplicateLine(type: "i")) }
            media.information = String(line.value)
        case "c":
            // RFC 8866 §5.7 allows several c= per media section only for layered multicast,
            // which a telephony gateway never serves; refusing keeps the model one-address.
            guard media.connection == nil else { throw line.error(.duplicateLine(type: "c")) }
            media.connection = try parseConnection(line)
        case "b": media.bandwidths.append(try parseBandwidth(line))
        case "k":
            guard media.encryptionKey == nil else { throw line.error(.duplicateLine(type: "k")) }
            media.encryptionKey = String(line.value)
        case "a": media.attributes.append(try parseAttribute(line))
        case "v", "o", "s", "u", "e", "p", "t", "r", "z":
            // RFC 8866 §5: these exist only at session level.
            throw line.error(.unexpectedLine(type: line.type))
        default: throw line.error(.unknownLineType(type: line.type))
        }
    }

    // MARK: - Line grammars

    /// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>` (RFC 8866 §5.2).
    static func parseOrigin(_ line: SDPLine) throws(SDPParseError) -> SDPOrigin {
        let fields = line.fields()
        let names = ["username", "sess-id", "sess-version", "nettype", "addrtype", "unicast-address"]
        guard fields.count >= names.count else {
            throw line.error(.missingField("o= \(names[fields.count])"), column: SDPLine.valueColumn)
        }
        guard fields.count == names.count else {
            throw line.error(.invalidField("o= line", value: String(line.value)), column: fields[6].column)
        }
        let sessionID: UInt64 = try number(fields[1], "sess-id", line)
        let sessionVersion: UInt64 = try number(fields[2], "sess-version", line)
        return SDPOrigin(
            username: String(fields[0].text),
            sessionID: sessionID,
            sessionVersion: sessionVersion,
            netType: String(fields[3].text),
            addrType: SDPAddressType(String(fields[4].text)),
            address: String(fields[5].text))
    }

    /// `c=<nettype> <addrtype> <connection-address>` (RFC 8866 §5.7), with the multicast
    /// `/ttl[/count]` (IP4) or `/count` (IP6) suffixes split off.
    static func parseConnection(_ line: SDPLine) throws(SDPParseError) -> SDPConnection {
        let fields = line.fields()
        guard fields.count == 3 else {
            if fields.count < 3 {
                throw line.error(.missingField("c= connection-address"), column: SDPLine.valueColumn)
            }
            throw line.error(.invalidField("c= line", value: String(line.value)), column: fields[3].column)
        }
        let addrType = SDPAddressType(String(fields[1].text))
        let addressField = fields[2]
        let parts = addressField.text.split(separator: "/", omittingEmptySubsequences: false)
        var connection = SDPConnection(
            netType: String(fields[0].text), addrType: addrType, address: String(parts[0]))
        guard !parts[0].isEmpty else {
            throw line.error(
                .invalidField("connection-address", value: String(addressField.text)),
                column: addressField.column)
        }
        let suffix = SDPLine.Field(text: addressField.text, column: addressField.column)
        switch (addrType, parts.count) {
        case (_, 1):
            break
        case (.ip4, 2):
            connection.ttl = try number(parts[1], "multicast TTL", suffix, line)
        case (.ip4, 3):
            connection.ttl = try number(parts[1], "multicast TTL", suffix, line)
            connection.numberOfAddresses = try number(parts[2], "number of addresses", suffix, line)
        case (.ip6, 2):
            connection.numberOfAddresses = try number(parts[1], "number of addresses", suffix, line)
        case (.other, _):
            // Unknown address types: keep the whole field as the address.
            connection.address = String(addressField.text)
        default:
            throw line.error(
                .invalidField("connection-address", value: String(addressField.text)),
                column: addressField.column)
        }
        return connection
    }

    /// `b=<bwtype>:<bandwidth>` (RFC 8866 §5.8).
    static func parseBandwidth(_ line: SDPLine) throws(SDPParseError) -> SDPBandwidth {
        guard let colon = line.value.firstIndex(of: ":"), colon != line.value.startIndex else {
            throw line.error(.invalidField("b= line", value: String(line.value)), column: SDPLine.valueColumn)
        }
        let type = line.value[..<colon]
        let valueText = line.value[line.value.index(after: colon)...]
        let column = SDPLine.valueColumn + type.utf8.count + 1
        guard isToken(type) else {
            throw line.error(.invalidField("bwtype", value: String(type)), column: SDPLine.valueColumn)
        }
        let value: UInt64 = try number(SDPLine.Field(text: valueText, column: column), "bandwidth", line)
        return SDPBandwidth(type: String(type), value: value)
    }

    /// `t=<start-time> <stop-time>` (RFC 8866 §5.9).
    static func parseTiming(_ line: SDPLine) throws(SDPParseError) -> SDPTiming {
        let fields = line.fields()
        guard fields.count == 2 else {
            throw line.error(.invalidField("t= line", value: String(line.value)), column: SDPLine.valueColumn)
        }
        return SDPTiming(
            start: try number(fields[0], "start-time", line),
            stop: try number(fields[1], "stop-time", line))
    }

    /// `m=<media> <port>[/<number of ports>] <proto> <fmt> ...` (RFC 8866 §5.14).
    static func parseMediaLine(_ line: SDPLine) throws(SDPParseError) -> MediaDescription {
        let fields = line.fields()
        let names = ["media", "port", "proto", "format"]
        guard fields.count >= names.count else {
            throw line.error(.missingField("m= \(names[fields.count])"), column: SDPLine.valueColumn)
        }
        guard fields.count - 3 <= SDPLimits.maxFormatsPerMedia else {
            throw line.error(.tooManyFormats(limit: SDPLimits.maxFormatsPerMedia), column: fields[3].column)
        }
        guard isToken(fields[0].text) else {
            throw line.error(.invalidField("media", value: String(fields[0].text)), column: fields[0].column)
        }
        let portParts = fields[1].text.split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2 else {
            throw line.error(.invalidField("port", value: String(fields[1].text)), column: fields[1].column)
        }
        let port: UInt16 = try number(portParts[0], "port", fields[1], line)
        var numberOfPorts: UInt32? = nil
        if portParts.count == 2 {
            numberOfPorts = try number(portParts[1], "number of ports", fields[1], line)
        }
        let formats = fields[3...].map { String($0.text) }
        if MediaDescription.isRTP(proto: fields[2].text) {
            // RFC 3551 §6 / RFC 3550 §5.1: RTP formats are payload type numbers 0-127.
            for field in fields[3...] {
                let payloadType: UInt8 = try number(field, "payload type", line)
                guard payloadType <= 127 else {
                    throw line.error(.invalidField("payload type", value: String(field.text)), column: field.column)
                }
            }
        }
        return MediaDescription(
            media: String(fields[0].text), port: port, numberOfPorts: numberOfPorts,
            proto: String(fields[2].text), formats: formats)
    }

    /// `a=<attribute-name>[:<attribute-value>]` (RFC 8866 §5.13).
    static func parseAttribute(_ line: SDPLine) throws(SDPParseError) -> SDPAttribute {
        let name: Substring
        var value: String? = nil
        if let colon = line.value.firstIndex(of: ":") {
            name = line.value[..<colon]
            value = String(line.value[line.value.index(after: colon)...])
        } else {
            name = line.value
        }
        guard isToken(name) else {
            throw line.error(.invalidField("attribute name", value: String(name)), column: SDPLine.valueColumn)
        }
        return SDPAttribute(name: String(name), value: value)
    }

    // MARK: - Helpers

    /// RFC 8866 §9 `token`: visible ASCII except separators.
    static func isToken(_ text: Substring) -> Bool {
        guard !text.isEmpty else { return false }
        return text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "!"), UInt8(ascii: "#")...UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "^")...UInt8(ascii: "~"):
                true
            default: false
            }
        }
    }

    private static func number<T: FixedWidthInteger & UnsignedInteger>(
        _ field: SDPLine.Field, _ name: String, _ line: SDPLine
    ) throws(SDPParseError) -> T {
        try number(field.text, name, field, line)
    }

    /// A decimal number of digits only, in range for `T`; never traps.
    private static func number<T: FixedWidthInteger & UnsignedInteger>(
        _ text: Substring, _ name: String, _ field: SDPLine.Field, _ line: SDPLine
    ) throws(SDPParseError) -> T {
        guard let value: T = SDPNumber.parse(text) else {
            throw line.error(.invalidField(name, value: String(text)), column: field.column)
        }
        return value
    }
}

/// Decimal parsing shared by the line and attribute grammars.
enum SDPNumber {
    /// `1*DIGIT` in range for `T`: no sign, no spaces, no overflow.
    static func parse<T: FixedWidthInteger & UnsignedInteger>(_ text: Substring) -> T? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return T(text, radix: 10)
    }
}
