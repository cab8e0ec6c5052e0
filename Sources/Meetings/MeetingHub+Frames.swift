import Frames

extension MeetingHub {
    /// Where one media frame goes. The frame is never opened or changed: receivers get the very
    /// bytes the sender sent (the KID in its header tells them whose it is).
    mutating func frame(from id: ParticipantID, _ bytes: [UInt8]) -> [Action] {
        guard let sender = members[id] else { return [] }
        do throws(ParticipantProtocolError) {
            try ParticipantProtocol.checkFrame(bytes)
        } catch {
            return expel(id, error)
        }
        if settings.checksFrameKeyID {
            // The KID is the sender index above 8 epoch bits (Frames' SFrameKeyID).
            guard let header = try? SFrameHeader.decode(bytes).header,
                SFrameKeyID(rawValue: header.keyID).senderIndex == UInt64(sender.participant.senderIndex.rawValue)
            else {
                return expel(
                    id,
                    .invalidValue(
                        type: "frame", field: "KID", reason: "does not carry your sender index \(sender.participant.senderIndex.rawValue)"))
            }
        }
        if sender.participant.muted {
            statistics.framesFromMuted += 1
            return []
        }
        // The per-frame path allocates nothing in steady state: the receiver list is shared, and the
        // action list reuses the last frame's storage (MeetingHub.frameActions).
        frameActions.removeAll(keepingCapacity: true)
        let receivers = receivers(ofFramesFrom: id)
        if !receivers.isEmpty { frameActions.append(.forward(bytes, from: id, to: receivers)) }
        // Phone legs hear app senders through the mix (the gateway holds the key in standard
        // meetings, and in a downgraded e2ee meeting's standard epochs only); a phone leg's own audio
        // reaches other phone legs in the mixer, as PCM.
        if sender.isApp && phoneMixMayOpen(bytes) { frameActions.append(.toPhoneMix(bytes, from: id)) }
        if !frameActions.isEmpty { statistics.framesForwarded += 1 }
        return frameActions
    }
}
