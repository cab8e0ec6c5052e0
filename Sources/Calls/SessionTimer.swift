import SIP

/// A dialog's session timer (RFC 4028), as the gateway (the UAS) negotiated it: how long the session
/// lives without a refresh, and who refreshes it. Long meetings must never be cut by a carrier's
/// timer, and a dead dialog (a peer gone without BYE) must not hold a meeting seat forever.
///
/// Pure: negotiation reads the request's headers; the deadline follows the last refresh.
struct SessionTimer: Sendable, Equatable {
    enum Refresher: String, Sendable {
        case uac, uas
    }

    /// Session-Expires (RFC 4028 §4).
    var interval: Duration
    var refresher: Refresher
    /// The last 2xx to a session refresh (the INVITE's answer counts as the first, §10).
    var refreshedAt: SIPInstant
    /// Whether the peer supports `timer` (it then gets `Require: timer` in our 2xx).
    var peerSupportsTimer: Bool
    /// Whether our own refresh is in flight (so the timer does not fire it twice).
    var refreshing = false

    /// What the gateway does next: refresh (as refresher, at half the interval, §7.2) or give up and
    /// end the call (the other side did not refresh: `interval − min(32 s, interval/3)`, §10).
    enum Due: Sendable, Equatable {
        case refresh
        case expire
    }

    var due: Due { refresher == .uas ? .refresh : .expire }

    var deadline: SIPInstant? {
        if refresher == .uas {
            // A refresh that gets no answer does not keep the session alive: give up at expiry.
            return refreshing ? refreshedAt + (interval - Self.expiryMargin(interval)) : refreshedAt + interval / 2
        }
        return refreshedAt + (interval - Self.expiryMargin(interval))
    }

    static func expiryMargin(_ interval: Duration) -> Duration { min(.seconds(32), interval / 3) }

    /// The `Session-Expires` value of our 2xx.
    var headerValue: String { "\(interval.components.seconds);refresher=\(refresher.rawValue)" }

    /// What RFC 4028 §9 says the UAS does with a request (INVITE or a refresh).
    enum Negotiation: Sendable, Equatable {
        /// No session timer on this dialog (the peer neither asked nor supports it).
        case none
        /// The interval is below what we accept: 422 with our Min-SE.
        case tooSmall(minimum: Duration)
        case timer(SessionTimer)
    }

    /// Negotiates from the request's `Session-Expires`, `Min-SE` and `Supported`. `minimum` is our
    /// Min-SE (at least 90 s, §4); `preferred` the interval we offer when the peer supports timers
    /// but asked for none.
    static func negotiate(_ headers: SIPHeaders, minimum: Duration, preferred: Duration, now: SIPInstant) -> Negotiation {
        let supported = ((try? headers.optionTags("Supported")) ?? []) + ((try? headers.optionTags("Require")) ?? [])
        let peerSupportsTimer = supported.contains("timer")
        // The larger of the peer's Min-SE and ours bounds the interval from below (§9).
        let peerMinimum = headers.minimumSessionExpires().map { Duration.seconds(Int64($0)) }
        let floor = max(minimum, peerMinimum ?? .zero)
        if let requested = headers.sessionExpires() {
            let interval = Duration.seconds(Int64(requested.seconds))
            guard interval >= minimum else { return .tooSmall(minimum: minimum) }
            // A peer that does not support timers cannot refresh: a proxy asked for the timer, we do it.
            let refresher: Refresher = peerSupportsTimer ? (requested.refresher.flatMap(Refresher.init) ?? .uac) : .uas
            return .timer(SessionTimer(interval: interval, refresher: refresher, refreshedAt: now, peerSupportsTimer: peerSupportsTimer))
        }
        guard peerSupportsTimer else { return .none }
        // §9: the UAS may add a Session-Expires the UAC did not ask for; the UAC then refreshes.
        return .timer(SessionTimer(interval: max(preferred, floor), refresher: .uac, refreshedAt: now, peerSupportsTimer: true))
    }
}
