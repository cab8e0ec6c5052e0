// Internal big-endian readers and writers shared by every wire type in the module.
// Readers work on `UnsafeRawBufferPointer` so that `[UInt8]`, `ArraySlice<UInt8>` and an adapter's
// own buffers (NIO `ByteBuffer.withUnsafeReadableBytes`) all parse without copying.

extension UnsafeRawBufferPointer {
    /// Big-endian `UInt16` at `offset`; the caller has checked the bounds.
    @inline(__always)
    func readUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// Big-endian `UInt32` at `offset`; the caller has checked the bounds.
    @inline(__always)
    func readUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}

/// A destination for serialized bytes: an appended-to array or a caller's raw buffer.
protocol ByteSink {
    mutating func write(_ byte: UInt8)
    mutating func write<C: Collection>(contentsOf bytes: C) where C.Element == UInt8
}

extension ByteSink {
    @inline(__always)
    mutating func write(_ value: UInt16) {
        write(UInt8(truncatingIfNeeded: value >> 8))
        write(UInt8(truncatingIfNeeded: value))
    }

    @inline(__always)
    mutating func write(_ value: UInt32) {
        write(UInt8(truncatingIfNeeded: value >> 24))
        write(UInt8(truncatingIfNeeded: value >> 16))
        write(UInt8(truncatingIfNeeded: value >> 8))
        write(UInt8(truncatingIfNeeded: value))
    }

    mutating func writeZeros(_ count: Int) {
        for _ in 0..<max(0, count) { write(UInt8(0)) }
    }
}

/// Appends to an array that the sink owns for the duration of a serialization.
struct ArraySink: ByteSink {
    var bytes: [UInt8]

    @inline(__always)
    mutating func write(_ byte: UInt8) { bytes.append(byte) }

    @inline(__always)
    mutating func write<C: Collection>(contentsOf other: C) where C.Element == UInt8 {
        bytes.append(contentsOf: other)
    }

    /// Runs `body` with a sink that appends to `buffer` without copying it (the array is moved in
    /// and out, so its storage stays uniquely referenced).
    static func append<E: Error>(
        to buffer: inout [UInt8], reserving extra: Int, _ body: (inout ArraySink) throws(E) -> Void
    ) throws(E) {
        var sink = ArraySink(bytes: [])
        swap(&sink.bytes, &buffer)
        defer { swap(&sink.bytes, &buffer) }
        sink.bytes.reserveCapacity(sink.bytes.count + extra)
        try body(&sink)
    }
}

/// Writes into a caller's raw buffer whose size was checked before writing started.
struct RawSink: ByteSink {
    let base: UnsafeMutableRawBufferPointer
    var offset: Int = 0

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        base[offset] = byte
        offset += 1
    }

    mutating func write<C: Collection>(contentsOf bytes: C) where C.Element == UInt8 {
        // Payloads are arrays or slices: copy them in one go.
        let copied: Int? = bytes.withContiguousStorageIfAvailable { source in
            UnsafeMutableRawBufferPointer(rebasing: base[offset..<(offset + source.count)]).copyMemory(
                from: UnsafeRawBufferPointer(source))
            return source.count
        }
        if let copied {
            offset += copied
        } else {
            for byte in bytes { write(byte) }
        }
    }
}

extension [UInt8] {
    /// Parses with a raw view of the array and returns the typed result without rethrowing through
    /// the untyped `withUnsafeBytes`.
    @inline(__always)
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(RTPError) -> R) throws(RTPError) -> R {
        let result: Result<R, RTPError> = withUnsafeBytes { raw in Result { () throws(RTPError) in try body(raw) } }
        return try result.get()
    }
}

extension ArraySlice<UInt8> {
    @inline(__always)
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(RTPError) -> R) throws(RTPError) -> R {
        let result: Result<R, RTPError> = withUnsafeBytes { raw in Result { () throws(RTPError) in try body(raw) } }
        return try result.get()
    }
}

/// Checks that `value` fits in `limit` (inclusive) before it is written to a narrow wire field.
@inline(__always)
func checkField(_ field: String, _ value: Int, limit: Int) throws(RTPError) {
    guard value >= 0, value <= limit else { throw .fieldOutOfRange(field: field, value: value, limit: limit) }
}
