import Foundation

/// One call as the control API shows it: live (`calls`, `call ID`, events) or from the records
/// (`history`). Fields only ever get added, as optionals, so older clients keep reading newer replies.
public struct CallSnapshot: Codable, Sendable, Hashable {
    /// The gateway's own short call id, e.g. `c7f3a2` (what `dialgatectl call ID` takes).
    public var id: String
    /// The SIP Call-ID header value (RFC 3261 §8.1.1.4).
    public var sipCallID: String
    /// The caller's number or user part (From).
    public var caller: String
    /// The caller as lists show it (`calls`, `--watch`): masked (`••• 1234`) unless the meeting's
    /// policy says `caller-id-display full`. `caller` keeps the number for `call ID` and records.
    public var callerShown: String?
    /// The caller's display name, when the From header has one.
    public var callerName: String?
    /// The number dialled (Request-URI user part).
    public var called: String
    /// The trunk the call came in on (e.g. `loopback`).
    public var trunk: String
    /// The dialplan route that took the call (e.g. `1000`); empty until one matched.
    public var route: String
    /// The meeting the caller is in or was in.
    public var meeting: String?
    /// The meeting's mode for this caller: `standard`, `e2ee` (held in its lobby) or `downgraded`
    /// (an `e2ee` meeting downgraded for phone callers with the host's consent).
    public var meetingMode: String?
    public var state: CallState
    /// `udp`, `tcp` or `tls`.
    public var transport: String
    /// The signalling peer's address, e.g. `127.0.0.1:5070`.
    public var remote: String
    /// The negotiated audio codec (e.g. `PCMU`, `opus`).
    public var codec: String?
    /// Whether media is SRTP.
    public var srtp: Bool
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Seconds from answer (or start, if never answered) to end; for live calls up to now.
    public var durationSeconds: Double?
    /// How the call ended; nil while live.
    public var outcome: CallOutcome?
    /// Why it ended, for a person: "BYE from caller", "hangup by operator", "404 Not Found".
    public var endReason: String?
    public var hungUpBy: CallParty?
    /// Media quality, once the leg has reported (every RTCP interval).
    public var quality: CallQualityFigures?
    /// What policy decided when the caller asked to join a meeting (`admit`, `refused-e2ee`, `lobby`,
    /// ...), and why; absent for calls that never asked.
    public var policyDecision: String?
    public var policyReason: String?
    /// What happened in the call, in order (`dialgatectl call ID`); absent from lists (`calls`,
    /// `history`) to keep them small.
    public var timeline: [CallTimelineEntry]?
    /// Entries left out of a long call's timeline, between its start and its latest ones.
    public var timelineOmitted: Int?

    public init(
        id: String, sipCallID: String, caller: String, callerName: String? = nil, called: String,
        trunk: String, route: String, meeting: String? = nil, state: CallState, transport: String,
        remote: String, codec: String? = nil, srtp: Bool = false, startedAt: Date,
        answeredAt: Date? = nil, endedAt: Date? = nil, durationSeconds: Double? = nil,
        outcome: CallOutcome? = nil, endReason: String? = nil, hungUpBy: CallParty? = nil
    ) {
        self.id = id
        self.sipCallID = sipCallID
        self.caller = caller
        self.callerName = callerName
        self.called = called
        self.trunk = trunk
        self.route = route
        self.meeting = meeting
        self.state = state
        self.transport = transport
        self.remote = remote
        self.codec = codec
        self.srtp = srtp
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.endReason = endReason
        self.hungUpBy = hungUpBy
    }
}

/// A call's media figures (RFC 3550 §6.4), as the control API and the records show them.
public struct CallQualityFigures: Codable, Sendable, Hashable {
    public var packetsReceived: Int
    public var packetsSent: Int
    public var lossPercent: Double
    public var jitterMilliseconds: Double
    public var roundTripMilliseconds: Double?
    /// ITU-T G.107 E-model estimate, 1 to 4.5.
    public var mos: Double

    public init(
        packetsReceived: Int, packetsSent: Int, lossPercent: Double, jitterMilliseconds: Double, roundTripMilliseconds: Double?, mos: Double
    ) {
        self.packetsReceived = packetsReceived
        self.packetsSent = packetsSent
        self.lossPercent = lossPercent
        self.jitterMilliseconds = jitterMilliseconds
        self.roundTripMilliseconds = roundTripMilliseconds
        self.mos = mos
    }
}

/// One line of a call's timeline.
public struct CallTimelineEntry: Codable, Sendable, Hashable {
    public var at: Date
    /// `received` and `sent` (SIP messages), `dialplan`, `digit`, `policy`, `meeting`, `call`.
    public var kind: String
    public var text: String
    /// Where a dialplan step is written, `file:line:column`.
    public var location: String?

    public init(at: Date, kind: String, text: String, location: String? = nil) {
        self.at = at
        self.kind = kind
        self.text = text
        self.location = location
    }
}
