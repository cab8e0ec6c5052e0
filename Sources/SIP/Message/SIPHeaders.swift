/// One header field as received or to be sent: the name as written and the value with folding
/// (RFC 3261 §7.3.1 LWS) already replaced by a single space and outer whitespace trimmed.
public struct SIPHeaderField: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The ordered header fields of a SIP message.
///
/// Order is kept (Via and Route order matter, RFC 3261 §7.3.1). Lookups compare names
/// case-insensitively and treat compact forms (RFC 3261 §7.3.3, e.g. `v` for `Via`) as their
/// long names. Values are raw: typed views (Via, CSeq, name-addr, ...) parse them on demand.
public struct SIPHeaders: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [SIPHeaderField]

    public init() { fields = [] }

    public init(_ fields: [SIPHeaderField]) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { SIPHeaderField(name: $0.0, value: $0.1) }
    }

    public func makeIterator() -> IndexingIterator<[SIPHeaderField]> { fields.makeIterator() }

    public var count: Int { fields.count }

    /// The first value of the named header, if any.
    public subscript(name: String) -> String? {
        let key = SIPHeaders.canonicalName(name)
        return fields.first { SIPHeaders.name($0.name, is: key) }?.value
    }

    /// Every field value of the named header, in order (one entry per header line; a line may
    /// still hold several comma-separated values).
    public func values(_ name: String) -> [String] {
        let key = SIPHeaders.canonicalName(name)
        return fields.compactMap { SIPHeaders.name($0.name, is: key) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(SIPHeaderField(name: name, value: value))
    }

    /// Replaces every field of that name with one field holding `value`, at the first one's place.
    public mutating func set(_ name: String, _ value: String) {
        let key = SIPHeaders.canonicalName(name)
        if let index = fields.firstIndex(where: { SIPHeaders.name($0.name, is: key) }) {
            fields[index] = SIPHeaderField(name: name, value: value)
            var next = index + 1
            while next < fields.count {
                if SIPHeaders.name(fields[next].name, is: key) { fields.remove(at: next) } else { next += 1 }
            }
        } else {
            add(name, value)
        }
    }

    public mutating func remove(_ name: String) {
        let key = SIPHeaders.canonicalName(name)
        fields.removeAll { SIPHeaders.name($0.name, is: key) }
    }

    /// Replaces the field at `index` (a transport stamping `received` on the top Via, RFC 3261 §18.2.1).
    public mutating func replaceField(at index: Int, with field: SIPHeaderField) {
        fields[index] = field
    }

    /// Inserts a field before all others (a proxy's new Via goes on top, RFC 3261 §16.6).
    public mutating func prepend(_ name: String, _ value: String) {
        fields.insert(SIPHeaderField(name: name, value: value), at: 0)
    }

    /// Lower-cased long form of a header name; compact forms are expanded (RFC 3261 §7.3.3,
    /// plus the compact forms registered later: RFC 3515 `r`, RFC 3892 `b`, RFC 3265 `o`/`u`,
    /// RFC 3841 `a`/`j`, RFC 4028 `x`, RFC 3903 none).
    public static func canonicalName(_ name: String) -> String {
        if name.utf8.count == 1 {
            switch name.utf8.first! | 0x20 {
            case UInt8(ascii: "v"): return "via"
            case UInt8(ascii: "f"): return "from"
            case UInt8(ascii: "t"): return "to"
            case UInt8(ascii: "i"): return "call-id"
            case UInt8(ascii: "m"): return "contact"
            case UInt8(ascii: "l"): return "content-length"
            case UInt8(ascii: "c"): return "content-type"
            case UInt8(ascii: "e"): return "content-encoding"
            case UInt8(ascii: "s"): return "subject"
            case UInt8(ascii: "k"): return "supported"
            case UInt8(ascii: "r"): return "refer-to"
            case UInt8(ascii: "b"): return "referred-by"
            case UInt8(ascii: "o"): return "event"
            case UInt8(ascii: "u"): return "allow-events"
            case UInt8(ascii: "a"): return "accept-contact"
            case UInt8(ascii: "j"): return "reject-contact"
            case UInt8(ascii: "x"): return "session-expires"
            default: break
            }
        }
        return name.lowercased()
    }

    /// Whether a field's name as written names the header whose canonical name (`canonicalName`)
    /// is `key`: for the ASCII tokens header names are (RFC 3261 §25.1), the same answer as
    /// `canonicalName(name) == key`, without building a lower-cased string for every field of
    /// every lookup (it was 2 % of the signalling thread at 1,000 calls/s).
    public static func name(_ name: String, is key: String) -> Bool {
        let written = name.utf8
        if written.count == 1 { return canonicalName(name) == key }
        let canonical = key.utf8
        guard written.count == canonical.count else { return false }
        return written.elementsEqual(canonical) { byte, canonicalByte in
            let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            return lowered == canonicalByte
        }
    }
}
