import Calls
import ControlAPI
import Dialplan
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SIP
import ServiceLifecycle

/// The SIP side of the gateway as a service: binds the listeners, runs until graceful shutdown,
/// then drains (DESIGN.md §3: 503 to new calls, live calls may finish within the grace period,
/// then BYE).
final class SignallingService: Service, Sendable {
    let signalling: SignallingLoop
    private let configuration: GatewayConfiguration
    private let logger: Logger
    private let bound = NIOLockedValueBox<[GatewayStatus.Listener]>([])
    /// The TLS certificate, key and client authorities for `--sip-tls`; nil serves no TLS.
    private let tls: SIPTLSContexts?

    init(signalling: SignallingLoop, configuration: GatewayConfiguration, tls: SIPTLSContexts? = nil, logger: Logger) {
        self.signalling = signalling
        self.configuration = configuration
        self.tls = tls
        self.logger = logger
    }

    /// The addresses the SIP sockets are bound to (empty until bound).
    var listeners: [GatewayStatus.Listener] { bound.withLockedValue { $0 } }

    func run() async throws {
        let listener = try await SIPListener.bind(host: configuration.sipHost, port: configuration.sipPort, signalling: signalling)
        let address = listener.localAddress.map(Self.describe) ?? "?"
        if let port = listener.localAddress?.port { try await signalling.listening(on: port).get() }
        bound.withLockedValue {
            $0 = [GatewayStatus.Listener(kind: "sip-udp", address: address), GatewayStatus.Listener(kind: "sip-tcp", address: address)]
        }
        // The kernel reports twice what was granted (its bookkeeping share included): told as is.
        let receiveBuffer = (try? await listener.udp.getOption(.socketOption(.so_rcvbuf)).get()).map { "\($0)" } ?? "unknown"
        logger.info("SIP listening", metadata: ["udp": "\(address)", "tcp": "\(address)", "udpReceiveBuffer": "\(receiveBuffer)"])
        var tlsChannel: (any Channel)?
        if let tls, let host = configuration.sipTLSHost {
            do {
                let channel = try await SIPListener.bindTLS(
                    host: host, port: configuration.sipTLSPort, contexts: tls, signalling: signalling)
                tlsChannel = channel
                if let port = channel.localAddress?.port { try await signalling.listening(onTLS: port).get() }
                let tlsAddress = channel.localAddress.map(Self.describe) ?? "?"
                bound.withLockedValue { $0.append(GatewayStatus.Listener(kind: "sip-tls", address: tlsAddress)) }
                logger.info("SIP over TLS listening", metadata: ["tls": "\(tlsAddress)", "certificate": "\(tls.certificateDescription)"])
            } catch {
                await listener.close()
                throw error
            }
        }

        await signalling.startRegistrations()

        try? await gracefulShutdown()

        logger.info("draining: new calls get 503", metadata: ["grace": "\(configuration.drainGracePeriod)"])
        try await signalling.startDraining().get()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.drainGracePeriod)
        while try await signalling.counters().get().active > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if try await signalling.counters().get().active > 0 {
            logger.info("grace period over: ending live calls with BYE")
            try await signalling.hangupAll(reason: "gateway shutting down").get()
            // Give the BYE transactions a moment (they end the calls on any answer or timeout).
            let byeDeadline = clock.now.advanced(by: .seconds(5))
            while try await signalling.counters().get().active > 0, clock.now < byeDeadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        // The providers' answers to our `Expires: 0` (a second at most: a registrar that does not
        // answer lets the binding expire on its own).
        let unregisterDeadline = clock.now.advanced(by: .seconds(1))
        while try await signalling.registrationCount().get() > 0, clock.now < unregisterDeadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        await listener.close()
        try? await tlsChannel?.close()
        logger.info("SIP stopped")
    }

    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
