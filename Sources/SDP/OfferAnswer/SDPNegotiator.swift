/// Answers SDP offers for one dialog (RFC 3264 §6), initial and re-offers alike (§8).
///
/// Pure: the offer and the policy go in, an answer (or a 488 rejection) comes out. The struct
/// remembers the previous answer so that a re-offer gets the same `o=` session id, a session
/// version raised by one only when the answer changed, and, when still offered, the same stream
/// and codec as before (switching codec mid-call would disturb the media path for no gain).
public struct SDPNegotiator: Sendable {
    public private(set) var policy: SDPAnswerPolicy
    private var state: State

    private enum State: Sendable {
        /// No answer sent yet.
        case initial
        /// The last answer accepted by this negotiator; a rejected re-offer leaves it in force.
        case answered(SessionDescription, NegotiatedMedia)
    }

    public init(policy: SDPAnswerPolicy) {
        self.policy = policy
        self.state = .initial
    }

    /// The last answer given, if any.
    public var currentAnswer: SessionDescription? {
        if case .answered(let answer, _) = state { answer } else { nil }
    }

    /// The media settled by the last answer, if any.
    public var currentMedia: NegotiatedMedia? {
        if case .answered(_, let media) = state { media } else { nil }
    }

    /// Changes the RTP port for later answers (e.g. after moving the stream to another socket).
    public mutating func setRTPPort(_ port: UInt16) {
        policy.rtpPort = port
    }

    /// Answers an offer (RFC 3264 §6). Records the answer as the one in force, so the next call
    /// is treated as a re-offer (§8).
    public mutating func answer(_ offer: SessionDescription) -> SDPAnswerResult {
        var previousMedia: NegotiatedMedia? = nil
        var previousAnswer: SessionDescription? = nil
        if case .answered(let answer, let media) = state {
            previousAnswer = answer
            previousMedia = media
        }

        var reasons: [String] = []
        var accepted: (index: Int, plan: SDPStreamPlan)? = nil
        // RFC 3264 §8: the i-th stream of a re-offer is the i-th stream of the session, so the
        // stream served before is tried first.
        var order = Array(offer.media.indices)
        if let previous = previousMedia?.mediaIndex, let position = order.firstIndex(of: previous) {
            order.remove(at: position)
            order.insert(previous, at: 0)
        }
        for index in order {
            switch SDPStreamPlanner.plan(
                offer.media[index], in: offer, policy: policy, previousCodec: previousMedia?.codec)
            {
            case .success(let plan):
                accepted = (index, plan)
            case .failure(let reason):
                reasons.append("m-line \(index + 1) (\(offer.media[index].media)): \(reason.text)")
            }
            if accepted != nil { break }
        }
        guard let accepted else {
            let detail = reasons.isEmpty ? "the offer has no m= line" : reasons.joined(separator: "; ")
            return .reject(reason: "no acceptable audio stream: \(detail)")
        }

        var answer = SessionDescription(
            origin: SDPOrigin(
                username: policy.username,
                sessionID: policy.sessionID,
                sessionVersion: previousAnswer?.origin.sessionVersion ?? policy.sessionVersion,
                addrType: SDPAddressType(forAddress: policy.connectionAddress),
                address: policy.connectionAddress),
            sessionName: policy.sessionName,
            connection: SDPConnection(unicast: policy.connectionAddress),
            timings: [SDPTiming(start: 0, stop: 0)])
        for (index, offered) in offer.media.enumerated() {
            if index == accepted.index {
                answer.media.append(accepted.plan.answerMedia)
            } else {
                // RFC 3264 §6: a declined stream stays in place with port 0; the format list
                // must not be empty, so the offered formats are repeated.
                answer.media.append(
                    MediaDescription(media: offered.media, port: 0, proto: offered.proto, formats: offered.formats))
            }
        }
        // RFC 3264 §8: same version if nothing changed, else one more than before.
        if let previousAnswer, previousAnswer != answer {
            answer.origin.sessionVersion = previousAnswer.origin.sessionVersion &+ 1
        }
        var media = accepted.plan.media
        media.mediaIndex = accepted.index
        state = .answered(answer, media)
        return .answer(answer, media)
    }
}
