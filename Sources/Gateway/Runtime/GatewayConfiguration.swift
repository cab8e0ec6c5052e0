import Calls
import Foundation

/// Everything `dialgate serve` needs, from flags (and later the config file).
public struct GatewayConfiguration: Sendable {
    /// SIP over UDP and TCP on this address (DESIGN.md §3: default 127.0.0.1:5060; port 0 picks one).
    public var sipHost: String = "127.0.0.1"
    public var sipPort: Int = 5060
    /// `--sip-tls ADDR:PORT`: SIP over TLS (RFC 3261 §26, RFC 5630) with `--tls-cert`/`--tls-key`;
    /// nil serves no TLS. Port 0 picks a free port.
    public var sipTLSHost: String?
    public var sipTLSPort: Int = 5061
    /// The address put in Contact and SDP; the SIP address when nil.
    public var advertisedHost: String?
    public var rtpPorts: ClosedRange<Int> = 20000...29999
    /// The participant protocol's WebSocket server (DESIGN.md §3: default 127.0.0.1:8088).
    public var participantsHost: String = "127.0.0.1"
    public var participantsPort: Int = 8088
    /// `--control-group NAME`: the control socket is 0660 and belongs to this group (else 0600).
    public var controlGroup: String?
    /// `--retention-days N`: call records and audit rows older than this are deleted; nil keeps them all.
    public var retentionDays: Int?
    /// `--metrics ADDR:PORT`: where Prometheus scrapes `GET /metrics`; nil serves no metrics.
    public var metricsHost: String?
    public var metricsPort: Int = 9464
    /// A certificate chain and key (PEM) for TLS: the participant server then speaks `wss://`, and
    /// `--sip-tls` serves SIP with them (re-read on SIGHUP for new SIP connections).
    public var tlsCertificate: String?
    public var tlsKey: String?
    public var dialplansDirectory: String = "./dialplans"
    public var stateDirectory: String = "./var"
    /// Defaults to `STATE/dialgate.sock`.
    public var controlSocket: String?
    /// How long the built-in routes ring before answering.
    public var ringTime: Duration = .zero
    /// On SIGTERM, how long live calls may go on before the gateway ends them with BYE.
    public var drainGracePeriod: Duration = .seconds(30)
    public var maxCalls: Int = 2000
    /// SRTP for phone legs (a daemon default until trunks carry their own).
    public var srtp: SRTPPolicy = .optional
    /// A call that expects media and gets none for this long is ended with a Reason.
    public var noMediaTimeout: Duration = .seconds(30)

    public init() {}

    public var controlSocketPath: String {
        controlSocket ?? URL(fileURLWithPath: stateDirectory).appendingPathComponent("dialgate.sock").path
    }
}
