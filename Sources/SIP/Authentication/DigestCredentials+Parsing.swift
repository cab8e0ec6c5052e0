extension DigestCredentials {
    /// Longest header field value accepted: real credentials are a few hundred octets, so this
    /// bounds the work hostile input can cause (RFC 3261 §22 sets no bound).
    public static let maxHeaderLength = 4096
    /// Longest single parameter value accepted (after unescaping).
    public static let maxValueLength = 256

    /// Parses `Digest auth-param *("," auth-param)` (RFC 3261 §25.1 `credentials`, RFC 7616 §3.4):
    /// parameter names are case-insensitive; values are tokens or quoted strings with `\` escapes
    /// (either form is accepted for every parameter, as phones differ); LWS may surround `=` and
    /// `,`; empty list elements are skipped (RFC 7230 §7); unknown parameters are ignored. Throws
    /// on a duplicate parameter, a missing `username`, `realm`, `nonce`, `uri` or `response`, an
    /// unsupported `algorithm` or `qop`, `userhash=true`, or an `nc` that is not 8 hex digits.
    public init(parsing text: String) throws(DigestError) {
        guard text.utf8.count <= Self.maxHeaderLength else { throw .headerTooLong(limit: Self.maxHeaderLength) }
        let parameters = try DigestParameterScanner.scan(Array(text.utf8))

        func required(_ name: String) throws(DigestError) -> String {
            guard let value = parameters[name] else { throw .missingParameter(name) }
            return value
        }
        var algorithm = DigestAlgorithm.md5
        if let name = parameters["algorithm"] {
            guard let parsed = DigestAlgorithm(parsing: name) else { throw .unsupportedAlgorithm(name) }
            algorithm = parsed
        }
        var qop: DigestQop?
        if let name = parameters["qop"] {
            guard name.lowercased() == DigestQop.auth.rawValue else { throw .unsupportedQop(name) }
            qop = .auth
        }
        if let nonceCount = parameters["nc"] {
            guard nonceCount.utf8.count == 8, nonceCount.utf8.allSatisfy(DigestEncoding.isHexDigit) else {
                throw .malformed("nc must be 8 hex digits")
            }
        }
        if let userhash = parameters["userhash"], userhash.lowercased() != "false" { throw .unsupportedUserhash }
        self.init(
            username: try required("username"), realm: try required("realm"), nonce: try required("nonce"),
            uri: try required("uri"), response: try required("response"), algorithm: algorithm,
            cnonce: parameters["cnonce"], qop: qop, nonceCount: parameters["nc"], opaque: parameters["opaque"])
    }
}

/// Splits `Digest name=value, ...` into lower-cased names and unescaped values. Works on UTF-8
/// octets with bounds-checked indexing: no input can make it trap or loop.
enum DigestParameterScanner {
    static func scan(_ bytes: [UInt8]) throws(DigestError) -> [String: String] {
        var index = 0
        func skipSpace() { while index < bytes.count, isSpace(bytes[index]) { index += 1 } }
        func token() -> String {
            let start = index
            while index < bytes.count, SIPLexer.isTokenChar(bytes[index]) { index += 1 }
            return SIPLexer.string(bytes[start..<index])
        }

        skipSpace()
        guard index < bytes.count else { throw .malformed("empty header value") }
        let scheme = token()
        guard !scheme.isEmpty else { throw .malformed("no authentication scheme") }
        guard scheme.lowercased() == "digest" else { throw .notDigest(scheme: scheme) }
        // RFC 7235 §2.1: one or more spaces between the scheme and its parameters.
        guard index < bytes.count, isSpace(bytes[index]) else {
            throw .malformed(index < bytes.count ? "expected a space after Digest" : "no parameters")
        }

        var parameters: [String: String] = [:]
        while true {
            // Skip LWS and empty list elements between parameters.
            while index < bytes.count, isSpace(bytes[index]) || bytes[index] == UInt8(ascii: ",") { index += 1 }
            guard index < bytes.count else { break }
            let name = token().lowercased()
            guard !name.isEmpty else { throw .malformed("expected a parameter name at octet \(index)") }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw .malformed("parameter \(DigestEncoding.printable(name)) has no value")
            }
            index += 1
            skipSpace()
            let value: [UInt8]
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                value = try quotedString(bytes, at: &index, parameter: name)
            } else {
                let start = index
                while index < bytes.count, SIPLexer.isTokenChar(bytes[index]) { index += 1 }
                guard index > start else {
                    throw .malformed("parameter \(DigestEncoding.printable(name)) has an empty or invalid value")
                }
                value = Array(bytes[start..<index])
            }
            guard value.count <= DigestCredentials.maxValueLength else {
                throw .valueTooLong(parameter: name, limit: DigestCredentials.maxValueLength)
            }
            guard parameters.updateValue(String(decoding: value, as: UTF8.self), forKey: name) == nil else {
                throw .duplicateParameter(name)
            }
            skipSpace()
            guard index == bytes.count || bytes[index] == UInt8(ascii: ",") else {
                throw .malformed("expected ',' after parameter \(DigestEncoding.printable(name))")
            }
        }
        return parameters
    }

    /// SP, HTAB, and CR/LF left over from folding (RFC 3261 §7.3.1 LWS).
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Reads a quoted string starting at its opening `"`, resolving quoted-pairs (RFC 3261 §25.1).
    /// Control characters other than HTAB are refused, escaped or not.
    private static func quotedString(_ bytes: [UInt8], at index: inout Int, parameter: String) throws(DigestError) -> [UInt8] {
        var out: [UInt8] = []
        index += 1
        while index < bytes.count {
            var byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                byte = bytes[index]
            }
            guard byte >= 0x20 || byte == 0x09, byte != 0x7F else {
                throw .malformed("control character in parameter \(DigestEncoding.printable(parameter))")
            }
            // Stop early: the caller reports the limit.
            guard out.count <= DigestCredentials.maxValueLength else { return out }
            out.append(byte)
            index += 1
        }
        throw .malformed("unterminated quoted string in parameter \(DigestEncoding.printable(parameter))")
    }
}
