import Frames

extension MeetingHub {
    /// `rekey` in an `e2ee` meeting (issue 6): the gateway relays what the key manager made and opens
    /// nothing. It checks what it can without any secret, the way a client checks an `epoch`
    /// (`EpochManifestVerifier`): signed by the host, or by a co-host the host named; for this meeting;
    /// a greater epoch; no gateway among the `e2ee` key holders; a `standard` epoch only as a downgrade the
    /// host consented to for a waiting phone caller (or during one), naming and sealed to the gateway
    /// (`MeetingHub+Admission`). Then each recipient must be an app
    /// participant in the roster and a key holder of the epoch, listed once, with a sealed secret of
    /// the right size; one who has left since is skipped. Anything else is refused to the sender (`rekeyRefused`), nothing is relayed, and
    /// the connection stays.
    mutating func relay(_ rekey: Rekey, from sender: Member) -> [Action] {
        let id = sender.participant.id
        func refuse(_ reason: String) -> [Action] { refuseCommand(to: id, code: .rekeyRefused, "epoch \(rekey.epoch): \(reason)") }
        guard mode == .e2ee else { return refuse("in a standard meeting the gateway manages the keys") }
        guard let hostIdentity else { return refuse("the host has not joined: only the host's identity can start this meeting's keys") }
        guard let senderIdentity = sender.identity else { return refuse("your identity did not verify") }
        let signed: SignedEpochManifest
        do throws(FramesError) {
            signed = try SignedEpochManifest(canonicalEncoding: rekey.manifest, signature: rekey.signature)
        } catch {
            return refuse("\(error)")
        }
        guard signed.manifest.epoch == rekey.epoch else { return refuse("the manifest is for epoch \(signed.manifest.epoch)") }
        guard signed.manifest.keyManager == senderIdentity.fingerprint else {
            return refuse("a key manager sends its own manifests only")
        }
        var verifier =
            keyVerifier
            ?? EpochManifestVerifier(
                meetingID: meetingID, host: hostIdentity, gateway: gatewayIdentity, currentEpoch: epoch > 0 ? epoch : nil)
        let verified: VerifiedEpochManifest
        do throws(FramesError) {
            verified = try verifier.accept(signed, participants: appParticipants().compactMap { members[$0]?.identity })
        } catch {
            return refuse("\(error)")
        }
        let gatewayNamed = gatewayIdentity.map { verified.manifest.isKeyHolder($0.fingerprint) } ?? false
        if let refusal = modeChangeRefusal(to: verified.manifest.mode, gatewayNamed: gatewayNamed, rekey: rekey) {
            return refuse(refusal)
        }
        var recipients = Set<ParticipantID>()
        var deliveries: [Rekey.Delivery] = []
        for delivery in rekey.sealed {
            let who = "participant \(delivery.participant.rawValue)"
            guard delivery.participant != id else { return refuse("\(who) is the sender") }
            guard recipients.insert(delivery.participant).inserted else { return refuse("\(who) is listed twice") }
            // Someone who left while the key manager was making this epoch: not delivered (the leave
            // makes the key manager start another epoch without them).
            if members[delivery.participant] == nil, delivery.participant.rawValue <= lastParticipantID { continue }
            guard let member = members[delivery.participant], member.isApp, let identity = member.identity else {
                return refuse("\(who) is not an app participant in the meeting")
            }
            guard verified.manifest.isKeyHolder(identity.fingerprint) else { return refuse("\(who) is not a key holder") }
            guard delivery.sealedSecret.count == SealedEpochSecret.encodedLength else {
                return refuse("\(who): a sealed secret is \(SealedEpochSecret.encodedLength) bytes")
            }
            deliveries.append(delivery)
        }
        keyVerifier = verifier
        epoch = verified.manifest.epoch
        if verified.signer.fingerprint == hostIdentity.fingerprint {
            delegation = SignedManifestCopy(manifest: rekey.manifest, signature: rekey.signature)
        }
        return deliveries.map { .send(.epoch(rekey.announcement(for: $0)), to: $0.participant) }
            + keysChanged(to: verified, rekey: rekey, by: sender)
    }
}
