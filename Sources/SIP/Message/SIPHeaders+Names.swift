extension SIPHeaders {
    /// The header name as the serializer writes it: the long form in its usual capitalization
    /// for well-known fields (RFC 3261 §20 and the extensions listed), compact forms expanded
    /// (RFC 3261 §7.3.3); unknown names are kept as written.
    public static func standardName(_ name: String) -> String {
        // Most names are already written in their standard form (ours always are): one lookup,
        // without lower-casing first.
        if let standard = wellKnownNames[name] { return standard }
        return wellKnownNames[canonicalName(name)] ?? name
    }

    /// Each well-known name by its canonical (lower-case) form and by its standard form.
    private static let wellKnownNames: [String: String] = {
        let names = [
            "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow",
            "Allow-Events", "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
            "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Type",
            "CSeq", "Date", "Error-Info", "Event", "Expires", "From", "Identity", "In-Reply-To",
            "Max-Forwards", "Min-Expires", "Min-SE", "MIME-Version", "Organization", "P-Asserted-Identity",
            "P-Preferred-Identity", "Path", "Priority", "Privacy", "Proxy-Authenticate",
            "Proxy-Authorization", "Proxy-Require", "RAck", "Reason", "Record-Route", "Refer-To",
            "Referred-By", "Reject-Contact", "Replaces", "Reply-To", "Require", "Retry-After", "Route",
            "RSeq", "Server", "Service-Route", "Session-Expires", "Subject", "Subscription-State",
            "Supported", "Timestamp", "To", "Unsupported", "User-Agent", "Via", "Warning",
            "WWW-Authenticate",
        ]
        var table: [String: String] = [:]
        for name in names {
            table[name.lowercased()] = name
            table[name] = name
        }
        return table
    }()
}
