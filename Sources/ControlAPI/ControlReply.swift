/// One reply line: `{"version":1,"id":7,"ok":{"calls":[...]}}` or
/// `{"version":1,"id":7,"error":{"code":"notFound","message":"no call c123","call":"c123"}}`.
public struct ControlReply: Sendable, Hashable {
    public var version: Int
    /// The request's id; nil when the request line was too broken to have one.
    public var id: Int?
    public var result: Result<ControlReplyPayload, ControlError>

    public init(version: Int = ControlWire.version, id: Int?, result: Result<ControlReplyPayload, ControlError>) {
        self.version = version
        self.id = id
        self.result = result
    }
}

extension ControlReply: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, id, ok, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.version = try container.decode(Int.self, forKey: .version)
        self.id = try container.decodeIfPresent(Int.self, forKey: .id)
        if container.contains(.error) {
            self.result = .failure(try container.decode(ControlError.self, forKey: .error))
        } else {
            self.result = .success(try container.decode(ControlReplyPayload.self, forKey: .ok))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encodeIfPresent(id, forKey: .id)
        switch result {
        case .success(let payload): try container.encode(payload, forKey: .ok)
        case .failure(let error): try container.encode(error, forKey: .error)
        }
    }
}
