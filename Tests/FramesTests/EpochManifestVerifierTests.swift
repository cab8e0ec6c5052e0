import Testing

@testable import Frames

@Suite("Verifying epoch manifests: signer, signature, meeting, epoch, mode")
struct EpochManifestVerifierTests {
    static func verifier(currentEpoch: UInt64? = nil, currentMode: EpochManifest.Mode? = nil) throws -> EpochManifestVerifier {
        EpochManifestVerifier(
            meetingID: KeyFixtures.meetingID, host: try KeyFixtures.host.publicIdentity, gateway: try KeyFixtures.gateway.publicIdentity,
            currentEpoch: currentEpoch, currentMode: currentMode)
    }

    @Test func acceptsTheHostsManifestAndMovesForward() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var verifier = try Self.verifier()
        let signed = try KeyFixtures.signed(epoch: 5, keyManager: host, members: [host, guest], secret: KeyFixtures.secret())
        // Through the wire form and back.
        let received = try SignedEpochManifest(encoded: signed.encoded)
        #expect(received == signed)
        let verified = try verifier.accept(received)
        #expect(verified.manifest == signed.manifest)
        #expect(verified.signer == host.publicIdentity)
        #expect(verified.hash == signed.manifest.hash)
        #expect(verifier.currentEpoch == 5)
        #expect(verifier.currentMode == .e2ee)
        #expect(keyError { try verifier.verify(received) } == .staleEpoch(epoch: 5, current: 5))
    }

    @Test func anyAlteredOctetIsRefused() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        let verifier = try Self.verifier()
        let signed = try KeyFixtures.signed(epoch: 5, keyManager: host, members: [host, guest], secret: KeyFixtures.secret())
        let encoded = signed.encoded
        var reasons: [String: Int] = [:]
        for index in encoded.indices {
            for bit: UInt8 in [0x01, 0x80] {
                var altered = encoded
                altered[index] ^= bit
                let error = keyError { try verifier.verify(SignedEpochManifest(encoded: altered)) }
                #expect(error != nil, "octet \(index) bit \(bit) accepted")
                reasons[caseName(error) ?? "accepted", default: 0] += 1
            }
        }
        // Decoding catches structure and invariants (a changed key manager is no longer a key holder), the
        // signature catches the rest.
        #expect(
            Set(reasons.keys).isSubset(of: [
                "malformedEncoding", "invalidManifest", "senderIndexOutOfRange", "badManifestSignature", "unexpectedManifestSigner",
            ]), "\(reasons)")
        #expect(reasons["badManifestSignature", default: 0] > 0 && reasons["malformedEncoding", default: 0] > 0, "\(reasons)")

        // A changed reason (still a valid manifest) is exactly a bad signature.
        var reason = encoded
        reason[signed.canonicalEncoding.count - 1] = UInt8(ascii: "x")
        #expect(keyError { try verifier.verify(SignedEpochManifest(encoded: reason)) } == .badManifestSignature)
    }

    @Test func refusesOtherSigners() throws {
        let (host, guest, gateway) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.gateway)
        let verifier = try Self.verifier()
        let secret = try KeyFixtures.secret()
        // A guest signing as key manager of an e2ee epoch.
        let byGuest = try KeyFixtures.signed(epoch: 5, keyManager: guest, members: [host, guest], secret: secret)
        #expect(
            keyError { try verifier.verify(byGuest) }
                == .unexpectedManifestSigner(signer: guest.fingerprint, expected: [host.fingerprint]))
        // A manifest naming the host as key manager, signed by someone else.
        let claimed = try KeyFixtures.manifest(epoch: 5, keyManager: host, members: [host, guest], secret: secret)
        #expect(
            keyError { try SignedEpochManifest(signing: claimed, as: guest) }
                == .unexpectedManifestSigner(signer: guest.fingerprint, expected: [host.fingerprint]))
        let forged = try SignedEpochManifest(
            canonicalEncoding: claimed.canonicalEncoding, signature: try SignedEpochManifest(signing: byGuest.manifest, as: guest).signature
        )
        #expect(keyError { try verifier.verify(forged) } == .badManifestSignature)
        // The gateway may not sign e2ee epochs.
        let byGateway = try KeyFixtures.signed(epoch: 5, keyManager: gateway, members: [host, gateway], secret: secret)
        #expect(
            keyError { try verifier.verify(byGateway) }
                == .unexpectedManifestSigner(signer: gateway.fingerprint, expected: [host.fingerprint]))
        // A client that knows no gateway accepts standard epochs from the host only.
        let noGateway = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: host.publicIdentity, gateway: nil)
        let standard = try KeyFixtures.signed(epoch: 5, mode: .standard, keyManager: gateway, members: [host, gateway], secret: secret)
        #expect(caseName(keyError { try noGateway.verify(standard) }) == "unexpectedManifestSigner")
    }

    /// A guest of a standard meeting knows the gateway (from `welcome`) but not the host's keys.
    @Test func withoutAHostOnlyTheGatewaysStandardManifestsAreAccepted() throws {
        let (host, guest, gateway) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.gateway)
        var verifier = EpochManifestVerifier(meetingID: KeyFixtures.meetingID, host: nil, gateway: gateway.publicIdentity)
        let secret = try KeyFixtures.secret()
        #expect(verifier.acceptedSigners(for: .e2ee).isEmpty)
        #expect(verifier.acceptedSigners(for: .standard) == [gateway.publicIdentity])
        let members = [host, guest, gateway]
        let standard = try KeyFixtures.signed(epoch: 1, mode: .standard, keyManager: gateway, members: members, secret: secret)
        #expect(try verifier.accept(standard).signer == gateway.publicIdentity)
        // Even a real host's manifest is refused: this client cannot tell the host's key from anyone's.
        let byHost = try KeyFixtures.signed(epoch: 2, mode: .standard, keyManager: host, members: members, secret: secret)
        #expect(
            keyError { try verifier.verify(byHost) }
                == .unexpectedManifestSigner(signer: host.fingerprint, expected: [gateway.fingerprint]))
        // Every e2ee manifest is refused, whoever signed it.
        let e2ee = try KeyFixtures.signed(epoch: 2, keyManager: host, members: [host, guest], secret: secret)
        #expect(keyError { try verifier.verify(e2ee) } == .unexpectedManifestSigner(signer: host.fingerprint, expected: []))
        #expect(verifier.currentEpoch == 1)
    }

    @Test func refusesStaleEpochsAndOtherMeetings() throws {
        let (host, guest) = try (KeyFixtures.host, KeyFixtures.guest)
        var verifier = try Self.verifier()
        let secret = try KeyFixtures.secret()
        _ = try verifier.accept(KeyFixtures.signed(epoch: 5, keyManager: host, members: [host, guest], secret: secret))
        for epoch: UInt64 in [0, 4, 5] {
            #expect(
                keyError {
                    try verifier.verify(KeyFixtures.signed(epoch: epoch, keyManager: host, members: [host, guest], secret: secret))
                }
                    == .staleEpoch(epoch: epoch, current: 5))
        }
        let other = try KeyFixtures.signed(epoch: 6, keyManager: host, members: [host], meetingID: "987654321", secret: secret)
        #expect(keyError { try verifier.verify(other) } == .wrongMeeting(expected: "123456789", actual: "987654321"))
        // Refusals do not move the epoch; a gap forward is fine.
        #expect(verifier.currentEpoch == 5)
        _ = try verifier.accept(KeyFixtures.signed(epoch: 1000, keyManager: host, members: [host], secret: secret))
        #expect(verifier.currentEpoch == 1000)
    }

    @Test func e2eeEpochWithTheGatewayAsKeyHolderIsRefused() throws {
        let (host, gateway) = try (KeyFixtures.host, KeyFixtures.gateway)
        let signed = try KeyFixtures.signed(epoch: 5, keyManager: host, members: [host, gateway], secret: KeyFixtures.secret())
        #expect(keyError { try Self.verifier().verify(signed) } == .gatewayHoldsE2EEKey(epoch: 5))
    }

    /// e2ee → standard needs the host; then the gateway manages standard epochs; only the host returns to e2ee.
    @Test func downgradeAndUpgradeFollowTheHost() throws {
        let (host, guest, gateway) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.gateway)
        var verifier = try Self.verifier(currentEpoch: 1, currentMode: .e2ee)
        let secret = try KeyFixtures.secret()
        let members = [host, guest, gateway]
        let downgradeByGateway = try KeyFixtures.signed(epoch: 2, mode: .standard, keyManager: gateway, members: members, secret: secret)
        #expect(caseName(keyError { try verifier.verify(downgradeByGateway) }) == "unexpectedManifestSigner")
        _ = try verifier.accept(KeyFixtures.signed(epoch: 2, mode: .standard, keyManager: host, members: members, secret: secret))
        _ = try verifier.accept(
            KeyFixtures.signed(epoch: 3, mode: .standard, keyManager: gateway, members: members, phones: [50], secret: secret))
        let upgradeByGateway = try KeyFixtures.signed(epoch: 4, keyManager: gateway, members: [host, guest, gateway], secret: secret)
        #expect(caseName(keyError { try verifier.verify(upgradeByGateway) }) == "unexpectedManifestSigner")
        let upgrade = try verifier.accept(KeyFixtures.signed(epoch: 4, keyManager: host, members: [host, guest], secret: secret))
        #expect(!upgrade.manifest.isKeyHolder(gateway.fingerprint))
        #expect(verifier.currentMode == .e2ee)
    }

    @Test func keyManagerVerifiesItsOwnManifest() throws {
        let (host, gateway) = try (KeyFixtures.host, KeyFixtures.gateway)
        let signed = try KeyFixtures.signed(
            epoch: 1, mode: .standard, keyManager: gateway, members: [host, gateway], secret: KeyFixtures.secret())
        #expect(try VerifiedEpochManifest(ownManifest: signed, keyManager: gateway).signer == gateway.publicIdentity)
        #expect(caseName(keyError { try VerifiedEpochManifest(ownManifest: signed, keyManager: host) }) == "unexpectedManifestSigner")
        var signature = signed.signature
        signature[0] ^= 1
        let altered = try SignedEpochManifest(canonicalEncoding: signed.canonicalEncoding, signature: signature)
        #expect(keyError { try VerifiedEpochManifest(ownManifest: altered, keyManager: gateway) } == .badManifestSignature)
        #expect(
            caseName(keyError { try SignedEpochManifest(canonicalEncoding: signed.canonicalEncoding, signature: [1]) })
                == "malformedEncoding")
    }

    // MARK: Co-hosts (issue 6: a host who leaves names who keeps the keys turning)

    @Test func aCoHostNamedByTheHostSignsWhileTheHostIsAway() throws {
        let (host, guest, deputy) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(2))
        var verifier = try Self.verifier()
        let secret = try KeyFixtures.secret()
        // Before any delegation a co-host is just a participant.
        let early = try KeyFixtures.signed(epoch: 1, keyManager: deputy, members: [deputy, guest], secret: secret)
        #expect(caseName(keyError { try verifier.verify(early, participants: [deputy.publicIdentity]) }) == "unexpectedManifestSigner")

        _ = try verifier.accept(
            KeyFixtures.signed(epoch: 2, keyManager: host, members: [host, guest, deputy], coHosts: [deputy], secret: secret))
        #expect(verifier.coHosts == [deputy.fingerprint])
        let next = try KeyFixtures.signed(epoch: 3, keyManager: deputy, members: [deputy, guest], coHosts: [], secret: secret)
        // The co-host must keep the host's co-host list (here it dropped itself) ...
        #expect(keyError { try verifier.verify(next, participants: [deputy.publicIdentity]) } == .coHostChangedCoHosts(epoch: 3))
        // ... and its identity must be known, or its signature cannot be checked.
        let keeps = try SignedEpochManifest(
            signing: EpochManifest(
                meetingID: KeyFixtures.meetingID, epoch: 3, mode: .e2ee, keyManager: deputy.fingerprint,
                keyHolders: [deputy.fingerprint, guest.fingerprint, host.fingerprint], coHosts: [deputy.fingerprint],
                senders: [], reason: .leave, secret: secret), as: deputy)
        #expect(caseName(keyError { try verifier.verify(keeps) }) == "unexpectedManifestSigner")
        let verified = try verifier.accept(keeps, participants: [deputy.publicIdentity, guest.publicIdentity])
        #expect(verified.signer == deputy.publicIdentity)
        // A co-host may not downgrade: that is the host's consent alone.
        let downgrade = try KeyFixtures.signed(
            epoch: 4, mode: .standard, keyManager: deputy, members: [deputy, guest], secret: secret)
        #expect(caseName(keyError { try verifier.verify(downgrade, participants: [deputy.publicIdentity]) }) == "unexpectedManifestSigner")
        // The host, back, drops the co-host; its later manifests are refused.
        _ = try verifier.accept(KeyFixtures.signed(epoch: 5, keyManager: host, members: [host, guest, deputy], secret: secret))
        #expect(verifier.coHosts.isEmpty)
        let after = try KeyFixtures.signed(epoch: 6, keyManager: deputy, members: [deputy, guest], secret: secret)
        #expect(caseName(keyError { try verifier.verify(after, participants: [deputy.publicIdentity]) }) == "unexpectedManifestSigner")
    }

    @Test func aLateJoinerAdoptsTheHostsDelegationButNotAForgedOrOlderOne() throws {
        let (host, guest, deputy) = try (KeyFixtures.host, KeyFixtures.guest, KeyFixtures.identity(2))
        var verifier = try Self.verifier()
        let secret = try KeyFixtures.secret()
        let delegation = try KeyFixtures.signed(epoch: 7, keyManager: host, members: [host, deputy], coHosts: [deputy], secret: secret)
        let forged = try KeyFixtures.signed(epoch: 8, keyManager: deputy, members: [deputy, guest], secret: secret)
        #expect(caseName(keyError { try verifier.adoptDelegation(forged) }) == "unexpectedManifestSigner")
        try verifier.adoptDelegation(delegation)
        #expect(verifier.coHosts == [deputy.fingerprint] && verifier.currentEpoch == nil)
        let older = try KeyFixtures.signed(epoch: 6, keyManager: host, members: [host, guest], secret: secret)
        #expect(keyError { try verifier.adoptDelegation(older) } == .staleEpoch(epoch: 6, current: 7))
        let fromDeputy = try KeyFixtures.signed(
            epoch: 8, keyManager: deputy, members: [deputy, guest, host], coHosts: [deputy], secret: secret)
        #expect(try verifier.accept(fromDeputy, participants: [deputy.publicIdentity]).signer == deputy.publicIdentity)
    }
}
