/// Typed views over the raw header fields. Each accessor parses on demand and throws a
/// `SIPParseError` whose reason names the header (`Bad CSeq: ...`, `Missing header: Call-ID`).
extension SIPHeaders {
    /// All Via values, top first, over all Via lines (RFC 3261 §7.3.1: several values may share a
    /// line). Throws when there is none, one does not parse, or there are more than
    /// `limits.maxViaCount`.
    public func vias(limits: SIPLimits = .default) throws(SIPParseError) -> [SIPVia] {
        var result: [SIPVia] = []
        for line in values("Via") {
            result += try SIPVia.parseList(line)
            guard result.count <= limits.maxViaCount else {
                throw SIPParseError(.limitExceeded, "Too many Via values (limit \(limits.maxViaCount))")
            }
        }
        guard !result.isEmpty else { throw SIPParseError(.missingHeader("Via"), "Missing header: Via") }
        return result
    }

    /// The topmost Via value (the one that names this hop's transaction, RFC 3261 §17.2.3).
    public func topVia() throws(SIPParseError) -> SIPVia {
        guard let line = self["Via"] else { throw SIPParseError(.missingHeader("Via"), "Missing header: Via") }
        let first = try SIPLexer.splitCommas(line, header: "Via").first ?? ""
        guard !first.isEmpty else { throw SIPParseError.badHeader("Via", "empty value") }
        return try SIPVia(parsing: first)
    }

    public func from() throws(SIPParseError) -> SIPNameAddress {
        try SIPNameAddress(parsing: single("From"), header: "From")
    }

    public func to() throws(SIPParseError) -> SIPNameAddress {
        try SIPNameAddress(parsing: single("To"), header: "To")
    }

    /// The Contact values over all Contact lines; `.addresses([])` when there is none.
    /// `*` must stand alone (RFC 3261 §10.2.2).
    public func contacts() throws(SIPParseError) -> SIPContacts {
        var parts: [String] = []
        for line in values("Contact") { parts += try SIPLexer.splitCommas(line, header: "Contact") }
        if parts.contains("*") {
            guard parts.count == 1 else { throw SIPParseError.badHeader("Contact", "'*' must be the only value") }
            return .wildcard
        }
        var result: [SIPNameAddress] = []
        for part in parts {
            guard !part.isEmpty else { throw SIPParseError.badHeader("Contact", "empty value") }
            result.append(try SIPNameAddress(parsing: part, header: "Contact"))
        }
        return .addresses(result)
    }

    /// All addresses of a list-valued name-addr header such as Route or Record-Route, in order.
    public func addresses(_ name: String) throws(SIPParseError) -> [SIPNameAddress] {
        let display = SIPHeaders.standardName(name)
        var result: [SIPNameAddress] = []
        for line in values(name) {
            for part in try SIPLexer.splitCommas(line, header: display) {
                guard !part.isEmpty else { throw SIPParseError.badHeader(display, "empty value") }
                result.append(try SIPNameAddress(parsing: part, header: display))
            }
        }
        return result
    }

    /// The Call-ID (RFC 3261 §20.8): one field, non-empty, without whitespace.
    public func callID() throws(SIPParseError) -> String {
        let value = try single("Call-ID")
        guard !value.isEmpty, !value.utf8.contains(where: { $0 <= 0x20 }) else {
            throw SIPParseError.badHeader("Call-ID", "empty or contains whitespace")
        }
        return value
    }

    public func cseq() throws(SIPParseError) -> SIPCSeq {
        try SIPCSeq(parsing: single("CSeq"))
    }

    /// Max-Forwards (RFC 3261 §20.22): nil when absent; 0...255 else an error.
    public func maxForwards() throws(SIPParseError) -> Int? {
        guard contains("Max-Forwards") else { return nil }
        guard let value = SIPLexer.decimal(try single("Max-Forwards"), maximum: 255) else {
            throw SIPParseError.badHeader("Max-Forwards", "not a number in 0...255")
        }
        return value
    }

    /// Content-Length (RFC 3261 §20.14): nil when absent; a non-negative decimal given once.
    /// RFC 4475 §3.1.2.3 (`ncl`), §3.3.9 (`mcl01`).
    public func contentLength() throws(SIPParseError) -> Int? {
        let lines = values("Content-Length")
        guard let first = lines.first else { return nil }
        guard lines.count == 1 else {
            throw SIPParseError(.badContentLength, "Bad Content-Length: given more than once")
        }
        guard let value = SIPLexer.decimal(first, maximum: Int(Int32.max)) else {
            throw SIPParseError(.badContentLength, "Bad Content-Length: not a number in 0...2**31-1")
        }
        return value
    }

    public func contentType() throws(SIPParseError) -> SIPMediaType? {
        guard contains("Content-Type") else { return nil }
        return try SIPMediaType(parsing: single("Content-Type"))
    }

    /// The comma-separated tokens of a list header (Require, Supported, Proxy-Require,
    /// Unsupported, Allow, Accept, ...) over all its lines, empty elements skipped. Elements are
    /// kept as written (Accept elements may carry `;params`).
    public func optionTags(_ name: String) throws(SIPParseError) -> [String] {
        let display = SIPHeaders.standardName(name)
        var result: [String] = []
        for line in values(name) {
            for part in try SIPLexer.splitCommas(line, header: display) where !part.isEmpty {
                result.append(part)
            }
        }
        return result
    }

    /// Expires (RFC 3261 §20.19): nil when absent. A value that is not a number or does not fit
    /// 32 bits is an error; the caller may fall back to a default (RFC 4475 §3.1.2.4).
    public func expires() throws(SIPParseError) -> UInt32? {
        guard contains("Expires") else { return nil }
        guard let value = SIPLexer.decimal(try single("Expires"), maximum: Int(UInt32.max)) else {
            throw SIPParseError.badHeader("Expires", "not a number below 2**32")
        }
        return UInt32(value)
    }

    /// Session-Expires (RFC 4028 §4, compact form `x`): the interval in seconds and the `refresher`
    /// parameter (`uac`, `uas`, lowercased). Nil when absent, or when the interval is not a number
    /// below 2**32 (a session timer the peer cannot express is no session timer).
    public func sessionExpires() -> (seconds: UInt32, refresher: String?)? {
        guard let value = self["Session-Expires"] else { return nil }
        let parts = value.split(separator: ";")
        guard let first = parts.first, let seconds = SIPHeaders.deltaSeconds(first) else { return nil }
        let refresher = parts.dropFirst().lazy.compactMap { parameter -> String? in
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, SIPHeaders.trimmed(pair[0]).lowercased() == "refresher" else { return nil }
            return SIPHeaders.trimmed(pair[1]).lowercased()
        }.first
        return (seconds, refresher)
    }

    /// Min-SE (RFC 4028 §5), in seconds; nil when absent or not a number below 2**32.
    public func minimumSessionExpires() -> UInt32? {
        self["Min-SE"].flatMap { $0.split(separator: ";").first }.flatMap(SIPHeaders.deltaSeconds)
    }

    private static func deltaSeconds(_ text: Substring) -> UInt32? {
        SIPLexer.decimal(trimmed(text), maximum: Int(UInt32.max)).map(UInt32.init)
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let bytes = SIPLexer.trim(ArraySlice(text.utf8))
        return Substring(SIPLexer.string(bytes))
    }

    /// The value of a header that must appear exactly once (RFC 3261 §7.3.1, RFC 4475 §3.3.8).
    func single(_ name: String) throws(SIPParseError) -> String {
        let lines = values(name)
        let display = SIPHeaders.standardName(name)
        guard let first = lines.first else {
            throw SIPParseError(.missingHeader(display), "Missing header: \(display)")
        }
        guard lines.count == 1 else {
            throw SIPParseError(.duplicateHeader(display), "Bad \(display): given more than once")
        }
        return first
    }
}
