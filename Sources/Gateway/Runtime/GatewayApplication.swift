import Calls
import ControlAPI
import Dialplan
import Foundation
import Frames
import Logging
import Media
import NIOCore
import NIOPosix
import ParticipantTransport
import ServiceLifecycle

/// Builds the gateway's services and runs them in one `ServiceGroup` until SIGTERM/SIGINT.
public struct GatewayApplication: Sendable {
    public let configuration: GatewayConfiguration
    public let version: String

    public init(configuration: GatewayConfiguration, version: String) {
        self.configuration = configuration
        self.version = version
    }

    public func run() async throws {
        let logger = Logger(label: "dialgate")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: configuration.dialplansDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw GatewayStartupError.noDialplanFolder(configuration.dialplansDirectory)
        }
        let reloader = DialplanReloader(
            folder: configuration.dialplansDirectory, options: DialplanRun.Options(ringBeforeAnswer: configuration.ringTime),
            logger: Logger(label: "dialgate.dialplan"))
        let plan: ActiveDialplan
        do {
            plan = try await reloader.initialPlan()
        } catch let failure as DialplanLoadFailure {
            throw GatewayStartupError.dialplanDoesNotLoad(failure.errors)
        }
        try SRTPLibrary.ensureInitialized()
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        let store = try CallRecordStore(
            directory: URL(fileURLWithPath: configuration.stateDirectory), logger: Logger(label: "dialgate.records"))
        let meetings = MeetingDirectory(store: store)
        let metrics = configuration.metricsHost == nil ? nil : GatewayMetrics()
        let events = CallEventFanout(store: store, metrics: metrics)

        var settings = UserAgentSettings(
            advertisedHost: configuration.advertisedHost ?? Self.advertisable(configuration.sipHost), sipPort: configuration.sipPort)
        settings.product = "dialgate/\(version)"
        settings.rtpPorts = configuration.rtpPorts
        settings.maxCalls = configuration.maxCalls
        settings.srtp = configuration.srtp
        settings.noMediaTimeout = configuration.noMediaTimeout
        // The core's instants are NIO uptime nanoseconds; this maps them to the wall clock.
        let uptime = Int64(clamping: NIODeadline.now().uptimeNanoseconds)
        settings.unixTimeAtZero = .nanoseconds(Int64(Date().timeIntervalSince1970 * 1e9) - uptime)
        let userAgent = UserAgent(settings: settings, dialplan: plan, random: SystemRandomNumberGenerator())
        // Signalling gets a thread of its own: media ticks for many legs must never delay SIP
        // (retransmission timers would fire and calls fail under load). Media uses the shared group.
        let signallingThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { signallingThread.shutdownGracefully { _ in } }
        let signalling = SignallingLoop(
            loop: signallingThread.next(), userAgent: userAgent, sink: events, logger: Logger(label: "dialgate.sip"))
        let media = MediaEngine(
            group: MultiThreadedEventLoopGroup.singleton, bindHost: configuration.sipHost, prompts: try Self.loadPrompts(logger: logger),
            logger: Logger(label: "dialgate.media"))
        signalling.media = media
        signalling.meetings = meetings
        signalling.metrics = metrics
        await reloader.attach(signalling)
        // DESIGN.md §4: SFrame's AES-GCM needs AES-NI; without it the participant service does not
        // start, and says why, rather than failing on the first frame.
        guard Sodium.hasHardwareAESGCM else { throw FramesError.aesGCMUnavailable }
        let gatewayIdentity = try IdentitySeedFile.loadOrCreate(
            path: URL(fileURLWithPath: configuration.stateDirectory).appendingPathComponent("gateway-identity.key").path)
        let rooms = MeetingRooms(
            directory: meetings, identity: gatewayIdentity, logger: Logger(label: "dialgate.meetings"),
            e2eeCreationAllowed: { [signalling] tier in
                guard let plan = try? await signalling.dialplan().get() else { return false }
                return PolicyDecision.allowsE2EECreation(tier: tier, in: plan.document)
            }, audit: { [events] entry in events.audit(entry) }, bridgeLoop: { call in media.bridgeLoop(for: call) })
        await signalling.attach(rooms)
        let participants = try await ParticipantService.bind(
            host: configuration.participantsHost, port: configuration.participantsPort,
            tls: configuration.tlsCertificate.flatMap { certificate in
                configuration.tlsKey.map { ParticipantWebSocketServer.TLSFiles(certificateChain: certificate, privateKey: $0) }
            }, rooms: rooms,
            logger: Logger(label: "dialgate.meetings"))
        // SIP over TLS: the files are read now, so a bad certificate stops the start with one line.
        var sipTLS: SIPTLSContexts?
        if configuration.sipTLSHost != nil {
            guard let certificate = configuration.tlsCertificate, let key = configuration.tlsKey else {
                throw GatewayStartupError.sipTLSWithoutCertificate
            }
            sipTLS = try SIPTLSContexts(files: SIPTLSContexts.Files(certificateChain: certificate, privateKey: key))
        }
        signalling.tlsContexts = sipTLS
        let sip = SignallingService(signalling: signalling, configuration: configuration, tls: sipTLS, logger: logger)
        var metricsService: MetricsService?
        if let metrics, let host = configuration.metricsHost {
            metricsService = try await MetricsService.bind(
                host: host, port: configuration.metricsPort,
                render: { [rooms] in metrics.render(meetings: await rooms.census()) }, logger: Logger(label: "dialgate.metrics"))
        }
        let control = try await ControlServer.bind(
            socketPath: configuration.controlSocketPath, group: configuration.controlGroup,
            handler: GatewayControlHandler(
                signalling: signalling, sip: sip, store: store, meetings: meetings, events: events, version: version, startedAt: Date(),
                controlSocket: configuration.controlSocketPath,
                otherListeners: [
                    GatewayStatus.Listener(kind: "participants", address: participants.url(host: configuration.participantsHost))
                ] + (metricsService.map { [GatewayStatus.Listener(kind: "metrics", address: "http://\($0.address)/metrics")] } ?? []),
                rooms: rooms,
                reloadDialplans: { await reloader.reload(trigger: "dialgatectl reload") },
                dialplanStatus: { await reloader.status }),
            logger: Logger(label: "dialgate.control"))

        logger.info(
            "dialgate starting",
            metadata: [
                "version": "\(version)", "state": "\(configuration.stateDirectory)", "control": "\(configuration.controlSocketPath)",
                "participants": "\(participants.url(host: configuration.participantsHost))",
                "fingerprint": "\(gatewayIdentity.fingerprint)",
                "dialplans":
                    "\(configuration.dialplansDirectory) (version \(plan.version): \(plan.document.routes.count) routes, \(plan.document.trunks.count) trunks)",
            ])
        // Shutdown runs in reverse order: SIP drains first, then the control socket closes, then
        // the records get their last flush.
        typealias Entry = ServiceGroupConfiguration.ServiceConfiguration
        var services: [Entry] = [.init(service: store), .init(service: control), .init(service: participants)]
        if let metricsService { services.append(Entry(service: metricsService)) }
        if let days = configuration.retentionDays {
            services.append(Entry(service: RecordRetention(store: store, days: days, logger: Logger(label: "dialgate.records"))))
        }
        services.append(Entry(service: DialplanReloadOnHangup(reloader: reloader)))
        if let sipTLS { services.append(Entry(service: SIPTLSReloadOnHangup(contexts: sipTLS, logger: Logger(label: "dialgate.sip")))) }
        services.append(Entry(service: sip, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The spoken prompts the applications play, bundled with the Media module.
    static func loadPrompts(logger: Logger) throws -> PromptSource {
        let library = try PromptLibrary.bundled()
        logger.info("prompts loaded", metadata: ["count": "\(PromptLibrary.Name.allCases.count)", "samples": "\(library.totalSamples)"])
        return PromptSource(library: library)
    }

    /// Contact and SDP need a routable address: a wildcard bind advertises loopback until an
    /// operator sets --advertise.
    static func advertisable(_ host: String) -> String {
        switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        default: host
        }
    }
}

/// Why the gateway could not start, in words that say what to fix.
public enum GatewayStartupError: Error, CustomStringConvertible {
    case noDialplanFolder(String)
    case dialplanDoesNotLoad([String])
    case sipTLSWithoutCertificate

    public var description: String {
        switch self {
        case .noDialplanFolder(let path): "the dialplan folder \(path) does not exist (set --dialplans DIR)"
        case .dialplanDoesNotLoad(let errors):
            errors.joined(separator: "\n")
                + "\nthe dialplan does not load (\(errors.count) problems; check it with: dialgate dialplan check)"
        case .sipTLSWithoutCertificate: "--sip-tls needs --tls-cert and --tls-key (the certificate chain and private key, PEM)"
        }
    }
}
