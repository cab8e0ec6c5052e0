/// What the dialplan decided for a new call, with the route that decided it (shown in call
/// records and `dialgatectl`). The call core carries it out and never re-derives it.
public enum RouteDecision: Equatable, Sendable {
    /// Answer and run a gateway application.
    case answer(CallApplication, route: String, ringFor: Duration = .zero)
    /// The dialled URI named a meeting directly (`sip:ID*PASSCODE@host`).
    case joinMeeting(meetingID: String, passcode: String, route: String, ringFor: Duration = .zero)
    /// Refuse the call with a SIP final response.
    case reject(status: Int, reason: String, route: String?)

    public var route: String? {
        switch self {
        case .answer(_, let route, _), .joinMeeting(_, _, let route, _): route
        case .reject(_, _, let route): route
        }
    }
}

/// The gateway's built-in call applications (DESIGN.md §3, the default dialplan).
public enum CallApplication: String, Equatable, Sendable {
    /// `1000`: welcome prompt, meeting ID and passcode by DTMF, join.
    case meetingEntry = "meeting-entry"
    /// `1001`: what the caller sends comes back.
    case echo
    /// `1002`: prompts and tones for testing a phone's audio.
    case toneTest = "tone-test"
}

/// The facts about an incoming call that routing may look at.
public struct CallRequestFacts: Equatable, Sendable {
    /// The called number: the Request-URI's user part (already %-decoded).
    public var called: String
    public var caller: String
    public var callerDisplayName: String?
    /// The trunk the call came in on.
    public var trunk: String

    public init(called: String, caller: String, callerDisplayName: String? = nil, trunk: String) {
        self.called = called
        self.caller = caller
        self.callerDisplayName = callerDisplayName
        self.trunk = trunk
    }
}
