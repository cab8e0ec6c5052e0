import Media
import SDP
import SIP

/// The media side of a call's dialog: the negotiator (which remembers the answer in force, for
/// re-offers, RFC 3264 §8) and what records show.
struct NegotiatedSession: Sendable {
    var negotiator: SDPNegotiator
    /// Our SDP as sent in the last 2xx.
    var localDescription: [UInt8]
    /// e.g. "PCMU/8000".
    var codec: String?
    /// What the answer settled, for the media plan.
    var media: NegotiatedMedia
    /// The caller has put us on hold (sendonly/inactive, or c=0.0.0.0).
    var onHold: Bool
}

/// Why an offer could not be answered, and the SIP response that says so.
struct OfferAnswerFailure: Error {
    var status: Int
    var reason: String
    var detail: String
}

extension UserAgent {
    /// Answers an SDP offer (RFC 3264 §6), or a re-offer within a call (§8).
    ///
    /// An INVITE without a body asks us to offer (RFC 3261 §13.2.1): in a re-INVITE we offer the
    /// session as it stands. A first INVITE without an offer is refused with 488 and says why.
    mutating func offerAnswer(offer body: [UInt8], rtpPort: Int, previous: NegotiatedSession?, from peer: SIPPeer)
        -> Result<NegotiatedSession, OfferAnswerFailure>
    {
        guard !body.isEmpty else {
            if let previous { return .success(previous) }
            return .failure(
                OfferAnswerFailure(
                    status: 488, reason: "Not Acceptable Here", detail: "INVITE without an SDP offer (delayed offer) is not supported"))
        }
        let offer: SessionDescription
        do {
            offer = try SessionDescription(parsing: body)
        } catch {
            return .failure(OfferAnswerFailure(status: 400, reason: "Bad Request (malformed SDP)", detail: "\(error)"))
        }
        var negotiator = previous?.negotiator ?? SDPNegotiator(policy: newAnswerPolicy(rtpPort: rtpPort, peer: peer))
        switch negotiator.answer(offer) {
        case .reject(let reason):
            return .failure(OfferAnswerFailure(status: 488, reason: "Not Acceptable Here", detail: reason))
        case .answer(let answer, let media):
            var bytes: [UInt8] = []
            answer.serialize(into: &bytes)
            return .success(
                NegotiatedSession(
                    negotiator: negotiator, localDescription: bytes,
                    codec: "\(media.codec.encodingName)/\(media.codec.clockRate)", media: media, onHold: media.isOnHold))
        }
    }

    private mutating func newAnswerPolicy(rtpPort: Int, peer: SIPPeer) -> SDPAnswerPolicy {
        // RFC 8866 §5.2: sess-id and the first sess-version should be NTP-like numbers; random
        // 62-bit values keep them unique without reading a clock.
        let sessionID = random.next() >> 2
        return SDPAnswerPolicy(
            connectionAddress: settings.advertisedHost, rtpPort: UInt16(clamping: rtpPort), sessionID: sessionID,
            sessionVersion: sessionID, username: "dialgate", sessionName: "dialgate", srtp: srtpAnswerMode(for: peer))
    }

    /// The SRTP side of the answer policy: fresh keys for every suite we serve (from the injected
    /// generator, a CSPRNG in the daemon), offered only where they may travel (RFC 4568 §8).
    private mutating func srtpAnswerMode(for peer: SIPPeer) -> SRTPAnswerMode {
        var keys: [SDESLocalKey] = []
        if peer.mayCarrySDESKeys {
            for suite in UserAgent.servedSuites {
                let key = SRTPMasterKey.generate(for: suite, using: &random)
                keys.append(SDESLocalKey(suite: suite.sdpName, keyParams: [SDPCryptoKeyParam(masterKeyAndSalt: key.masterKeyAndSalt)]))
            }
        }
        switch settings.srtp {
        case .forbidden: return .unavailable
        case .optional: return keys.isEmpty ? .unavailable : .optional(keys)
        case .mandatory: return .required(keys)
        }
    }

    /// Suites we answer, strongest first (GCM only when this libsrtp2 has it).
    static let servedSuites: [SRTPCryptoSuite] =
        [SRTPCryptoSuite.aeadAES256GCM, .aeadAES128GCM, .aesCM128HMACSHA1Tag80, .aesCM128HMACSHA1Tag32].filter(\.isAvailable)

    /// The media plan for the adapter, from what the offer/answer settled.
    func mediaPlan(for call: Call) -> CallMediaPlan {
        let media = call.media.media
        let srtp = media.srtp.flatMap { negotiated -> SRTPKeyPair? in
            guard let local = negotiated.local.keyParams.first?.masterKeyAndSalt,
                let remote = negotiated.remote.keyParams.first?.masterKeyAndSalt
            else { return nil }
            return SRTPKeyPair(suite: negotiated.local.suite, local: local, remote: remote)
        }
        return CallMediaPlan(
            localPort: call.rtpPort, media: media, application: call.application, srtp: srtp, noMediaTimeout: settings.noMediaTimeout)
    }
}
