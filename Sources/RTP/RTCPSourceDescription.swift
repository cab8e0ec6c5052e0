/// An RTCP source description, packet type 202 (RFC 3550 §6.5): chunks of items per source.
public struct RTCPSourceDescription: Sendable, Hashable {
    public static let packetType: UInt8 = 202
    /// RFC 3550 §6.5: SC is 5 bits.
    public static let maximumChunks = 31
    /// A bound on items per chunk so hostile input cannot make us build huge arrays. A real chunk
    /// carries one to a few (CNAME is the only mandatory one, §6.5.1).
    public static let maximumItemsPerChunk = 32

    /// SDES item types (RFC 3550 §6.5.1–§6.5.8).
    public struct ItemType: Sendable, Hashable, RawRepresentable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let cname = ItemType(rawValue: 1)
        public static let name = ItemType(rawValue: 2)
        public static let email = ItemType(rawValue: 3)
        public static let phone = ItemType(rawValue: 4)
        public static let location = ItemType(rawValue: 5)
        public static let tool = ItemType(rawValue: 6)
        public static let note = ItemType(rawValue: 7)
        public static let priv = ItemType(rawValue: 8)
    }

    /// One SDES item; `value` is UTF-8 text for the standard items (§6.5), at most 255 bytes.
    public struct Item: Sendable, Hashable {
        public static let maximumLength = 255
        public var type: ItemType
        public var value: [UInt8]

        public init(type: ItemType, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        public init(type: ItemType, text: String) {
            self.init(type: type, value: Array(text.utf8))
        }

        /// The value decoded as UTF-8 (invalid sequences replaced).
        public var text: String { String(decoding: value, as: UTF8.self) }
    }

    /// The items for one source.
    public struct Chunk: Sendable, Hashable {
        public var source: UInt32
        public var items: [Item]

        public init(source: UInt32, items: [Item]) {
            self.source = source
            self.items = items
        }

        /// Bytes on the wire: SSRC, items, the null terminator, padded to 32 bits (§6.5).
        var size: Int {
            let raw = 4 + items.reduce(0) { $0 + 2 + $1.value.count } + 1
            return (raw + 3) & ~3
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) { self.chunks = chunks }

    /// A single-chunk SDES with a CNAME, which every compound packet carries (§6.1).
    public init(source: UInt32, cname: String) {
        self.init(chunks: [Chunk(source: source, items: [Item(type: .cname, text: cname)])])
    }

    /// The CNAME of `source`, if a chunk for it carries one.
    public func cname(of source: UInt32) -> String? {
        for chunk in chunks where chunk.source == source {
            if let item = chunk.items.first(where: { $0.type == .cname }) { return item.text }
        }
        return nil
    }

    init(count: Int, body: UnsafeRawBufferPointer) throws(RTPError) {
        var chunks: [Chunk] = []
        var offset = 0
        for _ in 0..<count {
            guard body.count - offset >= 4 else {
                throw .rtcpCountMismatch(packetType: Self.packetType, count: count, bodyLength: body.count)
            }
            let source = body.readUInt32(at: offset)
            offset += 4
            var items: [Item] = []
            var terminated = false
            while offset < body.count {
                let type = body[offset]
                if type == 0 {
                    // §6.5: the list ends with a null octet, then nulls to the next 32-bit boundary.
                    // A peer that omits the final alignment at the very end is tolerated.
                    offset = min((offset + 1 + 3) & ~3, body.count)
                    terminated = true
                    break
                }
                guard body.count - offset >= 2 else { break }
                let length = Int(body[offset + 1])
                guard body.count - offset - 2 >= length else {
                    throw .truncated(what: "SDES item", needed: length, available: body.count - offset - 2)
                }
                guard items.count < Self.maximumItemsPerChunk else {
                    throw .tooMany(what: "SDES items in a chunk", count: items.count + 1, limit: Self.maximumItemsPerChunk)
                }
                items.append(Item(type: ItemType(rawValue: type), value: Array(body[(offset + 2)..<(offset + 2 + length)])))
                offset += 2 + length
            }
            guard terminated else { throw .sdesUnterminated(source: source) }
            chunks.append(Chunk(source: source, items: items))
        }
        self.chunks = chunks
    }

    var count: Int { chunks.count }
    var bodySize: Int { chunks.reduce(0) { $0 + $1.size } }

    func validate() throws(RTPError) {
        try checkField("SDES chunk count", chunks.count, limit: Self.maximumChunks)
        for chunk in chunks {
            for item in chunk.items {
                guard item.type.rawValue != 0 else { throw .fieldOutOfRange(field: "SDES item type", value: 0, limit: 255) }
                try checkField("SDES item length", item.value.count, limit: Item.maximumLength)
            }
        }
    }

    func writeBody<S: ByteSink>(to sink: inout S) {
        for chunk in chunks {
            sink.write(chunk.source)
            var written = 4
            for item in chunk.items {
                sink.write(item.type.rawValue)
                sink.write(UInt8(truncatingIfNeeded: item.value.count))
                sink.write(contentsOf: item.value)
                written += 2 + item.value.count
            }
            sink.writeZeros(chunk.size - written)  // terminator and padding: at least one null
        }
    }
}
