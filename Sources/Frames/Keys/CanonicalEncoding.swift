/// Writer and reader for the key-management encodings: big-endian integers, fixed-length fields and
/// length-prefixed ones. The reader never traps and never allocates from an unchecked length.
struct CanonicalWriter {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    mutating func append(_ value: UInt8) { bytes.append(value) }

    mutating func append(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func append(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A 16-bit length, then the octets.
    mutating func appendLengthPrefixed(_ raw: [UInt8]) {
        precondition(raw.count <= Int(UInt16.max))
        append(UInt16(raw.count))
        append(raw)
    }
}

struct CanonicalReader {
    let encoding: FramesError.Encoding
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8], encoding: FramesError.Encoding) {
        self.bytes = bytes
        self.encoding = encoding
    }

    var remaining: Int { bytes.count - offset }

    func failure(_ reason: String) -> FramesError { .malformedEncoding(encoding, reason: reason) }

    mutating func read(count: Int, _ field: String) throws(FramesError) -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw failure("\(field) needs \(count) octets at offset \(offset), \(remaining) left")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readUInt8(_ field: String) throws(FramesError) -> UInt8 {
        try read(count: 1, field)[0]
    }

    mutating func readUInt16(_ field: String) throws(FramesError) -> UInt16 {
        try read(count: 2, field).reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func readUInt64(_ field: String) throws(FramesError) -> UInt64 {
        try read(count: 8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A 16-bit length (at most `maximum`), then that many octets.
    mutating func readLengthPrefixed(_ field: String, maximum: Int) throws(FramesError) -> [UInt8] {
        let length = Int(try readUInt16("\(field) length"))
        guard length <= maximum else { throw failure("\(field) is \(length) octets, at most \(maximum) allowed") }
        return try read(count: length, field)
    }

    /// Throws unless every octet was consumed.
    func expectEnd() throws(FramesError) {
        guard remaining == 0 else { throw failure("\(remaining) trailing octets") }
    }
}
