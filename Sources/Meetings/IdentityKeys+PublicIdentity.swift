import Frames

extension IdentityKeys {
    /// The wire form (`hello.identity`, `welcome.keyManager`) of a public identity.
    public init(_ identity: PublicIdentity) {
        self.init(
            signingKey: identity.signingKey, agreementKey: identity.agreementKey, agreementKeySignature: identity.agreementKeySignature)
    }
}

extension PublicIdentity {
    /// A public identity from its wire form; throws unless the agreement key's signature verifies.
    public init(_ keys: IdentityKeys) throws(FramesError) {
        try self.init(signingKey: keys.signingKey, agreementKey: keys.agreementKey, agreementKeySignature: keys.agreementKeySignature)
    }
}
