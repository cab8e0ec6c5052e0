/// An RTP packet (RFC 3550 §5.1): header, payload and optional padding.
///
/// Parsing an array or slice keeps `payload` (and the extension body) as slices of the caller's
/// storage: no payload copy. Serialization appends to a caller's array or writes into a caller's raw
/// buffer (pion/rtp `MarshalTo` style), so the media loop can reuse one buffer per leg.
public struct RTPPacket: Sendable, Hashable {
    public var header: RTPHeader
    public var payload: ArraySlice<UInt8>
    /// RFC 3550 §5.1: number of padding octets at the end, including the count octet itself.
    /// 0 means no padding (P bit clear).
    public var paddingLength: UInt8

    public init(header: RTPHeader, payload: ArraySlice<UInt8>, paddingLength: UInt8 = 0) {
        self.header = header
        self.payload = payload
        self.paddingLength = paddingLength
    }

    public init(header: RTPHeader, payload: [UInt8], paddingLength: UInt8 = 0) {
        self.init(header: header, payload: payload[...], paddingLength: paddingLength)
    }

    /// Parses a whole datagram. The payload is a slice of `bytes`.
    public init(parsing bytes: ArraySlice<UInt8>) throws(RTPError) {
        let layout = try bytes.withRawBytes { raw throws(RTPError) in try RTPPacketLayout(parsing: raw) }
        let base = bytes.startIndex
        var header = layout.header
        if let range = layout.extensionDataRange {
            header.headerExtension = RTPHeaderExtension(
                profile: layout.extensionProfile, data: bytes[(base + range.lowerBound)..<(base + range.upperBound)])
        }
        self.header = header
        self.payload = bytes[(base + layout.payloadRange.lowerBound)..<(base + layout.payloadRange.upperBound)]
        self.paddingLength = layout.paddingLength
    }

    /// Parses a whole datagram. The payload is a slice of `bytes`.
    public init(parsing bytes: [UInt8]) throws(RTPError) {
        try self.init(parsing: bytes[...])
    }

    /// Parses from raw memory (an adapter's receive buffer). The payload and extension body are copied,
    /// since raw memory cannot be retained; use `RTPPacketLayout` to avoid even that copy.
    public init(parsing raw: UnsafeRawBufferPointer) throws(RTPError) {
        let layout = try RTPPacketLayout(parsing: raw)
        var header = layout.header
        if let range = layout.extensionDataRange {
            header.headerExtension = RTPHeaderExtension(profile: layout.extensionProfile, data: Array(raw[range]))
        }
        self.header = header
        self.payload = ArraySlice(raw[layout.payloadRange])
        self.paddingLength = layout.paddingLength
    }

    /// Bytes on the wire.
    public var serializedSize: Int { header.serializedSize + payload.count + Int(paddingLength) }

    /// Appends the packet to `buffer`. Throws only when a field does not fit its wire field.
    public func serialize(into buffer: inout [UInt8]) throws(RTPError) {
        try header.validate()
        try ArraySink.append(to: &buffer, reserving: serializedSize) { (sink: inout ArraySink) throws(RTPError) in
            write(to: &sink)
        }
    }

    /// Writes the packet at the start of `buffer` and returns the number of bytes written.
    @discardableResult
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) throws(RTPError) -> Int {
        try header.validate()
        let size = serializedSize
        guard size <= buffer.count else { throw .bufferTooSmall(needed: size, available: buffer.count) }
        var sink = RawSink(base: buffer)
        write(to: &sink)
        return sink.offset
    }

    /// A new array holding the packet.
    public func serialized() throws(RTPError) -> [UInt8] {
        var bytes: [UInt8] = []
        try serialize(into: &bytes)
        return bytes
    }

    private func write<S: ByteSink>(to sink: inout S) {
        header.write(to: &sink, padding: paddingLength > 0)
        sink.write(contentsOf: payload)
        if paddingLength > 0 {
            // RFC 3550 §5.1: the last octet of the padding holds its own count.
            sink.writeZeros(Int(paddingLength) - 1)
            sink.write(paddingLength)
        }
    }
}
