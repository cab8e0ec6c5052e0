import Foundation

/// The JSON form of a public identity: three base64 strings of fixed sizes. Every message encodes
/// identities with it; a roster entry's `identity` decodes with it too, while messages that carry an
/// identity at their top level (`hello`, `create`, `welcome.keyManager`) decode it through
/// `ParticipantMessage`'s own helper (same keys), whose errors name the message and the field.
extension IdentityKeys: Codable {
    enum CodingKeys: String, CodingKey {
        case signingKey, agreementKey, agreementKeySignature
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func bytes(_ key: CodingKeys, _ length: Int) throws -> [UInt8] {
            guard let data = Data(base64Encoded: try c.decode(String.self, forKey: key)), data.count == length else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "must be \(length) bytes after base64 decoding")
            }
            return Array(data)
        }
        self.init(
            signingKey: try bytes(.signingKey, Self.signingKeyLength), agreementKey: try bytes(.agreementKey, Self.agreementKeyLength),
            agreementKeySignature: try bytes(.agreementKeySignature, Self.signatureLength))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Data(signingKey).base64EncodedString(), forKey: .signingKey)
        try c.encode(Data(agreementKey).base64EncodedString(), forKey: .agreementKey)
        try c.encode(Data(agreementKeySignature).base64EncodedString(), forKey: .agreementKeySignature)
    }
}
