import SIP

/// How the gateway's user agent behaves. Adapters fill it from flags and the config file.
public struct UserAgentSettings: Sendable {
    /// The `Server`/`User-Agent` product token.
    public var product: String = "dialgate"
    /// The address put in Contact and SDP `c=` lines (`--advertise`; the bound address by default).
    public var advertisedHost: String
    /// The SIP port (for Contact).
    public var sipPort: Int
    public var timers = SIPTimerSettings()
    /// Calls beyond this get 503 with Retry-After.
    public var maxCalls: Int = 2000
    /// Retry-After for 503 (RFC 3261 §21.5.4, §20.33).
    public var retryAfterSeconds: Int = 30
    /// The RTP port range (`--rtp-ports`); even ports are handed out (RFC 3550 §11).
    public var rtpPorts: ClosedRange<Int> = 20000...29999

    public init(advertisedHost: String, sipPort: Int) {
        self.advertisedHost = advertisedHost
        self.sipPort = sipPort
    }

    /// Methods this UAS implements, for Allow headers (RFC 3261 §20.5).
    public static let allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options]
    /// Option tags this UAS supports (RFC 3261 §8.2.2.3); extensions add theirs.
    public static let supportedExtensions: Set<String> = []
}
