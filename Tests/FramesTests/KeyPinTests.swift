import Testing

@testable import Frames

/// dialgate's key constructions against values computed independently (`Vectors/dialgate-keys/`).
@Suite("Key management pinned values (Vectors/dialgate-keys)")
struct KeyPinTests {
    @Test func identityFromSeedMatchesIndependentComputation() throws {
        let host = try KeyFixtures.host
        #expect(host.publicIdentity.signingKey == hex("e21a73d26e21d8522ffd8cb476f57954cca068edb27503370c67f16d484cfcc0"))
        #expect(host.publicIdentity.agreementKey == hex("95ebc31f5663c74042c02c39e7fe0fb204ae4bc9f78fc3cebeb408b3a706016f"))
        #expect(
            host.publicIdentity.agreementKeySignature
                == hex(
                    "6d62481b4064d32d6a13e9eae369ac75ec07515c2ab113b3076aba3ad020926c5d7b94e07314b2a355a633391dfb4212eaf714ca5622f2031779fc86f51ee609"
                ))
        #expect(host.fingerprint.hex == "37a3af84489f8e083f40a76cb6c9ccb201f200347971975fbb673d1fc799d189")
        #expect(host.fingerprint.description == "37a3 af84 489f 8e08 3f40 a76c b6c9 ccb2 01f2 0034 7971 975f bb67 3d1f c799 d189")
        #expect(try KeyFixtures.guest.fingerprint.hex == "1c8e4c5559c2f45826f2ec5832c97a6dbdaf60126cfb28cc0d271963051536b3")
    }

    @Test func manifestEncodingHashCommitmentAndCodeMatchIndependentComputation() throws {
        let host = try KeyFixtures.host
        let guest = try KeyFixtures.guest
        let secret = try KeyFixtures.secret()
        #expect(secret.commitment == hex("831d7d97cb92b85f81270a7ccc7f14345d276dba94cbf6c670e5799cbd565913"))
        let manifest = try EpochManifest(
            meetingID: "123456789", epoch: 7, mode: .e2ee, keyManager: host.fingerprint, keyHolders: [host.fingerprint, guest.fingerprint],
            senders: [
                .init(senderIndex: 0x1234, source: .participant(guest.fingerprint)),
                .init(senderIndex: 1, source: .participant(host.fingerprint)),
                .init(senderIndex: 2, source: .participant(guest.fingerprint)),
            ], reason: .join, secret: secret)
        let expected = hex(
            "6469616c676174652065706f6368206d616e696665737402000931323334353637383900000000000000070237a3af84489f8e083f40a76cb6c9ccb2"
                + "01f200347971975fbb673d1fc799d189831d7d97cb92b85f81270a7ccc7f14345d276dba94cbf6c670e5799cbd56591300021c8e4c5559c2f45826f2"
                + "ec5832c97a6dbdaf60126cfb28cc0d271963051536b337a3af84489f8e083f40a76cb6c9ccb201f200347971975fbb673d1fc799d189000000030000"
                + "0000000000010137a3af84489f8e083f40a76cb6c9ccb201f200347971975fbb673d1fc799d1890000000000000002011c8e4c5559c2f45826f2ec58"
                + "32c97a6dbdaf60126cfb28cc0d271963051536b30000000000001234011c8e4c5559c2f45826f2ec5832c97a6dbdaf60126cfb28cc0d271963051536"
                + "b300046a6f696e")
        #expect(manifest.canonicalEncoding == expected)
        #expect(manifest.hash.description == "147b9eaf6c235130bc4b39a77992d7f11cbe9b708f05440bfe6065a879750dc3")
        #expect(SecurityCode(manifestHash: manifest.hash).description == "35318 20477 71207 39747 19418 75096")
        // Ed25519 is deterministic: the key manager's signature is pinned too.
        let signed = try SignedEpochManifest(signing: manifest, as: host)
        #expect(
            signed.signature
                == hex(
                    "752a338d3f544f9ead9e7d6eb8bb777d7af61eb317201e5b2a785d326ed49e41110733b07e5e44247a4f615e11c6a953a8c40d26fad7c50a080e7c2dc255c101"
                ))
    }
}
