import ArgumentParser
import Calls
import Foundation
import Gateway
import Logging

/// `dialgate serve`: runs the gateway until SIGTERM or SIGINT (then drains).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway daemon.",
        discussion: """
            Takes calls over SIP (UDP and TCP on the same port) with the bundled routes, records every \
            call in STATE/dialgate.sqlite and serves the control API on STATE/dialgate.sock. \
            SIGTERM or SIGINT drains: new calls get 503, live calls may finish within --drain-grace, \
            then get BYE.
            """
    )

    @Option(name: .long, help: "SIP address for UDP and TCP (port 0 picks a free port).")
    var sip: String = "127.0.0.1:5060"

    @Option(name: .long, help: "Participant WebSocket address, ws://ADDR:PORT/v1 (port 0 picks a free port).")
    var participants: String = "127.0.0.1:8088"

    @Option(name: .long, help: "Address put in Contact and SDP (default: the SIP address).")
    var advertise: String?

    @Option(name: .customLong("rtp-ports"), help: "RTP port range LO-HI (even ports are used).")
    var rtpPorts: String = "20000-29999"

    @Option(name: .long, help: "Control socket (default: STATE/dialgate.sock).")
    var control: String?

    @Option(name: .long, help: "Folder of dialplan files.")
    var dialplans: String = "./dialplans"

    @Option(name: .long, help: "State folder: call records (SQLite), control socket.")
    var state: String = "./var"

    @Option(name: .customLong("ring-time"), help: "Milliseconds the built-in routes ring (180) before answering.")
    var ringTime: Int = 0

    @Option(name: .customLong("drain-grace"), help: "Seconds live calls may go on after SIGTERM before they get BYE.")
    var drainGrace: Int = 30

    @Option(name: .customLong("max-calls"), help: "Concurrent calls; more get 503 with Retry-After.")
    var maxCalls: Int = 2000

    @Option(name: .long, help: "SRTP for phone legs: forbidden, optional or mandatory (SDES keys only over TLS or loopback).")
    var srtp: String = "optional"

    @Option(name: .customLong("media-timeout"), help: "Seconds without media before a call is ended with a Reason.")
    var mediaTimeout: Int = 30

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("log-format"),
        help: "text (for people), logfmt (key=value, escaped) or json (one object per line), on stderr.")
    var logFormat: String = "text"

    // Contract flags (DESIGN.md §3) whose features arrive in later work: refused with a clear reason.
    @Option(name: .long, help: "Configuration file (not available yet).")
    var config: String?
    @Option(name: .customLong("sip-tls"), help: "SIP over TLS address (not available yet).")
    var sipTLS: String?
    @Option(name: .customLong("tls-cert"), help: "TLS certificate chain (PEM): the participant server then speaks wss://.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "TLS private key (PEM) for --tls-cert.")
    var tlsKey: String?
    @Option(name: .long, help: "Serve Prometheus metrics on http://ADDR:PORT/metrics (keep it on loopback).")
    var metrics: String?

    func validate() throws {
        let unavailable: [(String, String?)] = [
            ("--config", config), ("--sip-tls", sipTLS),
        ]
        if let (flag, _) = unavailable.first(where: { $0.1 != nil }) {
            throw ValidationError("\(flag) is not available in this version of dialgate (see README, 'What works today')")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both or neither")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log-format must be text, logfmt or json")
        }
        guard SRTPPolicy(rawValue: srtp) != nil else {
            throw ValidationError("--srtp must be forbidden, optional or mandatory")
        }
        guard ringTime >= 0, drainGrace >= 0, maxCalls > 0, mediaTimeout > 0 else {
            throw ValidationError("--ring-time and --drain-grace must not be negative, --max-calls and --media-timeout must be positive")
        }
    }

    func run() async throws {
        var configuration = GatewayConfiguration()
        do {
            let address = try ListenAddress(parsing: sip)
            configuration.sipHost = address.host
            configuration.sipPort = address.port
            configuration.rtpPorts = try parsePortRange(rtpPorts)
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            let address = try ListenAddress(parsing: participants)
            configuration.participantsHost = address.host
            configuration.participantsPort = address.port
        } catch {
            throw ValidationError("--participants: \(error)")
        }
        if let metrics {
            do {
                let address = try ListenAddress(parsing: metrics)
                configuration.metricsHost = address.host
                configuration.metricsPort = address.port
            } catch {
                throw ValidationError("--metrics: \(error)")
            }
        }
        configuration.tlsCertificate = tlsCert
        configuration.tlsKey = tlsKey
        configuration.advertisedHost = advertise
        configuration.controlSocket = control
        configuration.dialplansDirectory = dialplans
        configuration.stateDirectory = state
        configuration.ringTime = .milliseconds(ringTime)
        configuration.drainGracePeriod = .seconds(drainGrace)
        configuration.maxCalls = maxCalls
        configuration.srtp = SRTPPolicy(rawValue: srtp) ?? .optional
        configuration.noMediaTimeout = .seconds(mediaTimeout)

        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = LogFormat(rawValue: logFormat) ?? .text
        LoggingSystem.bootstrap { label in
            if format == .text {
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StructuredLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
        do {
            try await GatewayApplication(configuration: configuration, version: GatewayVersion.string).run()
        } catch {
            // One line, then a non-zero exit (ArgumentParser prints "Error: ...").
            throw GatewayExit(message: "\(error)")
        }
    }
}

struct GatewayExit: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
