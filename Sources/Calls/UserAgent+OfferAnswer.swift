import Dialplan
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
    mutating func offerAnswer(offer body: [UInt8], rtpPort: Int, previous: NegotiatedSession?, from peer: SIPPeer, trunk: Trunk? = nil)
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
        var negotiator = previous?.negotiator ?? SDPNegotiator(policy: newAnswerPolicy(rtpPort: rtpPort, peer: peer, trunk: trunk))
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

    private mutating func newAnswerPolicy(rtpPort: Int, peer: SIPPeer, trunk: Trunk?) -> SDPAnswerPolicy {
        // RFC 8866 §5.2: sess-id and the first sess-version should be NTP-like numbers; random
        // 62-bit values keep them unique without reading a clock.
        let sessionID = random.next() >> 2
        // The trunk's codecs, in its order of preference.
        let codecs: [SDPCodec] =
            trunk?.codecs.map { codec in
                switch codec {
                case .pcmu: .pcmu
                case .pcma: .pcma
                case .opus: .opus
                }
            } ?? [.pcmu, .pcma, .opus]
        return SDPAnswerPolicy(
            codecs: codecs, connectionAddress: settings.advertisedHost, rtpPort: UInt16(clamping: rtpPort), sessionID: sessionID,
            sessionVersion: sessionID, username: "dialgate", sessionName: "dialgate", srtp: srtpAnswerMode(for: peer, trunk: trunk))
    }

    /// The SRTP side of the answer policy: fresh keys for every suite we serve (from the injected
    /// generator, a CSPRNG in the daemon), offered only where they may travel (RFC 4568 §8).
    private mutating func srtpAnswerMode(for peer: SIPPeer, trunk: Trunk?) -> SRTPAnswerMode {
        var keys: [SDESLocalKey] = []
        // RFC 4568 §8: keys travel over TLS, or where the trunk explicitly allows otherwise.
        if peer.transport == .tls || (trunk?.sdesOverInsecureTransports ?? peer.mayCarrySDESKeys) {
            for suite in UserAgent.servedSuites {
                let key = SRTPMasterKey.generate(for: suite, using: &random)
                keys.append(SDESLocalKey(suite: suite.sdpName, keyParams: [SDPCryptoKeyParam(masterKeyAndSalt: key.masterKeyAndSalt)]))
            }
        }
        switch effectiveSRTPPolicy(trunk: trunk) {
        case .forbidden: return .unavailable
        case .optional: return keys.isEmpty ? .unavailable : .optional(keys)
        case .mandatory: return .required(keys)
        }
    }

    /// The trunk's SRTP policy, unless the daemon's `--srtp` overrides every trunk (anything but
    /// its default `optional`).
    func effectiveSRTPPolicy(trunk: Trunk?) -> SRTPPolicy {
        guard settings.srtp == .optional, let trunk else { return settings.srtp }
        switch trunk.srtp {
        case .forbidden: return .forbidden
        case .optional: return .optional
        case .mandatory: return .mandatory
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
            localPort: call.rtpPort, media: media, program: call.program, srtp: srtp, noMediaTimeout: settings.noMediaTimeout)
    }
}
