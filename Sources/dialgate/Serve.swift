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
            Takes calls over SIP (UDP and TCP on the same port, and TLS with --sip-tls) with the dialplan's routes, records every \
            call in STATE/dialgate.sqlite and serves the control API on STATE/dialgate.sock. \
            SIGTERM or SIGINT drains: new calls get 503, live calls may finish within --drain-grace, \
            then get BYE.
            """
    )

    // Every setting may also come from --config FILE (same names without "--"); a flag wins over the
    // file, the file over the default shown in the help.
    @Option(name: .long, help: "Settings file (YAML, keys as the flags below; docs/configuration.md).")
    var config: String?

    @Option(name: .long, help: "SIP address for UDP and TCP (port 0 picks a free port). Default 127.0.0.1:5060.")
    var sip: String?

    @Option(name: .long, help: "Participant WebSocket address, ws://ADDR:PORT/v1 (port 0 picks a free port). Default 127.0.0.1:8088.")
    var participants: String?

    @Option(name: .long, help: "Address put in Contact and SDP (default: the SIP address).")
    var advertise: String?

    @Option(name: .customLong("rtp-ports"), help: "RTP port range LO-HI (even ports are used). Default 20000-29999.")
    var rtpPorts: String?

    @Option(name: .long, help: "Control socket (default: STATE/dialgate.sock).")
    var control: String?

    @Option(
        name: .customLong("control-group"),
        help: "Give the control socket to this group, mode 0660 (default: owner only, 0600).")
    var controlGroup: String?

    @Option(name: .long, help: "Folder of dialplan files. Default ./dialplans.")
    var dialplans: String?

    @Option(name: .long, help: "State folder: call records (SQLite), control socket. Default ./var.")
    var state: String?

    @Option(name: .customLong("ring-time"), help: "Milliseconds the built-in routes ring (180) before answering. Default 0.")
    var ringTime: Int?

    @Option(name: .customLong("drain-grace"), help: "Seconds live calls may go on after SIGTERM before they get BYE. Default 30.")
    var drainGrace: Int?

    @Option(name: .customLong("max-calls"), help: "Concurrent calls; more get 503 with Retry-After. Default 2000.")
    var maxCalls: Int?

    @Option(
        name: .long, help: "SRTP for phone legs: forbidden, optional or mandatory (SDES keys only over TLS or loopback). Default optional.")
    var srtp: String?

    @Option(name: .customLong("media-timeout"), help: "Seconds without media before a call is ended with a Reason. Default 30.")
    var mediaTimeout: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical. Default info.")
    var logLevel: String?

    @Option(
        name: .customLong("log-format"),
        help: "text (for people), logfmt (key=value, escaped) or json (one object per line), on stderr. Default text.")
    var logFormat: String?

    @Option(
        name: .customLong("retention-days"),
        help: "Delete call records and audit rows older than this many days (checked hourly). Default: keep all.")
    var retentionDays: Int?

    @Option(
        name: .customLong("sip-tls"),
        help: "SIP over TLS address (port 0 picks a free port); needs --tls-cert and --tls-key. Default: no TLS.")
    var sipTLS: String?
    @Option(
        name: .customLong("tls-cert"),
        help: "TLS certificate chain (PEM) for --sip-tls and the participant server (wss://); SIGHUP re-reads it for SIP.")
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "TLS private key (PEM) for --tls-cert.")
    var tlsKey: String?
    @Option(name: .long, help: "Serve Prometheus metrics on http://ADDR:PORT/metrics (keep it on loopback).")
    var metrics: String?

    func validate() throws {
        // Values given as flags are checked here, with the file's rules, before anything starts.
        let given: [(String, String?)] = [
            ("sip", sip), ("sip-tls", sipTLS), ("participants", participants), ("rtp-ports", rtpPorts), ("metrics", metrics),
            ("ring-time", ringTime.map(String.init)), ("drain-grace", drainGrace.map(String.init)),
            ("max-calls", maxCalls.map(String.init)),
            ("srtp", srtp), ("media-timeout", mediaTimeout.map(String.init)), ("log-level", logLevel), ("log-format", logFormat),
            ("retention-days", retentionDays.map(String.init)),
        ]
        for (key, value) in given {
            guard let value, let kind = ServeConfigFile.keys.first(where: { $0.name == key })?.kind else { continue }
            if let reason = ServeConfigFile.check(value, as: kind) { throw ValidationError("--\(key) \(reason), not '\(value)'") }
        }
    }

    /// The flag if given, else the file's value, else the default.
    private func setting(_ flag: String?, _ key: String, in file: ServeConfigFile, default fallback: String) -> String {
        flag ?? file.values[key] ?? fallback
    }

    private func optionalSetting(_ flag: String?, _ key: String, in file: ServeConfigFile) -> String? {
        flag ?? file.values[key]
    }

    func run() async throws {
        var file = ServeConfigFile()
        if let config {
            do throws(ServeConfigFile.Problems) { file = try ServeConfigFile.load(path: config) } catch {
                throw GatewayExit(message: error.description)
            }
        }
        let tlsCert = optionalSetting(self.tlsCert, "tls-cert", in: file)
        let tlsKey = optionalSetting(self.tlsKey, "tls-key", in: file)
        guard (tlsCert == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: give both or neither")
        }
        let sipTLS = optionalSetting(self.sipTLS, "sip-tls", in: file)
        if sipTLS != nil, tlsCert == nil {
            throw ValidationError("--sip-tls needs --tls-cert and --tls-key (the certificate chain and private key, PEM)")
        }
        var configuration = GatewayConfiguration()
        do {
            let address = try ListenAddress(parsing: setting(sip, "sip", in: file, default: "127.0.0.1:5060"))
            configuration.sipHost = address.host
            configuration.sipPort = address.port
            if let sipTLS {
                let address = try ListenAddress(parsing: sipTLS)
                configuration.sipTLSHost = address.host
                configuration.sipTLSPort = address.port
            }
            configuration.rtpPorts = try parsePortRange(setting(rtpPorts, "rtp-ports", in: file, default: "20000-29999"))
            let participants = try ListenAddress(parsing: setting(participants, "participants", in: file, default: "127.0.0.1:8088"))
            configuration.participantsHost = participants.host
            configuration.participantsPort = participants.port
            if let metrics = optionalSetting(metrics, "metrics", in: file) {
                let address = try ListenAddress(parsing: metrics)
                configuration.metricsHost = address.host
                configuration.metricsPort = address.port
            }
        } catch {
            throw ValidationError("\(error)")
        }
        func number(_ flag: Int?, _ key: String, _ fallback: Int) -> Int { flag ?? file.values[key].flatMap { Int($0) } ?? fallback }
        configuration.tlsCertificate = tlsCert
        configuration.tlsKey = tlsKey
        configuration.advertisedHost = optionalSetting(advertise, "advertise", in: file)
        configuration.controlSocket = optionalSetting(control, "control", in: file)
        configuration.controlGroup = optionalSetting(controlGroup, "control-group", in: file)
        configuration.dialplansDirectory = setting(dialplans, "dialplans", in: file, default: "./dialplans")
        configuration.stateDirectory = setting(state, "state", in: file, default: "./var")
        configuration.ringTime = .milliseconds(number(ringTime, "ring-time", 0))
        configuration.drainGracePeriod = .seconds(number(drainGrace, "drain-grace", 30))
        configuration.maxCalls = number(maxCalls, "max-calls", 2000)
        configuration.srtp = SRTPPolicy(rawValue: setting(srtp, "srtp", in: file, default: "optional")) ?? .optional
        configuration.noMediaTimeout = .seconds(number(mediaTimeout, "media-timeout", 30))
        configuration.retentionDays = retentionDays ?? file.values["retention-days"].flatMap { Int($0) }

        let level = Logger.Level(rawValue: setting(logLevel, "log-level", in: file, default: "info")) ?? .info
        let format = LogFormat(rawValue: setting(logFormat, "log-format", in: file, default: "text")) ?? .text
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
