extension EpochManifest {
    /// The label every canonical encoding starts with.
    static let magic = Array("dialgate epoch manifest".utf8)
    /// The encoding version this code writes and reads.
    public static let encodingVersion: UInt8 = 2

    private enum SenderKind: UInt8 {
        case participant = 1
        case phone = 2
    }

    /// The canonical encoding (see the type's documentation): what is signed and hashed.
    public var canonicalEncoding: [UInt8] {
        var writer = CanonicalWriter()
        writer.append(Self.magic)
        writer.append(Self.encodingVersion)
        writer.appendLengthPrefixed(Array(meetingID.utf8))
        writer.append(epoch)
        writer.append(mode.rawValue)
        writer.append(keyManager.bytes)
        writer.append(secretCommitment)
        writer.append(UInt16(keyHolders.count))
        for holder in keyHolders { writer.append(holder.bytes) }
        writer.append(UInt16(coHosts.count))
        for coHost in coHosts { writer.append(coHost.bytes) }
        writer.append(UInt16(senders.count))
        for sender in senders {
            writer.append(sender.senderIndex)
            switch sender.source {
            case .participant(let fingerprint):
                writer.append(SenderKind.participant.rawValue)
                writer.append(fingerprint.bytes)
            case .phone:
                writer.append(SenderKind.phone.rawValue)
            }
        }
        writer.appendLengthPrefixed(Array(reason.rawValue.utf8))
        return writer.bytes
    }

    /// Decodes a canonical encoding. Anything else (truncated, another version, unsorted lists, trailing
    /// octets, fields that break an invariant) throws; nothing traps.
    public init(canonicalEncoding bytes: [UInt8]) throws(FramesError) {
        var reader = CanonicalReader(bytes, encoding: .epochManifest)
        guard try reader.read(count: Self.magic.count, "label") == Self.magic else { throw reader.failure("not an epoch manifest") }
        let version = try reader.readUInt8("version")
        guard version == Self.encodingVersion else { throw reader.failure("unsupported version \(version)") }
        let meetingID = try Self.readText(&reader, "meeting ID")
        let epoch = try reader.readUInt64("epoch")
        let modeValue = try reader.readUInt8("mode")
        guard let mode = Mode(rawValue: modeValue) else { throw reader.failure("unknown mode \(modeValue)") }
        let keyManager = IdentityFingerprint(uncheckedBytes: try reader.read(count: IdentityFingerprint.length, "key manager"))
        let commitment = try reader.read(count: Blake2b.length, "secret commitment")

        let holderCount = Int(try reader.readUInt16("key holder count"))
        guard holderCount <= Self.maximumKeyHolders else { throw reader.failure("\(holderCount) key holders") }
        var holders: [IdentityFingerprint] = []
        for _ in 0..<holderCount {
            holders.append(IdentityFingerprint(uncheckedBytes: try reader.read(count: IdentityFingerprint.length, "key holder")))
        }

        let coHostCount = Int(try reader.readUInt16("co-host count"))
        guard coHostCount <= Self.maximumKeyHolders else { throw reader.failure("\(coHostCount) co-hosts") }
        var coHosts: [IdentityFingerprint] = []
        for _ in 0..<coHostCount {
            coHosts.append(IdentityFingerprint(uncheckedBytes: try reader.read(count: IdentityFingerprint.length, "co-host")))
        }

        let senderCount = Int(try reader.readUInt16("sender count"))
        guard senderCount <= Self.maximumSenders else { throw reader.failure("\(senderCount) senders") }
        var senders: [Sender] = []
        for _ in 0..<senderCount {
            let index = try reader.readUInt64("sender index")
            let kind = try reader.readUInt8("sender kind")
            switch SenderKind(rawValue: kind) {
            case .participant:
                let fingerprint = IdentityFingerprint(uncheckedBytes: try reader.read(count: IdentityFingerprint.length, "sender"))
                senders.append(Sender(senderIndex: index, source: .participant(fingerprint)))
            case .phone:
                senders.append(Sender(senderIndex: index, source: .phone))
            case nil:
                throw reader.failure("unknown sender kind \(kind)")
            }
        }
        let reason = Reason(rawValue: try Self.readText(&reader, "reason"))
        try reader.expectEnd()

        try self.init(
            meetingID: meetingID, epoch: epoch, mode: mode, keyManager: keyManager, keyHolders: holders, coHosts: coHosts,
            senders: senders, reason: reason, secretCommitment: commitment)
        // init sorts; an encoding whose lists were not already sorted is not the canonical one.
        guard keyHolders == holders, self.coHosts == coHosts, self.senders == senders else {
            throw reader.failure("lists are not in canonical order")
        }
    }

    private static func readText(_ reader: inout CanonicalReader, _ field: String) throws(FramesError) -> String {
        let octets = try reader.readLengthPrefixed(field, maximum: maximumTextLength)
        // Visible ASCII is checked by init; ASCII octets are always valid UTF-8.
        guard octets.allSatisfy({ $0 < 0x80 }) else { throw reader.failure("\(field) is not ASCII") }
        return String(decoding: octets, as: UTF8.self)
    }
}
