import Frames
import Testing

@Suite("Security codes: 6 groups of 5 digits from the manifest hash")
struct SecurityCodeTests {
    @Test func stableForAManifestAndDifferentWhenAnythingChanges() throws {
        let (host, guest, third) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(3))
        let secret = try KeyFixtures.secret()
        let base = try KeyFixtures.manifest(epoch: 7, keyManager: host, members: [host, guest], secret: secret)
        let code = SecurityCode(manifestHash: base.hash)
        #expect(code == SecurityCode(manifestHash: try EpochManifest(canonicalEncoding: base.canonicalEncoding).hash))
        #expect(code.groups.count == 6)
        #expect(code.groups.allSatisfy { $0.count == 5 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        #expect(code.description.count == 6 * 5 + 5)

        let variants = try [
            KeyFixtures.manifest(epoch: 8, keyManager: host, members: [host, guest], secret: secret),
            KeyFixtures.manifest(epoch: 7, keyManager: host, members: [host, guest, third], secret: secret),
            KeyFixtures.manifest(epoch: 7, keyManager: host, members: [host, guest], reason: .leave, secret: secret),
            KeyFixtures.manifest(epoch: 7, mode: .standard, keyManager: host, members: [host, guest], secret: secret),
            KeyFixtures.manifest(epoch: 7, keyManager: host, members: [host, guest], secret: KeyFixtures.secret(0x01)),
            KeyFixtures.manifest(meetingID: "123456780", epoch: 7, keyManager: host, members: [host, guest], secret: secret),
        ]
        let codes = Set(variants.map { SecurityCode(manifestHash: $0.hash) } + [code])
        #expect(codes.count == variants.count + 1)
    }

    /// Every participant derives the code from the manifest it verified: the host's and a guest's agree.
    @Test func keyManagerAndClientShowTheSameCode() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let signed = try KeyFixtures.signed(epoch: 3, keyManager: host, members: [host, guest], secret: KeyFixtures.secret())
        let hostSide = try VerifiedEpochManifest(ownManifest: signed, keyManager: host)
        var verifier = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: nil)
        let guestSide = try verifier.accept(SignedEpochManifest(encoded: signed.encoded))
        #expect(hostSide.securityCode == guestSide.securityCode)
    }
}
