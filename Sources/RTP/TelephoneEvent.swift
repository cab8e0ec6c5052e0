/// One RFC 4733 telephone-event payload block (RFC 4733 §2.3, Figure 1): 4 octets.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     event     |E|R| volume    |          duration             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct TelephoneEvent: Sendable, Hashable {
    public static let size = 4
    /// RFC 4733 §2.3.4: volume is 6 bits, 0 to -63 dBm0.
    public static let maximumVolume: UInt8 = 63
    /// RFC 4733 §3.2 Table 3: the DTMF events 0–15, in code order.
    public static let dtmfDigits: [Character] = Array("0123456789*#ABCD")

    public var event: UInt8
    /// RFC 4733 §2.3.3: E bit, the event has ended.
    public var isEnd: Bool
    /// Power level as a positive number of -dBm0 (0...63).
    public var volume: UInt8
    /// RFC 4733 §2.3.5: duration so far, in timestamp units, from the packet's RTP timestamp.
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume
        self.duration = duration
    }

    /// Parses the first event block of a payload. RFC 4733 §2.3.2: the R bit is ignored on receipt.
    /// Octets after the first block are ignored: several events in one packet are carried with RED
    /// (RFC 4733 §2.5.1.5, RFC 2198), which the adapter unpacks first.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTPError) {
        guard bytes.count >= Self.size else {
            throw .truncated(what: "telephone-event payload", needed: Self.size, available: bytes.count)
        }
        self.init(reading: bytes, at: 0)
    }

    public init<C: Collection>(parsing bytes: C) throws(RTPError) where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard let event = iterator.next(), let flags = iterator.next(), let high = iterator.next(),
            let low = iterator.next()
        else {
            throw .truncated(what: "telephone-event payload", needed: Self.size, available: bytes.count)
        }
        self.init(event: event, isEnd: flags & 0x80 != 0, volume: flags & 0x3F, duration: UInt16(high) << 8 | UInt16(low))
    }

    init(reading bytes: UnsafeRawBufferPointer, at offset: Int) {
        let flags = bytes[offset + 1]
        self.init(event: bytes[offset], isEnd: flags & 0x80 != 0, volume: flags & 0x3F, duration: bytes.readUInt16(at: offset + 2))
    }

    /// The digit for a DTMF event (codes 0–15: "0"–"9", "*", "#", "A"–"D"), else nil.
    public var digit: Character? { Self.digit(forEvent: event) }

    public static func digit(forEvent event: UInt8) -> Character? {
        Int(event) < dtmfDigits.count ? dtmfDigits[Int(event)] : nil
    }

    /// The event code for a DTMF digit; lower-case "a"–"d" are accepted.
    public static func event(forDigit digit: Character) -> UInt8? {
        let upper = Character(digit.uppercased())
        guard let index = dtmfDigits.firstIndex(of: upper) else { return nil }
        return UInt8(index)
    }

    /// Appends the 4-octet block to `buffer`.
    public func serialize(into buffer: inout [UInt8]) throws(RTPError) {
        try checkField("telephone-event volume", Int(volume), limit: Int(Self.maximumVolume))
        buffer.append(event)
        buffer.append((isEnd ? 0x80 : 0) | volume)
        buffer.append(UInt8(truncatingIfNeeded: duration >> 8))
        buffer.append(UInt8(truncatingIfNeeded: duration))
    }

    public func serialized() throws(RTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        try serialize(into: &bytes)
        return bytes
    }
}
