import Foundation
import Frames

/// The JSON form of each message (docs/participant-protocol.md has an example of every one).
/// Unknown fields are ignored; a missing or mistyped field, an unknown `type` or a value out of
/// bounds is a ``ParticipantProtocolError``.
extension ParticipantMessage: Codable {
    enum CodingKeys: String, CodingKey {
        case type, version, meeting, passcode, name, role, identity, keyManager
        case participant, muted, locked, senderIndex, mode, roster, event, speaking
        case epoch, manifest, signature, sealedSecret, reason, code, sealed, delegation
        case request, accept, kind, automatic, timeout, reUpgrade, gateway
    }

    enum ManifestCodingKeys: String, CodingKey {
        case manifest, signature
    }

    enum DeliveryCodingKeys: String, CodingKey {
        case participant, sealedSecret
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let typeName = try? container.decodeIfPresent(String.self, forKey: .type) else {
            throw ParticipantProtocolError.missingType
        }
        guard let kind = Kind(rawValue: typeName) else { throw ParticipantProtocolError.unknownType(typeName) }
        if let direction = decoder.userInfo[ParticipantProtocol.directionKey] as? ParticipantProtocol.Direction,
            kind.direction != direction
        {
            throw ParticipantProtocolError.wrongDirection(typeName)
        }
        do {
            self = try Self.decodeBody(kind, container)
        } catch let error as DecodingError {
            throw ParticipantProtocolError(error, type: typeName)
        } catch let error as ParticipantProtocolError {
            throw error
        } catch {
            // A number out of range deeper down (a roster entry's id): the parser's own error.
            throw ParticipantProtocolError.invalidField(type: typeName, field: "a number")
        }
    }

    private static func identityKeys(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, type: String
    ) throws -> IdentityKeys {
        let keys = try c.nestedContainer(keyedBy: IdentityKeys.CodingKeys.self, forKey: key)
        let field = key.rawValue
        return IdentityKeys(
            signingKey: try base64(keys, .signingKey, type: type, field: "\(field).signingKey", length: IdentityKeys.signingKeyLength),
            agreementKey: try base64(
                keys, .agreementKey, type: type, field: "\(field).agreementKey", length: IdentityKeys.agreementKeyLength),
            agreementKeySignature: try base64(
                keys, .agreementKeySignature, type: type, field: "\(field).agreementKeySignature", length: IdentityKeys.signatureLength)
        )
    }

    private static func decodeBody(_ kind: Kind, _ c: KeyedDecodingContainer<CodingKeys>) throws -> ParticipantMessage {
        let type = kind.rawValue
        switch kind {
        case .hello:
            // The version first: a newer client's hello may differ in every other field.
            let version = try c.field(Int.self, .version, in: type)
            guard ParticipantProtocol.supportedVersions.contains(version) else {
                throw ParticipantProtocolError.unsupportedVersion(version)
            }
            let meeting = try c.field(String.self, .meeting, in: type)
            try checkDigits(meeting, ParticipantProtocol.meetingIDDigits, type: type, field: "meeting")
            let passcode = try c.field(String.self, .passcode, in: type)
            try checkDigits(passcode, ParticipantProtocol.passcodeDigits, type: type, field: "passcode")
            let name = try c.field(String.self, .name, in: type)
            try checkLength(name, ParticipantProtocol.maxNameBytes, type: type, field: "name")
            let role = try c.field(ParticipantRole.self, .role, in: type)
            let identity = try identityKeys(c, .identity, type: type)
            return .hello(Hello(version: version, meeting: meeting, passcode: passcode, name: name, role: role, identity: identity))
        case .mute:
            return .mute(
                participant: try c.field(ParticipantID.self, .participant, in: type), muted: try c.field(Bool.self, .muted, in: type))
        case .remove:
            return .remove(participant: try c.field(ParticipantID.self, .participant, in: type))
        case .lock:
            return .lock(locked: try c.field(Bool.self, .locked, in: type))
        case .end:
            return .end
        case .leave:
            return .leave
        case .create:
            let version = try c.field(Int.self, .version, in: type)
            guard ParticipantProtocol.supportedVersions.contains(version) else {
                throw ParticipantProtocolError.unsupportedVersion(version)
            }
            let name = try c.field(String.self, .name, in: type)
            try checkLength(name, ParticipantProtocol.maxNameBytes, type: type, field: "name")
            let meeting = try c.optionalField(String.self, .meeting, in: type)
            if let meeting { try checkDigits(meeting, ParticipantProtocol.meetingIDDigits, type: type, field: "meeting") }
            let passcode = try c.optionalField(String.self, .passcode, in: type)
            if let passcode { try checkDigits(passcode, ParticipantProtocol.passcodeDigits, type: type, field: "passcode") }
            let mode = try c.optionalField(MeetingMode.self, .mode, in: type) ?? .standard
            return .create(
                CreateMeeting(
                    version: version, name: name, mode: mode, meeting: meeting, passcode: passcode,
                    identity: try identityKeys(c, .identity, type: type)))

        case .welcome:
            let version = try c.field(Int.self, .version, in: type)
            guard ParticipantProtocol.supportedVersions.contains(version) else {
                throw ParticipantProtocolError.unsupportedVersion(version)
            }
            let meeting = try c.field(String.self, .meeting, in: type)
            try checkDigits(meeting, ParticipantProtocol.meetingIDDigits, type: type, field: "meeting")
            let roster = try c.field([Participant].self, .roster, in: type)
            for (index, participant) in roster.enumerated() { try check(participant, type: type, field: "roster[\(index)]") }
            return .welcome(
                Welcome(
                    version: version, participant: try c.field(ParticipantID.self, .participant, in: type),
                    senderIndex: try c.field(SenderIndex.self, .senderIndex, in: type), meeting: meeting,
                    mode: try c.field(MeetingMode.self, .mode, in: type), roster: roster,
                    keyManager: c.contains(.keyManager) ? try identityKeys(c, .keyManager, type: type) : nil,
                    epoch: try c.optionalField(UInt64.self, .epoch, in: type),
                    delegation: c.contains(.delegation) ? try manifestCopy(c, .delegation, type: type) : nil))
        case .roster:
            let participant = try c.field(Participant.self, .participant, in: type)
            try check(participant, type: type, field: "participant")
            return .roster(
                RosterUpdate(
                    event: try c.field(RosterEvent.self, .event, in: type), participant: participant,
                    speaking: try c.optionalField(Bool.self, .speaking, in: type)))
        case .epoch:
            return .epoch(
                EpochAnnouncement(
                    epoch: try c.field(UInt64.self, .epoch, in: type),
                    manifest: try base64(c, .manifest, type: type, field: "manifest", length: nil),
                    signature: try base64(c, .signature, type: type, field: "signature", length: nil),
                    sealedSecret: try base64(c, .sealedSecret, type: type, field: "sealedSecret", length: nil)))
        case .rekey:
            var list = try c.nestedUnkeyedContainer(forKey: .sealed)
            if let count = list.count, count > ParticipantProtocol.maxRekeyDeliveries {
                throw ParticipantProtocolError.invalidValue(
                    type: type, field: "sealed", reason: "lists more than \(ParticipantProtocol.maxRekeyDeliveries) deliveries")
            }
            var sealed: [Rekey.Delivery] = []
            while !list.isAtEnd {
                let field = "sealed[\(sealed.count)]"
                let entry = try list.nestedContainer(keyedBy: DeliveryCodingKeys.self)
                sealed.append(
                    Rekey.Delivery(
                        participant: try entry.field(ParticipantID.self, .participant, in: type),
                        sealedSecret: try base64(entry, .sealedSecret, type: type, field: field + ".sealedSecret", length: nil)))
            }
            return .rekey(
                Rekey(
                    epoch: try c.field(UInt64.self, .epoch, in: type),
                    manifest: try base64(c, .manifest, type: type, field: "manifest", length: nil),
                    signature: try base64(c, .signature, type: type, field: "signature", length: nil), sealed: sealed,
                    gatewaySealedSecret: c.contains(.gateway)
                        ? try base64(c, .gateway, type: type, field: "gateway", length: SealedEpochSecret.encodedLength) : nil))
        case .admission:
            return .admission(
                request: try c.field(AdmissionRequestID.self, .request, in: type), accept: try c.field(Bool.self, .accept, in: type))
        case .admissionRequest:
            let name = try c.field(String.self, .name, in: type)
            try checkLength(name, ParticipantProtocol.maxNameBytes, type: type, field: "name")
            let timeout = try c.field(Int.self, .timeout, in: type)
            guard (0...86_400).contains(timeout) else {
                throw ParticipantProtocolError.invalidValue(type: type, field: "timeout", reason: "must be 0 to 86400 seconds")
            }
            return .admissionRequest(
                AdmissionRequest(
                    request: try c.field(AdmissionRequestID.self, .request, in: type), name: name,
                    kind: try c.field(AdmissionRequest.Kind.self, .kind, in: type),
                    automatic: try c.field(Bool.self, .automatic, in: type), timeout: timeout,
                    reUpgrade: try c.field(Bool.self, .reUpgrade, in: type), gateway: try identityKeys(c, .gateway, type: type)))
        case .locked:
            return .locked(try c.field(Bool.self, .locked, in: type))
        case .ended:
            let reason = try c.field(String.self, .reason, in: type)
            try checkLength(reason, ParticipantProtocol.maxTextBytes, type: type, field: "reason")
            return .ended(reason: reason)
        case .error:
            let code = try c.field(String.self, .code, in: type)
            try checkLength(code, ParticipantProtocol.maxTextBytes, type: type, field: "code")
            let reason = try c.field(String.self, .reason, in: type)
            try checkLength(reason, ParticipantProtocol.maxTextBytes, type: type, field: "reason")
            return .error(code: ParticipantErrorCode(rawValue: code), reason: reason)
        case .notice:
            let name = try c.field(String.self, .name, in: type)
            try checkLength(name, ParticipantProtocol.maxNameBytes, type: type, field: "name")
            let reason = try c.field(String.self, .reason, in: type)
            try checkLength(reason, ParticipantProtocol.maxTextBytes, type: type, field: "reason")
            return .notice(Notice(event: try c.field(Notice.Event.self, .event, in: type), name: name, reason: reason))
        case .created:
            let meeting = try c.field(String.self, .meeting, in: type)
            try checkDigits(meeting, ParticipantProtocol.meetingIDDigits, type: type, field: "meeting")
            let passcode = try c.field(String.self, .passcode, in: type)
            try checkDigits(passcode, ParticipantProtocol.passcodeDigits, type: type, field: "passcode")
            return .created(meeting: meeting, passcode: passcode, mode: try c.field(MeetingMode.self, .mode, in: type))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .type)
        switch self {
        case .hello(let hello):
            try c.encode(hello.version, forKey: .version)
            try c.encode(hello.meeting, forKey: .meeting)
            try c.encode(hello.passcode, forKey: .passcode)
            try c.encode(hello.name, forKey: .name)
            try c.encode(hello.role, forKey: .role)
            try c.encode(hello.identity, forKey: .identity)
        case .mute(let participant, let muted):
            try c.encode(participant, forKey: .participant)
            try c.encode(muted, forKey: .muted)
        case .remove(let participant):
            try c.encode(participant, forKey: .participant)
        case .lock(let locked), .locked(let locked):
            try c.encode(locked, forKey: .locked)
        case .end, .leave:
            break
        case .create(let create):
            try c.encode(create.version, forKey: .version)
            try c.encode(create.name, forKey: .name)
            try c.encode(create.mode, forKey: .mode)
            try c.encodeIfPresent(create.meeting, forKey: .meeting)
            try c.encodeIfPresent(create.passcode, forKey: .passcode)
            try c.encode(create.identity, forKey: .identity)
        case .created(let meeting, let passcode, let mode):
            try c.encode(meeting, forKey: .meeting)
            try c.encode(passcode, forKey: .passcode)
            try c.encode(mode, forKey: .mode)
        case .welcome(let welcome):
            try c.encode(welcome.version, forKey: .version)
            try c.encode(welcome.participant, forKey: .participant)
            try c.encode(welcome.senderIndex, forKey: .senderIndex)
            try c.encode(welcome.meeting, forKey: .meeting)
            try c.encode(welcome.mode, forKey: .mode)
            try c.encode(welcome.roster, forKey: .roster)
            try c.encodeIfPresent(welcome.keyManager, forKey: .keyManager)
            try c.encodeIfPresent(welcome.epoch, forKey: .epoch)
            if let delegation = welcome.delegation {
                var copy = c.nestedContainer(keyedBy: ManifestCodingKeys.self, forKey: .delegation)
                try copy.encode(Data(delegation.manifest).base64EncodedString(), forKey: .manifest)
                try copy.encode(Data(delegation.signature).base64EncodedString(), forKey: .signature)
            }
        case .roster(let update):
            try c.encode(update.event, forKey: .event)
            try c.encode(update.participant, forKey: .participant)
            try c.encodeIfPresent(update.speaking, forKey: .speaking)
        case .epoch(let epoch):
            try c.encode(epoch.epoch, forKey: .epoch)
            try c.encode(Data(epoch.manifest).base64EncodedString(), forKey: .manifest)
            try c.encode(Data(epoch.signature).base64EncodedString(), forKey: .signature)
            try c.encode(Data(epoch.sealedSecret).base64EncodedString(), forKey: .sealedSecret)
        case .rekey(let rekey):
            try c.encode(rekey.epoch, forKey: .epoch)
            try c.encode(Data(rekey.manifest).base64EncodedString(), forKey: .manifest)
            try c.encode(Data(rekey.signature).base64EncodedString(), forKey: .signature)
            var list = c.nestedUnkeyedContainer(forKey: .sealed)
            for delivery in rekey.sealed {
                var entry = list.nestedContainer(keyedBy: DeliveryCodingKeys.self)
                try entry.encode(delivery.participant, forKey: .participant)
                try entry.encode(Data(delivery.sealedSecret).base64EncodedString(), forKey: .sealedSecret)
            }
            try c.encodeIfPresent(rekey.gatewaySealedSecret.map { Data($0).base64EncodedString() }, forKey: .gateway)
        case .admission(let request, let accept):
            try c.encode(request, forKey: .request)
            try c.encode(accept, forKey: .accept)
        case .admissionRequest(let request):
            try c.encode(request.request, forKey: .request)
            try c.encode(request.name, forKey: .name)
            try c.encode(request.kind, forKey: .kind)
            try c.encode(request.automatic, forKey: .automatic)
            try c.encode(request.timeout, forKey: .timeout)
            try c.encode(request.reUpgrade, forKey: .reUpgrade)
            try c.encode(request.gateway, forKey: .gateway)
        case .ended(let reason):
            try c.encode(reason, forKey: .reason)
        case .notice(let notice):
            try c.encode(notice.event, forKey: .event)
            try c.encode(notice.name, forKey: .name)
            try c.encode(notice.reason, forKey: .reason)
        case .error(let code, let reason):
            try c.encode(code, forKey: .code)
            try c.encode(reason, forKey: .reason)
        }
    }

    // MARK: Field checks

    private static func checkDigits(_ value: String, _ lengths: ClosedRange<Int>, type: String, field: String) throws {
        let isDigits = value.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard isDigits, lengths.contains(value.utf8.count) else {
            throw ParticipantProtocolError.invalidValue(
                type: type, field: field, reason: "must be \(lengths.lowerBound) to \(lengths.upperBound) digits")
        }
    }

    private static func checkLength(_ value: String, _ limit: Int, type: String, field: String) throws {
        guard value.utf8.count <= limit else {
            throw ParticipantProtocolError.invalidValue(type: type, field: field, reason: "is longer than \(limit) bytes")
        }
    }

    private static func check(_ participant: Participant, type: String, field: String) throws {
        try checkLength(participant.name, ParticipantProtocol.maxNameBytes, type: type, field: field + ".name")
        if let fingerprint = participant.fingerprint {
            try checkLength(fingerprint, ParticipantProtocol.maxTextBytes, type: type, field: field + ".fingerprint")
        }
    }

    private static func manifestCopy(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys, type: String
    ) throws -> SignedManifestCopy {
        let copy = try c.nestedContainer(keyedBy: ManifestCodingKeys.self, forKey: key)
        return SignedManifestCopy(
            manifest: try base64(copy, .manifest, type: type, field: "\(key.rawValue).manifest", length: nil),
            signature: try base64(copy, .signature, type: type, field: "\(key.rawValue).signature", length: nil))
    }

    /// A base64 field (RFC 4648 §4, with padding), of exactly `length` bytes when one is given.
    private static func base64<Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key, type: String, field: String, length: Int?
    ) throws -> [UInt8] {
        let text = try container.field(String.self, key, in: type)
        guard let data = Data(base64Encoded: text) else {
            throw ParticipantProtocolError.invalidValue(type: type, field: field, reason: "is not base64")
        }
        if let length, data.count != length {
            throw ParticipantProtocolError.invalidValue(
                type: type, field: field, reason: "must be \(length) bytes after base64 decoding, not \(data.count)")
        }
        return Array(data)
    }
}

extension KeyedDecodingContainer {
    /// `decode(_:forKey:)`, with the field named in the error even where the JSON decoder leaves
    /// the path out (a number that does not fit its type is reported without one).
    fileprivate func field<T: Decodable>(_: T.Type, _ key: Key, in type: String) throws -> T {
        try naming(key, in: type) { try decode(T.self, forKey: key) }
    }

    fileprivate func optionalField<T: Decodable>(_: T.Type, _ key: Key, in type: String) throws -> T? {
        try naming(key, in: type) { try decodeIfPresent(T.self, forKey: key) }
    }

    /// Runs a decode and names `key` in whatever error comes out of it.
    private func naming<R>(_ key: Key, in type: String, _ decode: () throws -> R) throws -> R {
        do {
            return try decode()
        } catch let error as DecodingError {
            throw ParticipantProtocolError(error, type: type, field: key.stringValue)
        } catch let error as ParticipantProtocolError {
            throw error
        } catch {
            // Foundation's parser reports a number that does not fit (-1 or 1.5 for a UInt32) with
            // an error of its own, which would otherwise surface as "not valid JSON".
            throw ParticipantProtocolError.invalidField(type: type, field: key.stringValue)
        }
    }
}
