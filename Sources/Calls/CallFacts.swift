import SIP

/// The gateway's own short call id (`c3f9a0`), shown by `dialgatectl` beside the SIP Call-ID.
public struct GatewayCallID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Where a call is in its life, as operators see it.
public enum CallPhase: String, Sendable, Equatable {
    case ringing
    case answered
    case inMeeting = "in-meeting"
    /// Waiting to enter a meeting: for its host, or for the host's answer (issue 7's lobby).
    case lobby
    /// The caller has put the gateway on hold (RFC 3264 §8.4 `sendonly`/`inactive`).
    case onHold = "on-hold"
    case ending
    case ended
}

/// How a call ended.
public enum CallOutcome: String, Sendable, Equatable {
    /// Answered and hung up normally by either side.
    case completed
    /// The caller cancelled before the answer (CANCEL → 487).
    case cancelled
    /// Refused with a final error response (404, 488, 503, ...).
    case rejected
    /// Ended by a protocol failure (no ACK, BYE timeout, transport error).
    case failed
    /// Policy refused a phone leg from an end-to-end encrypted meeting (prompt, then BYE, cause 21).
    case refusedE2EE = "refused-e2ee"
    /// Policy requires SRTP and the call had none (prompt, then BYE, cause 21).
    case refusedNoSRTP = "refused-no-srtp"
}

/// Who ended the call.
public enum HangupParty: String, Sendable, Equatable {
    case caller
    case gateway
    case `operator`
}

/// Everything the gateway knows about one call, at one moment: what records, logs and
/// `dialgatectl` show. Instants are the core's; the adapter turns them into wall-clock dates.
public struct CallFacts: Sendable, Equatable {
    public var id: GatewayCallID
    public var sipCallID: String
    public var caller: String
    /// The caller as operators' lists show it: masked (`••• 1234`) unless the meeting's policy says
    /// `caller-id-display full` (or `hidden`: not at all).
    public var callerShown: String?
    public var callerDisplayName: String?
    public var called: String
    public var trunk: String
    public var route: String?
    public var meetingID: String?
    /// The meeting's mode when the caller joined it: `standard`, `e2ee` (still: held in its lobby),
    /// or `downgraded` (an `e2ee` meeting its host downgraded so the caller could join).
    public var meetingMode: String?
    public var phase: CallPhase
    public var peer: SIPPeer
    public var codec: String?
    /// The media is SRTP-protected (SDES keys negotiated).
    public var srtp: Bool = false
    public var onHold: Bool
    public var startedAt: SIPInstant
    public var answeredAt: SIPInstant?
    public var endedAt: SIPInstant?
    public var outcome: CallOutcome?
    /// What policy decided when the caller asked to join a meeting (`refused-e2ee`, `admit`, ...), and why.
    public var policyDecision: String?
    public var policyReason: String?
    /// Why it ended, in words an operator understands ("BYE from caller", "404 Not Found").
    public var endReason: String?
    public var hungUpBy: HangupParty?
    /// The media figures the leg reported last (every RTCP interval, RFC 3550 §6.2).
    public var quality: CallQuality?
    /// What happened, in order: SIP messages, dialplan steps, digits, policy, meeting.
    public var timeline = CallTimeline()
}

/// Media quality of a leg, from its RTP reception statistics and RTCP (RFC 3550 §6.4).
public struct CallQuality: Sendable, Equatable {
    public var packetsReceived: Int
    public var packetsSent: Int
    /// Lost packets of the phone's stream, in percent of those expected.
    public var lossPercent: Double
    /// Interarrival jitter of the phone's stream (RFC 3550 A.8).
    public var jitter: Duration
    /// From the phone's RTCP report on our stream (RFC 3550 §6.4.1), once it has sent one.
    public var roundTrip: Duration?
    /// SRTP packets that failed authentication or the replay check.
    public var srtpFailures: Int

    public init(
        packetsReceived: Int, packetsSent: Int, lossPercent: Double, jitter: Duration, roundTrip: Duration?, srtpFailures: Int = 0
    ) {
        self.srtpFailures = srtpFailures
        self.packetsReceived = packetsReceived
        self.packetsSent = packetsSent
        self.lossPercent = lossPercent
        self.jitter = jitter
        self.roundTrip = roundTrip
    }

    /// An estimated MOS (1–4.5) by the ITU-T G.107 E-model, simplified as usual for VoIP
    /// monitoring: R = 93.2 − Id − Ie,eff, with the one-way delay taken as RTT/2 + 2·jitter + 10 ms
    /// of codec and packetisation, and G.711 with packet-loss concealment (Ie = 0, Bpl = 25.1,
    /// ITU-T G.113 Appendix I). A figure for comparing calls, not a listening test.
    public var jitterMilliseconds: Double { Self.milliseconds(jitter) }
    public var roundTripMilliseconds: Double? { roundTrip.map(Self.milliseconds) }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    public var estimatedMOS: Double {
        let delay = (roundTripMilliseconds ?? 0) / 2 + 2 * jitterMilliseconds + 10
        let delayImpairment = 0.024 * delay + (delay > 177.3 ? 0.11 * (delay - 177.3) : 0)
        let loss = max(0, min(100, lossPercent))
        let lossImpairment = 95 * loss / (loss + 25.1)
        let r = max(0, min(100, 93.2 - delayImpairment - lossImpairment))
        return 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r)
    }
}

/// A change in a call's life, for records, control-API watchers and logs.
public struct CallEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case started, updated, ended }
    public var kind: Kind
    public var call: CallFacts
}
