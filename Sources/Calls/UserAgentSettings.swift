import Foundation
import SIP

/// How the gateway's user agent behaves. Adapters fill it from flags and the config file.
public struct UserAgentSettings: Sendable {
    /// The `Server`/`User-Agent` product token.
    public var product: String = "dialgate"
    /// The address put in Contact and SDP `c=` lines (`--advertise`; the bound address by default).
    public var advertisedHost: String
    /// The SIP port (for Contact).
    public var sipPort: Int
    /// The SIP-over-TLS port, when `--sip-tls` listens (for the Contact of TLS calls).
    public var sipTLSPort: Int?
    public var timers = SIPTimerSettings()
    /// Calls beyond this get 503 with Retry-After.
    public var maxCalls: Int = 2000
    /// Live SIP transactions at most (`SIPTransactionLimits`); past it new requests get 503.
    public var maxTransactions = SIPTransactionLimits.defaultMaximumTransactions
    /// Retry-After for 503 (RFC 3261 §21.5.4, §20.33).
    public var retryAfterSeconds: Int = 30
    /// The RTP port range (`--rtp-ports`); even ports are handed out (RFC 3550 §11).
    public var rtpPorts: ClosedRange<Int> = 20000...29999

    /// Whether calls use SRTP (RFC 3711) with SDES keys (RFC 4568): a daemon default until trunks
    /// carry their own (`--srtp`).
    public var srtp: SRTPPolicy = .optional
    /// RFC 4028: our Min-SE (a shorter Session-Expires gets 422; at least 90 s, §4), and the
    /// Session-Expires offered to a peer that supports timers but asked for none.
    public var minimumSessionExpires: Duration = .seconds(90)
    public var sessionExpires: Duration = .seconds(1800)
    /// A call that expects media and gets none for this long is ended with a Reason.
    public var noMediaTimeout: Duration = .seconds(30)
    /// The Unix time at `SIPInstant.zero` of the adapter's monotonic clock, so `match time` can
    /// read the time of day without the core reading a clock.
    public var unixTimeAtZero: Duration = .zero
    /// The gateway's time zone, for `match time` lines without a zone.
    public var timeZone: TimeZone = .current

    public init(advertisedHost: String, sipPort: Int) {
        self.advertisedHost = advertisedHost
        self.sipPort = sipPort
    }

    /// The wall-clock time of a core instant.
    public func wallClock(_ instant: SIPInstant) -> Date {
        let since = unixTimeAtZero + .nanoseconds(instant.nanoseconds)
        return Date(timeIntervalSince1970: Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18)
    }

    /// Methods this UAS implements, for Allow headers (RFC 3261 §20.5).
    public static let allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options, .info, .update, .prack]
    /// Option tags this UAS supports (RFC 3261 §8.2.2.3): session timers (RFC 4028) and reliable
    /// provisional responses (RFC 3262).
    public static let supportedExtensions: Set<String> = ["timer", "100rel"]
}

/// SRTP for phone legs (media policy `forbidden | optional | mandatory`).
public enum SRTPPolicy: String, Sendable, CaseIterable {
    /// Plain RTP only: `RTP/SAVP` offers are refused with 488.
    case forbidden
    /// SRTP when the phone offers it and its keys may travel; plain RTP otherwise.
    case optional
    /// SRTP only: plain RTP offers, and SRTP offers whose keys could not travel safely, get 488.
    case mandatory
}

extension SIPPeer {
    /// 127.0.0.0/8 or ::1: the bundled loopback trunk.
    public var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" }

    /// RFC 4568 §8: SDES keys travel in SDP, so only over TLS, unless the trunk explicitly allows
    /// otherwise; the bundled loopback trunk does (DESIGN.md §3: for local tests only).
    public var mayCarrySDESKeys: Bool { transport == .tls || isLoopback }
}
