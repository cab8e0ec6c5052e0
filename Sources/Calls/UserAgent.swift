import Dialplan
import SDP
import SIP

/// What the user agent asks its adapter to do.
public enum UserAgentAction: Sendable {
    /// Put this message on the wire to that peer.
    case send(SIPMessage, to: SIPPeer)
    /// A call started, changed or ended: for records, control-API watchers and logs.
    case callEvent(CallEvent)
    /// A request refused for what it was (malformed, unsupported, unknown number): one line
    /// each in the security log, with the remote address.
    case notice(SecurityNotice)
    /// Start, change or stop a call's media.
    case media(MediaInstruction)
    /// A DTMF digit, once per press whatever mix of methods the phone uses. `secret`: it may be part
    /// of a passcode, so logs show `•` instead.
    case digit(GatewayCallID, Character, DigitSource, secret: Bool)
    /// Ask the meeting directory; answer with `meetingLookedUp`.
    case lookupMeeting(GatewayCallID, String)
    /// A step of a call's dialplan run, for the debug log.
    case dialplanStep(GatewayCallID, JournalEntry)
    /// A caller in a meeting pressed an in-call control; the meeting side carries it out and
    /// answers with `announceInMeeting` (what to tell the caller).
    case meetingControl(GatewayCallID, MeetingControl)
    /// The transaction table was full and a request got 503 without state (`maxTransactions`).
    case overloaded(SIPPeer, method: String)
    /// A trunk's registration with its provider changed state or got a new result, for the log.
    case registrationChanged(RegistrationFacts)
    /// Policy decided a phone caller's join (issue 7): for the audit trail, and, when refused, for
    /// the meeting's participants (nobody is refused silently).
    case policyDecided(GatewayCallID, PolicyVerdict)
}

/// One policy decision about one call, as the adapter audits and announces it.
public struct PolicyVerdict: Sendable, Equatable {
    public var meetingID: String
    /// The caller as participants see them.
    public var displayName: String
    /// `admit`, `refused-e2ee`, ... (`PolicyDecision.Outcome.label`).
    public var decision: String
    public var reasons: [String]
    /// The settings that counted, with where they are written.
    public var lines: [String]
    /// Whether the call is refused (it hears why, then BYE).
    public var refused: Bool
    /// Admitted: whether it must wait until the meeting's host is in (`phones-before-host no`).
    public var waitsForHost = false
    /// What the Reason header says, when refused.
    public var refusal: String?
    /// The decision itself: a `lobby` or `downgrade` is carried out on the meeting side, with its
    /// timeout, re-upgrade and upgrade-with-phones settings.
    public var policy: PolicyDecision? = nil
}

/// In-call controls of a phone caller in a meeting.
public enum MeetingControl: String, Sendable, Equatable {
    /// `*6`: mute or unmute yourself.
    case toggleMute = "*6"
    /// `*#`: hear how many are in the meeting.
    case announceParticipants = "*#"
}

/// A refused request, for the security log.
public struct SecurityNotice: Sendable, Equatable, CustomStringConvertible {
    public var peer: SIPPeer
    public var method: String?
    public var status: Int?
    public var reason: String

    public var description: String {
        "from=\(peer) method=\(method ?? "-") status=\(status.map(String.init) ?? "dropped") reason=\"\(reason)\""
    }
}

/// The gateway's SIP user agent: the transaction user (RFC 3261 §8.2, §12–15) over the
/// transaction layer, owning every call's dialog.
///
/// Pure: messages, timer ticks and operator commands come in with the current instant; what to
/// send and what happened comes out as `UserAgentAction`s. One event loop owns it.
public struct UserAgent {
    public private(set) var settings: UserAgentSettings
    /// The plan new calls start on; calls in progress keep the one they started with.
    public private(set) var dialplan: ActiveDialplan
    /// Wrong meeting IDs and passcodes, counted across calls (guessing protection).
    public internal(set) var entryGuard: EntryGuard
    /// While draining (SIGTERM), new calls get 503 and live ones may finish.
    public private(set) var isDraining = false
    public internal(set) var totalCalls = 0

    var transactions: SIPTransactionLayer<SIPPeer>
    var calls = CallTable()
    var dialogs: [DialogKey: GatewayCallID] = [:]
    /// Calls by SIP Call-ID, to put each message they send or receive on their timeline.
    var callsBySIPCallID: [String: GatewayCallID] = [:]
    /// INVITE server transactions of calls, so CANCEL and the transaction's end find their call.
    var invites: [SIPTransactionKey: GatewayCallID] = [:]
    /// BYE client transactions we sent, to tell their call when they finish.
    var byes: [SIPTransactionKey: GatewayCallID] = [:]
    /// Session refreshes we sent (UPDATE or re-INVITE, RFC 4028 §7.4), by client transaction.
    var refreshes: [SIPTransactionKey: GatewayCallID] = [:]
    /// RFC 3261 §8.2.2.2 merged-request detection for requests without a To tag.
    var openRequests: [MergeKey: SIPTransactionKey] = [:]
    var openRequestKeys: [SIPTransactionKey: MergeKey] = [:]
    var ports: RTPPortPool
    var random: any RandomNumberGenerator
    /// The next call ID's serial (see `newCallID(now:)`); set when the first call arrives.
    var nextCallSerial: UInt64?
    /// Issues and checks digest nonces (stateless HMAC); its secret is made at start.
    let digestNonces: DigestNonceIssuer
    /// Trunks' registrations with their providers (`register`), by a serial: a trunk whose
    /// registration changes keeps the old one until its binding is removed.
    var registrations: [Int: OutboundRegistration] = [:]
    var nextRegistrationID = 1
    /// TLS connections whose client certificate the handshake verified (mutual TLS), by the
    /// adapter's connection identifier, with the certificate's description.
    var verifiedConnections: [UInt64: String] = [:]
    /// Our REGISTER client transactions, to their registration.
    var registerTransactions: [SIPTransactionKey: Int] = [:]

    public init(
        settings: UserAgentSettings, dialplan: ActiveDialplan, entryGuard: EntryGuard = EntryGuard(), random: some RandomNumberGenerator
    ) {
        self.settings = settings
        self.dialplan = dialplan
        self.entryGuard = entryGuard
        var random = random
        self.digestNonces = DigestNonceIssuer(random: &random)
        self.random = random
        self.transactions = SIPTransactionLayer(settings: settings.timers, maximumTransactions: settings.maxTransactions)
        self.ports = RTPPortPool(range: settings.rtpPorts)
    }

    // MARK: - Queries

    /// Every call that has not ended, oldest first.
    public var activeCalls: [CallFacts] {
        calls.values.map(\.facts).sorted { $0.startedAt < $1.startedAt }
    }

    public func call(_ id: GatewayCallID) -> CallFacts? { calls[id]?.facts }

    /// The next instant at which `fireTimers(now:)` has work to do.
    public var nextDeadline: SIPInstant? {
        [transactions.nextDeadline, calls.nextDeadline, nextRegistrationDeadline].compactMap { $0 }.min()
    }

    // MARK: - Events

    /// A message parsed from the wire.
    public mutating func receive(_ message: SIPMessage, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        switch message {
        case .request(let request): return receive(request: request, from: peer, now: now)
        case .response(let response): return receive(response: response, now: now)
        }
    }

    /// Bytes that did not parse as a SIP message. Requests get a stateless error response when
    /// enough of them was readable to address one (RFC 3261 §8.2, RFC 4475); responses are dropped.
    public mutating func receiveMalformed(_ error: SIPParseError, from peer: SIPPeer, now: SIPInstant) -> [UserAgentAction] {
        let notice = SecurityNotice(peer: peer, method: nil, status: nil, reason: error.reason)
        guard error.isRequest == true, let headers = error.headers,
            let response = statelessResponse(copying: headers, status: error.statusCode, reason: error.reason)
        else { return [.notice(notice)] }
        var answered = notice
        answered.status = error.statusCode
        return [.send(.response(response), to: peer), .notice(answered)]
    }

    /// Fires every timer that is due: transaction timers (RFC 3261 §17) and call timers.
    public mutating func fireTimers(now: SIPInstant) -> [UserAgentAction] {
        var actions = apply(transactions.fireTimers(now: now), now: now)
        // Only the calls whose deadline has come; each of its timers in a fixed order.
        for id in calls.due(at: now) {
            if let call = calls[id], (call.session.deadline ?? .distantFuture) <= now { actions += handle(.timer, for: id, now: now) }
            if let call = calls[id], (call.run.deadline ?? .distantFuture) <= now { actions += feedDialplan(.timer, for: id, now: now) }
            if let call = calls[id], (call.reliability.deadline ?? .distantFuture) <= now {
                actions += reliabilityTimerFired(id, now: now)
            }
            if let call = calls[id], (call.sessionTimerDeadline ?? .distantFuture) <= now { actions += sessionTimerFired(id, now: now) }
            if let call = calls[id], (call.endsAt ?? .distantFuture) <= now {
                actions += hangup(id, by: .gateway, reason: "maximum call duration of the trunk", now: now) ?? []
            }
            calls.refile(id)
        }
        return actions + fireRegistrationTimers(now: now)
    }

    /// An operator (or the daemon) ends a call: BYE once answered, a final response before.
    /// Returns nil when there is no such call.
    public mutating func hangup(
        _ id: GatewayCallID, by party: HangupParty = .operator, reason: String = "hangup by operator", now: SIPInstant
    ) -> [UserAgentAction]? {
        guard calls[id] != nil else { return nil }
        return handle(.hangup(by: party, reason: reason), for: id, now: now)
    }

    /// The SIP port actually bound (port 0 picks one), for Contact and Via.
    public mutating func listening(on port: Int) { settings.sipPort = port }

    /// The SIP-over-TLS port actually bound, for the Contact of calls that came over TLS.
    public mutating func listening(onTLS port: Int) { settings.sipTLSPort = port }

    /// A reloaded plan: new calls start on it; calls in progress finish on theirs.
    public mutating func replaceDialplan(_ plan: ActiveDialplan) { dialplan = plan }

    /// SIGTERM: new calls get 503 with Retry-After from now on.
    public mutating func startDraining() { isDraining = true }

    /// Ends every live call (the drain's grace period ran out).
    public mutating func hangupAll(reason: String, now: SIPInstant) -> [UserAgentAction] {
        var actions: [UserAgentAction] = []
        for id in Array(calls.keys) {
            actions += hangup(id, by: .gateway, reason: reason, now: now) ?? []
        }
        return actions
    }
}

extension SIPInstant {
    static let distantFuture = SIPInstant(nanoseconds: .max)
}
