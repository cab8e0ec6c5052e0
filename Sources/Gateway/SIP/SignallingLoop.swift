import Calls
import ControlAPI
import Dialplan
import Foundation
import LegMedia
import Logging
import Meetings
import NIOCore
import NIOPosix
import NIOSSL
import SIP

/// Receives the call events the signalling loop produces (records, control-API watchers).
public protocol CallEventSink: Sendable {
    func callEvent(_ event: CallEvent, clock: WallClockMapping)
    /// A policy decision or mode change, for the audit trail (DESIGN.md §5).
    func audit(_ entry: AuditEntry)
}

/// Turns the core's instants (monotonic, from NIO's uptime clock) into wall-clock dates.
public struct WallClockMapping: Sendable {
    let originUptimeNanoseconds: Int64
    let originDate: Date

    public init(now: NIODeadline = .now(), date: Date = Date()) {
        originUptimeNanoseconds = Int64(clamping: now.uptimeNanoseconds)
        originDate = date
    }

    public func date(_ instant: SIPInstant) -> Date {
        originDate.addingTimeInterval(Double(instant.nanoseconds - originUptimeNanoseconds) / 1e9)
    }
}

/// The adapter that owns the `UserAgent` on one event loop: every SIP channel (UDP socket, TCP
/// listener and its connections) lives on that loop, so signalling needs no locks. It parses
/// nothing and decides nothing itself: bytes go to the parser, messages to the user agent, and
/// the user agent's actions come back here to be carried out.
final class SignallingLoop: @unchecked Sendable {
    let loop: any EventLoop
    let logger: Logger
    let clock: WallClockMapping
    private let sink: any CallEventSink
    private var userAgent: UserAgent
    private var udpChannel: (any Channel)?
    /// UDP responses and requests written by `perform` and not yet flushed.
    private var datagramsToFlush = false
    private var connections: [UInt64: any Channel] = [:]
    private var nextConnectionID: UInt64 = 1
    private var timer: Scheduled<Void>?
    private var timerDeadline: SIPInstant?
    /// Runs the legs' media; set once before the listeners open.
    var media: MediaEngine?
    /// Answers the dialplan's `lookup`; set once before the listeners open.
    var meetings: MeetingDirectory?
    /// Counts digits and security rejections (the rest comes through the sink).
    var metrics: GatewayMetrics?
    /// Phone legs entering and leaving meetings, in order, for `MeetingRooms` (see `attach(_:)`).
    private(set) var phoneLegs: AsyncStream<PhoneLegEvent>.Continuation?
    /// The port of each phone leg in a meeting (owned by the loop, like the calls).
    private var conferencePorts: [GatewayCallID: ConferencePort] = [:]
    /// When the last overload line was logged, and 503s since (owned by the loop).
    private var overloadLog: (lastLine: SIPInstant?, refused: Int) = (nil, 0)

    enum PhoneLegEvent: Sendable {
        case join(
            GatewayCallID, meetingID: String, displayName: String, muted: Bool, waitsForHost: Bool, admission: PhoneAdmission,
            port: ConferencePort)
        case control(GatewayCallID, MeetingControl)
        case leave(GatewayCallID)
        case refused(GatewayCallID, meetingID: String, displayName: String, reason: String)
    }

    /// Connects the meeting side: joins and leaves reach `rooms` in the order calls made them
    /// (one consumer), and the rooms can end a phone leg's call (removed by the host, meeting ended).
    func attach(_ rooms: MeetingRooms) async {
        let (stream, continuation) = AsyncStream.makeStream(of: PhoneLegEvent.self)
        loop.execute { self.phoneLegs = continuation }
        await rooms.onPhoneLegNotice { [self] call, notice in
            loop.execute {
                let actions: [UserAgentAction]?
                switch notice {
                case .removed, .meetingEnded:
                    actions = self.userAgent.leaveMeeting(call, removed: notice.isRemoval, now: self.now)
                case .refused(let reason):
                    actions = self.userAgent.refuseInMeeting(call, reason: reason, now: self.now)
                case .admitted:
                    actions = self.userAgent.enteredMeeting(call, now: self.now)
                case .waitingForHost, .lobby:
                    let waitingFor = notice == .lobby ? "the host's answer" : "the host"
                    actions =
                        self.userAgent.heldInLobby(call, waitingFor: waitingFor, now: self.now)
                        + (self.userAgent.announceInMeeting(call, notice.announcement, now: self.now) ?? [])
                default:
                    actions = self.userAgent.announceInMeeting(call, notice.announcement, now: self.now)
                }
                if let actions { self.perform(actions) }
            }
        }
        Task {
            for await event in stream {
                switch event {
                case .join(let call, let meetingID, let displayName, let muted, let waitsForHost, let admission, let port):
                    await rooms.phoneJoin(
                        call: call, meetingID: meetingID, displayName: displayName, muted: muted, waitsForHost: waitsForHost,
                        admission: admission, port: port)
                case .control(let call, let control):
                    await rooms.phoneControl(call: call, control)
                case .leave(let call):
                    await rooms.phoneLeave(call: call)
                case .refused(_, let meetingID, let displayName, let reason):
                    await rooms.phoneRefused(meetingID: meetingID, displayName: displayName, reason: reason)
                }
            }
        }
    }

    /// Calls whose policy says phones wait for the host (`phones-before-host no`), until they join.
    private var policyWaitsForHost: Set<GatewayCallID> = []
    /// What policy asked for each call should its meeting be `e2ee` (a lobby, a downgrade), until it joins.
    private var policyAdmissions: [GatewayCallID: PhoneAdmission] = [:]

    /// Stream connections beyond this are closed at once (hostile peers must not exhaust descriptors).
    static let maxConnections = 4096

    init(loop: any EventLoop, userAgent: UserAgent, sink: any CallEventSink, logger: Logger) {
        self.loop = loop
        self.userAgent = userAgent
        self.sink = sink
        self.logger = logger
        self.clock = WallClockMapping()
    }

    var now: SIPInstant { SIPInstant(nanoseconds: Int64(clamping: NIODeadline.now().uptimeNanoseconds)) }

    // MARK: - Channels

    func attachDatagramChannel(_ channel: any Channel) {
        loop.preconditionInEventLoop()
        udpChannel = channel
    }

    /// Registers a new stream connection; nil when there are too many.
    func attachConnection(_ channel: any Channel) -> UInt64? {
        loop.preconditionInEventLoop()
        guard connections.count < Self.maxConnections else { return nil }
        let id = nextConnectionID
        nextConnectionID += 1
        connections[id] = channel
        return id
    }

    func detachConnection(_ id: UInt64) {
        loop.preconditionInEventLoop()
        connections.removeValue(forKey: id)
        userAgent.connectionClosed(id)
        // The next request to that destination opens a new one.
        outbound = outbound.filter { $0.value != id }
    }

    /// The TLS handshake of connection `id` verified the client's certificate.
    func connectionAuthenticated(_ id: UInt64, certificate: String) {
        loop.preconditionInEventLoop()
        userAgent.connectionVerified(id, certificate: certificate)
        logger.info("TLS client certificate verified", metadata: ["connection": "\(id)", "certificate": "\(certificate)"])
    }

    /// The certificate authorities a new TLS connection from `address` is asked about: those of the
    /// trunks in force that could take its calls and say `tls-client-cert required`.
    func clientAuthorities(for address: SocketAddress) -> [String] {
        loop.preconditionInEventLoop()
        return ClientCertificateGate.authorities(for: address.ipAddress.flatMap(AddressRange.addressBytes), in: userAgent.dialplan.document)
    }

    // MARK: - Inbound

    func receive(_ message: SIPMessage, from peer: SIPPeer) {
        loop.preconditionInEventLoop()
        perform(userAgent.receive(message, from: peer, now: now))
    }

    func receiveMalformed(_ error: SIPParseError, from peer: SIPPeer) {
        loop.preconditionInEventLoop()
        perform(userAgent.receiveMalformed(error, from: peer, now: now))
    }

    // MARK: - Commands (from the control API, on any thread)

    func calls() -> EventLoopFuture<[CallFacts]> {
        loop.submit { self.userAgent.activeCalls }
    }

    func call(_ id: GatewayCallID) -> EventLoopFuture<CallFacts?> {
        loop.submit { self.userAgent.call(id) }
    }

    func counters() -> EventLoopFuture<(active: Int, total: Int, draining: Bool)> {
        loop.submit { (self.userAgent.activeCalls.count, self.userAgent.totalCalls, self.userAgent.isDraining) }
    }

    /// Ends a call; the future holds false when there is no such call.
    func hangup(_ id: GatewayCallID) -> EventLoopFuture<Bool> {
        loop.submit {
            guard let actions = self.userAgent.hangup(id, now: self.now) else { return false }
            self.perform(actions)
            return true
        }
    }

    func listening(on port: Int) -> EventLoopFuture<Void> {
        loop.submit { self.userAgent.listening(on: port) }
    }

    /// The SIP-over-TLS port actually bound (for the Contact of TLS calls).
    func listening(onTLS port: Int) -> EventLoopFuture<Void> {
        loop.submit { self.userAgent.listening(onTLS: port) }
    }

    /// The plan new calls follow now.
    func dialplan() -> EventLoopFuture<ActiveDialplan> {
        loop.submit { self.userAgent.dialplan }
    }

    /// A reloaded dialplan: new calls follow it, calls in progress finish on theirs.
    func replaceDialplan(_ plan: ActiveDialplan) -> EventLoopFuture<Void> {
        loop.submit { self.userAgent.replaceDialplan(plan) }
    }

    /// New calls get 503, and the providers we register with are told to stop sending calls
    /// (`Expires: 0`) rather than find out when the bindings expire.
    func startDraining() -> EventLoopFuture<Void> {
        loop.submit {
            self.userAgent.startDraining()
            self.registrationsEnabled = false
            self.perform(self.userAgent.unregisterAll(now: self.now))
        }
    }

    // MARK: - Registrations with providers

    /// Registrations start once the SIP socket is bound (its port goes in our Contact).
    private var registrationsEnabled = false

    /// Registers the trunks of the plan in force; called once the SIP socket is bound.
    func startRegistrations() async {
        try? await loop.submit { self.registrationsEnabled = true }.get()
        await applyRegistrations()
    }

    /// Hands the plan's registrations to the user agent (after start and after each reload): it
    /// starts new ones, removes gone ones, keeps unchanged ones. Registrar host names are resolved
    /// here, off the loop (getaddrinfo blocks); one that does not resolve is logged and skipped
    /// until the next reload.
    func applyRegistrations() async {
        guard let (enabled, document) = try? await loop.submit({ (self.registrationsEnabled, self.userAgent.dialplan.document) }).get(),
            enabled
        else { return }
        var targets: [RegistrationTarget] = []
        for trunk in document.trunks {
            guard let registration = trunk.registration else { continue }
            let host = registration.registrarHost
            let port = registration.registrarPort
            let resolved = await Task.detached { try? SocketAddress.makeAddressResolvingHost(host, port: port) }.value
            guard let address = resolved?.ipAddress else {
                logger.error(
                    "registrar not found: the trunk does not register until the next reload",
                    metadata: ["trunk": "\(trunk.name)", "registrar": "\(host):\(port)"])
                continue
            }
            let registrar = SIPPeer(transport: SIPTransport(registration.transport), host: address, port: port)
            targets.append(RegistrationTarget(trunk: trunk.name, settings: registration, registrar: registrar))
        }
        let identities = Dictionary(
            targets.map { ($0.registrar.description, ($0.settings.registrarHost, $0.settings.registrarAuthority?.resolvedAuthorityFile)) },
            uniquingKeysWith: { first, _ in first })
        try? await loop.submit {
            guard self.registrationsEnabled else { return }
            self.registrarIdentities = identities
            self.perform(self.userAgent.register(targets, now: self.now))
        }.get()
    }

    /// Registrations still held or being removed (shutdown waits for their `Expires: 0`).
    func registrationCount() -> EventLoopFuture<Int> {
        loop.submit { self.userAgent.registrationCount }
    }

    /// The plan's trunks with their live calls and registrations, for `dialgatectl trunks`.
    func trunks() -> EventLoopFuture<[TrunkSnapshot]> {
        loop.submit {
            let counts = self.userAgent.callsByTrunk
            let registrations = Dictionary(
                self.userAgent.registrationFacts.map { ($0.trunk, self.snapshot($0)) }, uniquingKeysWith: { first, _ in first })
            return self.userAgent.dialplan.document.trunks.map { trunk in
                TrunkSnapshot(
                    name: trunk.name, sources: trunk.sources.map(\.description), authenticates: trunk.authentication != nil,
                    activeCalls: counts[trunk.name, default: 0], maxCalls: trunk.maxCalls, registration: registrations[trunk.name])
            }
        }
    }

    /// The registrations alone, for `dialgatectl status`.
    func registrations() -> EventLoopFuture<[RegistrationSnapshot]> {
        loop.submit { self.userAgent.registrationFacts.map(self.snapshot) }
    }

    private func snapshot(_ facts: RegistrationFacts) -> RegistrationSnapshot {
        RegistrationSnapshot(
            trunk: facts.trunk, registrar: facts.registrar.description, addressOfRecord: facts.addressOfRecord, state: facts.state.rawValue,
            expiresAt: facts.expiresAt.map(clock.date), nextAttemptAt: facts.nextAttemptAt.map(clock.date), lastResult: facts.lastResult,
            consecutiveFailures: facts.consecutiveFailures, registeredSince: facts.registeredSince.map(clock.date))
    }

    func hangupAll(reason: String) -> EventLoopFuture<Void> {
        loop.submit { self.perform(self.userAgent.hangupAll(reason: reason, now: self.now)) }
    }

    // MARK: - Actions

    private func perform(_ actions: [UserAgentAction]) {
        // Call events first: a call's record is queued before the peer hears the answer that
        // ended it, so whoever asks the records after a BYE's 200 finds the call there.
        for case .callEvent(let event) in actions {
            log(event)
            sink.callEvent(event, clock: clock)
        }
        for action in actions {
            switch action {
            case .send(let message, let peer):
                send(message, to: peer)
            case .callEvent:
                break
            case .notice(let notice):
                logger.warning("security: request refused", metadata: ["notice": "\(notice)"])
                metrics?.securityRejection(method: notice.method ?? "-")
            case .overloaded(let peer, let method):
                metrics?.overloadRejection()
                overloadLog.refused += 1
                // One line per 10 s at most, with how many were refused since the last one.
                if overloadLog.lastLine.map({ now - $0 >= .seconds(10) }) ?? true {
                    logger.warning(
                        "overloaded: new requests get 503 (the SIP transaction table is full)",
                        metadata: ["refused": "\(overloadLog.refused)", "last": "\(method) from \(peer)"])
                    overloadLog = (now, 0)
                }
            case .media(let instruction):
                carryOut(instruction)
            case .digit(let call, let digit, let source, let secret):
                logger.info(
                    "digit", metadata: ["call": "\(call)", "digit": "\(secret ? "•" : String(digit))", "via": "\(source.rawValue)"])
                metrics?.digit(source: source.rawValue)
            case .lookupMeeting(let call, let meetingID):
                lookUp(meetingID, for: call)
            case .dialplanStep(let call, let entry):
                logger.debug("dialplan", metadata: ["call": "\(call)", "step": "\(entry)"])
            case .meetingControl(let call, let control):
                logger.info("meeting control", metadata: ["call": "\(call)", "control": "\(control.rawValue)"])
                phoneLegs?.yield(.control(call, control))
            case .registrationChanged(let facts):
                var metadata: Logger.Metadata = [
                    "trunk": "\(facts.trunk)", "state": "\(facts.state.rawValue)", "registrar": "\(facts.registrar)",
                    "aor": "\(facts.addressOfRecord)",
                ]
                if let result = facts.lastResult { metadata["result"] = "\(result)" }
                if let next = facts.nextAttemptAt, facts.state == .failed { metadata["retry_in"] = "\((next - now).components.seconds)s" }
                // Registered while the binding holds, refreshes included (a failed refresh of a
                // binding that has not expired yet still routes calls).
                let holds = facts.expiresAt.map { $0 > now } ?? false
                metrics?.registrationChanged(trunk: facts.trunk, registered: holds, failed: facts.state == .failed)
                if facts.state == .failed {
                    logger.warning("registration failed", metadata: metadata)
                } else {
                    logger.info("registration \(facts.state.rawValue)", metadata: metadata)
                }
            case .policyDecided(let call, let verdict):
                logger.info(
                    "policy decision",
                    metadata: ["call": "\(call)", "meeting": "\(verdict.meetingID)", "decision": "\(verdict.decision)"])
                sink.audit(
                    AuditEntry(
                        at: clock.date(now), callID: call.rawValue, meetingID: verdict.meetingID, kind: "policy.\(verdict.decision)",
                        detail: (verdict.reasons + ["lines: " + verdict.lines.joined(separator: "; ")]).joined(separator: ". ")))
                if verdict.waitsForHost { policyWaitsForHost.insert(call) }
                if let admission = verdict.policy.flatMap(PhoneAdmission.init) { policyAdmissions[call] = admission }
                if verdict.refused {
                    phoneLegs?.yield(
                        .refused(
                            call, meetingID: verdict.meetingID, displayName: verdict.displayName,
                            reason: verdict.refusal ?? verdict.decision))
                }
            }
        }
        flushDatagrams()
        rearmTimer()
    }

    private func flushDatagrams() {
        guard datagramsToFlush else { return }
        datagramsToFlush = false
        udpChannel?.flush()
    }

    private func carryOut(_ instruction: MediaInstruction) {
        guard let media else { return }
        switch instruction {
        case .start(let call, let plan):
            media.start(call, plan: plan) { [self] event in
                loop.execute { self.mediaEvent(event, for: call) }
            }
        case .update(let call, let plan):
            media.update(call, plan: plan)
        case .stop(let call):
            media.stop(call)
            policyWaitsForHost.remove(call)
            policyAdmissions[call] = nil
            if conferencePorts.removeValue(forKey: call) != nil { phoneLegs?.yield(.leave(call)) }
        case .stopPlayback(let call):
            media.stopPlayback(call)
        case .program(let call, .conference(let meetingID, let displayName, let muted)) where phoneLegs != nil:
            // Back from an announcement, the leg keeps its port and its place in the meeting; only
            // the first time does the meeting side hear of it.
            let port = conferencePorts[call] ?? ConferencePort()
            media.setProgram(call, .conference(meetingID: meetingID, displayName: displayName, muted: muted), conference: port)
            if conferencePorts.updateValue(port, forKey: call) == nil {
                let waits = policyWaitsForHost.remove(call) != nil
                let admission = policyAdmissions.removeValue(forKey: call) ?? .direct
                phoneLegs?.yield(
                    .join(
                        call, meetingID: meetingID, displayName: displayName, muted: muted, waitsForHost: waits, admission: admission,
                        port: port))
            }
        case .program(let call, let program):
            media.setProgram(call, program)
        }
    }

    /// The directory is read off the signalling loop (SQLite), and the answer comes back to it.
    private func lookUp(_ meetingID: String, for call: GatewayCallID) {
        guard let meetings else {
            perform(userAgent.meetingLookedUp(nil, for: call, now: now))
            return
        }
        let logger = self.logger
        Task {
            var entry: MeetingEntry?
            do {
                entry = try await meetings.meeting(id: meetingID).map {
                    MeetingEntry(id: $0.id, passcode: $0.passcode, mode: $0.mode.rawValue, tier: $0.tier)
                }
            } catch {
                logger.error("meeting directory failed", metadata: ["call": "\(call)", "error": "\(error)"])
            }
            let found = entry
            loop.execute { self.perform(self.userAgent.meetingLookedUp(found, for: call, now: self.now)) }
        }
    }

    /// Something a leg's media reported, back on the signalling loop.
    private func mediaEvent(_ event: LegMediaEvent, for call: GatewayCallID) {
        switch event {
        case .digit(let digit, let source):
            perform(userAgent.mediaDigit(digit, source: source == .inBand ? .inBand : .rfc4733, for: call, now: now))
        case .noMedia(let silence):
            perform(userAgent.mediaTimedOut(call, after: silence, now: now))
        case .failed(let reason):
            perform(userAgent.hangup(call, by: .gateway, reason: "media failed: \(reason)", now: now) ?? [])
        case .quality(let figures):
            userAgent.mediaQuality(
                CallQuality(
                    packetsReceived: figures.packetsReceived, packetsSent: figures.packetsSent, lossPercent: figures.lossRatio * 100,
                    jitter: figures.jitter, roundTrip: figures.roundTripTime, srtpFailures: figures.srtpFailures),
                for: call)
        case .playbackFinished(let playback):
            perform(userAgent.playbackFinished(playback, for: call, now: now))
        case .sourceLocked(let address):
            logger.debug("media source locked", metadata: ["call": "\(call)", "source": "\(address)"])
        }
    }

    // MARK: - Connections the gateway opens

    /// The gateway's TLS identity, presented when it opens TLS connections; set before the listeners open.
    var tlsContexts: SIPTLSContexts?
    /// Stream connections the gateway opened (registration over TCP or TLS), by destination
    /// (`tcp:HOST:PORT`): requests without a connection of their own reuse them (RFC 3261 §18.1.1).
    private var outbound: [String: UInt64] = [:]
    /// Messages waiting for a connection being opened, by destination (bounded).
    private var connecting: [String: [[UInt8]]] = [:]
    /// The registrars' host names (for TLS: the name their certificate must carry) and trust
    /// anchors, by destination, as the plan in force gives them.
    private var registrarIdentities: [String: (serverName: String, authorityFile: String?)] = [:]
    private static let maxWaitingMessages = 32

    /// Sends over the connection to `peer` the gateway opened, opening it first if needed.
    private func sendOpeningConnection(_ bytes: [UInt8], to peer: SIPPeer) {
        let destination = peer.description
        if let id = outbound[destination], let channel = connections[id] {
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
            return
        }
        if var waiting = connecting[destination] {
            if waiting.count < Self.maxWaitingMessages { waiting.append(bytes) }
            connecting[destination] = waiting
            return
        }
        let identity = registrarIdentities[destination]
        var tls: NIOSSLContext?
        if peer.transport == .tls {
            do {
                tls = try tlsContexts?.clientContext(authorityFile: identity?.authorityFile)
                if tls == nil { tls = try SIPTLSContexts.clientContext(authorityFile: identity?.authorityFile) }
            } catch {
                logger.error("cannot open a TLS connection", metadata: ["peer": "\(peer)", "reason": "\(error)"])
                return
            }
        }
        connecting[destination] = [bytes]
        // SNI and the certificate's name check need a host name: a registrar given as an address is
        // connected to without SNI (give its name in the plan to have the name checked).
        let serverName = identity.flatMap { AddressRange.addressBytes($0.serverName) == nil ? $0.serverName : nil }
        let transport = peer.transport
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(SIPStreamHandler(signalling: self, transport: transport))
                }
            }
            .connect(host: peer.host, port: peer.port)
            .hop(to: loop)
            .whenComplete { [self] result in
                // The connect promise completes just before the pipeline hears channelActive (where
                // the stream handler attaches the connection): look for it one turn of the loop later.
                loop.execute { [self] in
                    let waiting = connecting.removeValue(forKey: destination) ?? []
                    switch result {
                    case .success(let channel):
                        guard let id = connections.first(where: { $0.value === channel })?.key else { return }
                        outbound[destination] = id
                        logger.info("connection opened", metadata: ["peer": "\(peer)", "connection": "\(id)"])
                        for bytes in waiting { channel.write(channel.allocator.buffer(bytes: bytes), promise: nil) }
                        channel.flush()
                    case .failure(let error):
                        // The transaction times out (Timer F) and the registration backs off.
                        logger.warning("cannot connect", metadata: ["peer": "\(peer)", "reason": "\(error)"])
                    }
                }
            }
    }

    private func send(_ message: SIPMessage, to peer: SIPPeer) {
        var bytes: [UInt8] = []
        message.serialize(into: &bytes)
        switch peer.transport {
        case .udp:
            guard let channel = udpChannel, let address = try? SocketAddress(ipAddress: peer.host, port: peer.port) else {
                logger.debug("cannot send over UDP", metadata: ["peer": "\(peer)"])
                return
            }
            let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))
            // Flushed once `perform` has sent all it has to (`flushDatagrams`): a 100 and a 200
            // leave in one sendmmsg, not two sendmsg.
            channel.write(envelope, promise: nil)
            datagramsToFlush = true
        case .tcp, .tls:
            guard let id = peer.connection else {
                // A request of ours with no connection yet (registration over TCP or TLS).
                sendOpeningConnection(bytes, to: peer)
                return
            }
            guard let channel = connections[id] else {
                // RFC 3261 §18.2.2 would open a new connection; the caller's connection is gone,
                // and the transaction will time out (Timer B/F/H) and end the call cleanly.
                logger.debug("connection gone", metadata: ["peer": "\(peer)"])
                return
            }
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
    }

    /// One timer for the whole user agent, armed at its next deadline.
    private func rearmTimer() {
        guard let deadline = userAgent.nextDeadline else {
            timer?.cancel()
            timer = nil
            timerDeadline = nil
            return
        }
        if let current = timerDeadline, current <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let at = NIODeadline.uptimeNanoseconds(UInt64(clamping: max(0, deadline.nanoseconds)))
        timer = loop.scheduleTask(deadline: at) { [self] in
            timer = nil
            timerDeadline = nil
            perform(userAgent.fireTimers(now: now))
        }
    }

    private func log(_ event: CallEvent) {
        let call = event.call
        var metadata: Logger.Metadata = [
            "call": "\(call.id)", "event": "\(event.kind.rawValue)", "state": "\(call.phase.rawValue)",
            "caller": "\(call.caller)", "called": "\(call.called)", "remote": "\(call.peer)", "sip_call_id": "\(call.sipCallID)",
        ]
        if let route = call.route { metadata["route"] = "\(route)" }
        if let outcome = call.outcome { metadata["outcome"] = "\(outcome.rawValue)" }
        if let reason = call.endReason { metadata["reason"] = "\(reason)" }
        logger.info("call \(event.kind.rawValue)", metadata: metadata)
    }
}

extension PhoneAdmission {
    /// What the meeting side must carry out for a policy decision: a lobby or a downgrade with its
    /// settings; nil for any other outcome (admitted or refused on the call side).
    init?(_ decision: PolicyDecision) {
        let kind: Kind
        switch decision.outcome {
        case .lobby: kind = .lobby
        case .downgrade(let automatic): kind = .downgrade(automatic: automatic)
        case .admit, .waitForHost, .refuse: return nil
        }
        self.init(
            kind: kind, timeout: decision.consentTimeout, reUpgrade: decision.reUpgrade,
            upgradeWithPhones: decision.upgradeWithPhones == .block ? .block : .remove)
    }
}
