import Frames
import Meetings
import NIOCore
import ParticipantTransport

/// A participant of a dialgate meeting over the participant protocol (docs/participant-protocol.md):
/// joins, verifies and installs key epochs, sends and receives SFrame-protected Opus audio, records
/// what it hears, and reports what happens as `events`.
///
/// ```swift
/// let client = try await MeetingClient.connect(configuration)
/// async let result = client.run()                  // hello, then serves the connection until it closes
/// for await event in client.events { ... }          // joined, roster, epoch (security code), ..., closed
/// ```
/// Audio goes out with `send(_:)` (one 20 ms frame) or `stream(_:)` (a whole signal paced in real
/// time); what comes in is decoded per sender and handed to `onAudio` and the recorder.
public actor MeetingClient {
    /// Counters of one session.
    public struct Statistics: Sendable, Equatable {
        /// Frames protected and queued to the gateway.
        public var framesSent = 0
        /// Frames not sent because no epoch was installed yet.
        public var framesNotSentWithoutKeys = 0
        /// Frames received, opened and decoded.
        public var framesReceived = 0
        /// Frames received before the key of their epoch (counted and dropped).
        public var framesDroppedWithoutKey = 0
        /// Frames that did not authenticate, replayed, were our own, or did not decode.
        public var framesRefused = 0
        /// Frames the outbox dropped because the connection fell behind.
        public var framesDroppedByOutbox = 0
        /// Frames left out of the mix recording (late, or a sender ahead of real time).
        public var framesDroppedFromRecording = 0
    }

    public nonisolated let configuration: MeetingClientConfiguration
    /// This client's identity (fresh unless the configuration gave one); show its fingerprint.
    public nonisolated let identity: ParticipantIdentity
    /// Everything that happens, in order; ends after `.closed`.
    public nonisolated let events: AsyncStream<MeetingEvent>

    private let eventSink: AsyncStream<MeetingEvent>.Continuation
    private let session: WebSocketSession
    private let onAudio: (@Sendable (ReceivedAudio) -> Void)?
    private let outgoing: OutgoingAudio
    private let recorder: MeetingRecorder?
    private var incoming: IncomingAudio?
    private var keys: MeetingKeys?
    private var rosterBySender: [UInt64: Participant] = [:]
    /// Who is in the meeting now, in join order (for the key manager and for checking signers).
    private var present: [Participant] = []
    private let frameLog: FrameLog?
    private var joinedAt: ContinuousClock.Instant?
    private var leftAtSlot: Int?
    private var mode: MeetingMode?
    private var refusal: (code: ParticipantErrorCode, reason: String)?
    private var violation: ParticipantClientError?
    private var recordingError: ParticipantClientError?
    private var framesBeforeWelcome = 0
    private var closed = false
    /// As the host of an `e2ee` meeting downgraded for phone callers (issue 7): the gateway we let hold
    /// the key of our `standard` epochs, and whether policy wants `e2ee` back when the last phone leaves.
    private var downgrade: (gateway: PublicIdentity, reUpgrade: Bool)?
    /// An upgrade we asked for while downgraded, until the gateway relays or refuses it.
    private var upgradeAttempt: (gateway: PublicIdentity, reUpgrade: Bool)?
    private var waiters: [(condition: Condition, continuation: CheckedContinuation<Bool, Never>)] = []

    private enum Condition { case joined, keyed }

    /// The gateway's `welcome`, once admitted.
    public private(set) var welcome: Welcome?

    private init(
        configuration: MeetingClientConfiguration, identity: ParticipantIdentity, session: WebSocketSession,
        onAudio: (@Sendable (ReceivedAudio) -> Void)?
    ) throws(ParticipantClientError) {
        self.configuration = configuration
        self.identity = identity
        self.session = session
        self.onAudio = onAudio
        self.outgoing = try OutgoingAudio()
        self.frameLog = try configuration.frameLog.map { (path) throws(ParticipantClientError) in try FrameLog(path: path) }
        if configuration.recordMix != nil || configuration.recordDirectory != nil {
            recorder = try MeetingRecorder(mixPath: configuration.recordMix, directory: configuration.recordDirectory)
        } else {
            recorder = nil
        }
        (events, eventSink) = AsyncStream.makeStream(of: MeetingEvent.self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// Opens the WebSocket connection (nothing is sent yet: `run` sends `hello`). Recording files are
    /// created here, so a path that cannot be written fails before joining. `onAudio` gets every
    /// decoded frame, on the client's actor, with samples valid during the call only.
    public static func connect(
        _ configuration: MeetingClientConfiguration, onAudio: (@Sendable (ReceivedAudio) -> Void)? = nil
    ) async throws(ParticipantClientError) -> MeetingClient {
        let identity: ParticipantIdentity
        if let given = configuration.identity {
            identity = given
        } else {
            do throws(FramesError) { identity = try ParticipantIdentity.generate() } catch { throw .frames(error) }
        }
        let session: WebSocketSession
        do {
            session = try await ParticipantWebSocketClient.connect(
                configuration.server, trustedCertificates: configuration.trustedCertificates,
                maxMessageSize: ParticipantProtocol.maxGatewayMessageBytes)
        } catch {
            throw .connectionFailed("\(configuration.server): \(error)")
        }
        do {
            return try MeetingClient(configuration: configuration, identity: identity, session: session, onAudio: onAudio)
        } catch {
            session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "client could not start"))
            throw error
        }
    }

    /// Sends `hello`, then serves the connection until it closes, and finishes the recordings.
    /// Returns the gateway's close frame (1000 after `leave` or when the meeting ended). Throws when
    /// the join was refused or the connection closed before `welcome`, when the gateway broke the
    /// protocol, or when a recording could not be written.
    @discardableResult
    public func run() async throws(ParticipantClientError) -> WebSocketClose? {
        let hello = Hello(
            meeting: configuration.meeting, passcode: configuration.passcode, name: configuration.name, role: configuration.role,
            identity: IdentityKeys(identity.publicIdentity))
        session.outbox.send(text: ParticipantProtocol.encode(.hello(hello)))
        let close = await session.run { message in await self.handle(message) }
        closed = true
        finishRecording()
        frameLog?.flush()
        resumeWaiters()
        eventSink.yield(.closed(close))
        eventSink.finish()
        if let violation { throw violation }
        guard welcome != nil else {
            if let refusal { throw .refused(code: refusal.code, reason: refusal.reason) }
            throw .closedBeforeWelcome(close)
        }
        if let recordingError { throw recordingError }
        return close
    }

    /// Sends `leave`; the gateway answers by closing the connection (1000), which ends `run`.
    public func leave() {
        guard !closed, leftAtSlot == nil else { return }
        leftAtSlot = currentSlot()
        session.outbox.send(text: ParticipantProtocol.encode(.leave))
    }

    /// Closes the connection from this side (for when the gateway does not answer `leave`).
    public func disconnect(reason: String = "leaving") {
        if leftAtSlot == nil { leftAtSlot = currentSlot() }
        session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: reason))
    }

    /// Sends one protocol message (`mute`, `remove`, `lock`, `end`).
    public func send(_ message: ParticipantMessage) {
        session.outbox.send(text: ParticipantProtocol.encode(message))
    }

    /// Sends one 20 ms frame (`MeetingAudio.samplesPerFrame` samples at 48 kHz). Returns false when
    /// no epoch is installed yet (the frame is counted and dropped).
    @discardableResult
    public func send(_ pcm: [Int16]) throws(ParticipantClientError) -> Bool {
        guard welcome != nil, !closed else { throw .misuse("not in a meeting: join first") }
        advanceRecording()
        let frame = try pcm.withUnsafeBufferPointer { (pcm) throws(ParticipantClientError) -> ByteBuffer? in
            try outgoing.frame(pcm, sender: keys?.ring.ownSender)
        }
        guard let frame else { return false }
        frameLog?.record(frame, .sent)
        session.outbox.send(frame: frame)
        return true
    }

    /// Sends `samples` (48 kHz mono) as 20 ms frames paced by the clock (`FrameSchedule`), the last
    /// one padded with silence, then silence until the task is cancelled or the connection closes
    /// (unless `thenSilence` is false). Starts once the first epoch is installed, so nothing of the
    /// signal is lost to missing keys.
    public func stream(_ samples: [Int16], thenSilence: Bool = true) async throws(ParticipantClientError) {
        guard await waitForKeys() else { return }
        let clock = ContinuousClock()
        var schedule = FrameSchedule(start: clock.now)
        var frame = [Int16](repeating: 0, count: MeetingAudio.samplesPerFrame)
        var offset = 0
        while !Task.isCancelled, !closed {
            if offset < samples.count {
                let count = min(MeetingAudio.samplesPerFrame, samples.count - offset)
                frame.withUnsafeMutableBufferPointer { frame in
                    samples.withUnsafeBufferPointer { samples in
                        for index in 0..<MeetingAudio.samplesPerFrame {
                            frame[index] = index < count ? samples[offset + index] : 0
                        }
                    }
                }
                offset += count
            } else if thenSilence {
                if offset != Int.max {
                    for index in frame.indices { frame[index] = 0 }
                    offset = Int.max
                }
            } else {
                return
            }
            try send(frame)
            do {
                try await clock.sleep(until: schedule.next(now: clock.now), tolerance: .milliseconds(1))
            } catch {
                return
            }
        }
    }

    /// Waits until `welcome` arrived; false when the connection closed first.
    public func waitUntilJoined() async -> Bool {
        if welcome != nil { return true }
        if closed { return false }
        return await withCheckedContinuation { waiters.append((.joined, $0)) }
    }

    /// Waits until the first epoch is installed; false when the connection closed first.
    public func waitForKeys() async -> Bool {
        if keys?.hasKeys == true { return true }
        if closed { return false }
        return await withCheckedContinuation { waiters.append((.keyed, $0)) }
    }

    /// The counters of this session so far.
    public var statistics: Statistics {
        var statistics = Statistics()
        statistics.framesSent = outgoing.framesProtected
        statistics.framesNotSentWithoutKeys = outgoing.framesWithoutKeys
        statistics.framesReceived = incoming?.decoded ?? 0
        statistics.framesDroppedWithoutKey = (incoming?.droppedWithoutKey ?? 0) + framesBeforeWelcome
        statistics.framesRefused = (incoming?.refused ?? 0) + (incoming?.undecodable ?? 0)
        statistics.framesDroppedByOutbox = session.outbox.droppedFrames
        statistics.framesDroppedFromRecording = recorder?.droppedFrames ?? 0
        return statistics
    }

    /// The newest epoch this client holds keys for.
    public var currentEpoch: UInt64? { keys?.ring.current?.manifest.epoch }

    /// Opens a frame with the keys this client holds (current and previous epoch), as received frames
    /// are opened, without decoding it: what a participant that left can still open, and what not.
    public func unprotect(_ frame: [UInt8]) throws(ParticipantClientError) -> EpochKeyRing.ReceivedFrame {
        guard let keys else { throw .misuse("not in a meeting: join first") }
        do throws(FramesError) { return try keys.ring.unprotect(frame) } catch { throw .frames(error) }
    }

    /// The current epoch's security code, once keyed.
    public var securityCode: SecurityCode? { keys?.ring.current?.securityCode }

    /// The roster as this client knows it, by sender index (participants who left stay, so late
    /// frames keep their names).
    public var participantsBySender: [UInt64: Participant] { rosterBySender }

    // MARK: - Incoming

    private func handle(_ message: WebSocketMessage) {
        switch message {
        case .binary(let frame):
            receive(frame)
        case .text(let text):
            do throws(ParticipantProtocolError) {
                handle(try ParticipantProtocol.decode(text, from: .fromGateway))
            } catch {
                fail(.protocolViolation("\(error)"))
            }
        }
    }

    private func handle(_ message: ParticipantMessage) {
        switch message {
        case .welcome(let welcome):
            admit(welcome)
        case .roster(let update):
            rosterBySender[UInt64(update.participant.senderIndex.rawValue)] = update.participant
            switch update.event {
            case .joined:
                present.append(update.participant)
                do throws(ParticipantClientError) { try keys?.learnHost(from: update.participant) } catch {
                    fail(error)
                    return
                }
            case .left, .removed:
                present.removeAll { $0.id == update.participant.id }
                incoming?.forget(senderIndex: UInt64(update.participant.senderIndex.rawValue))
            case .muted, .unmuted, .speaking:
                if let index = present.firstIndex(where: { $0.id == update.participant.id }) { present[index] = update.participant }
            }
            eventSink.yield(.roster(update))
            switch update.event {
            // A phone joins a downgraded meeting's epochs as a sender (its KID), so it needs one too.
            case .joined where update.participant.kind == .app || downgrade != nil: rotateKeys(reason: .join)
            case .left, .removed:
                if let downgrade, downgrade.reUpgrade, update.participant.kind == .phone, !present.contains(where: { $0.kind == .phone }) {
                    // The last phone left and policy wants the meeting end-to-end again: a new epoch
                    // not sealed to the gateway.
                    self.downgrade = nil
                    rotateKeys(reason: .upgrade)
                } else {
                    rotateKeys(reason: update.event == .left ? .leave : .removal)
                }
            default: break
            }
        case .epoch(let announcement):
            guard let keys else {
                fail(.protocolViolation("an epoch arrived before welcome"))
                return
            }
            do throws(ParticipantClientError) {
                installed(try keys.install(announcement, participants: presentIdentities))
            } catch {
                refused(error, epoch: announcement.epoch)
            }
        case .locked(let locked):
            eventSink.yield(.locked(locked))
        case .notice(let notice):
            // The gateway relayed our upgrade (its notice to everyone): it cannot be refused any more.
            if notice.event == .upgraded { upgradeAttempt = nil }
            eventSink.yield(.notice(notice))
        case .admissionRequest(let request):
            answer(request)
        case .ended(let reason):
            eventSink.yield(.ended(reason: reason))
        case .error(let code, let reason):
            if welcome == nil { refusal = (code, reason) }
            if code == .rekeyRefused, let attempt = upgradeAttempt {
                // The gateway refused our upgrade (policy blocks it while phones are in): the meeting
                // stays downgraded, and a new standard epoch replaces the one nobody else installed.
                upgradeAttempt = nil
                downgrade = attempt
                rotateKeys(reason: .downgrade)
            }
            eventSink.yield(.error(code: code, reason: reason))
        case .hello, .mute, .remove, .lock, .end, .leave, .create, .rekey, .admission:
            // Decoding `.fromGateway` refuses these already; kept exhaustive on purpose.
            fail(.protocolViolation("the gateway sent a client message (\(message.kind.rawValue))"))
        case .created:
            fail(.protocolViolation("'created' without a 'create'"))
        }
    }

    private func admit(_ welcome: Welcome) {
        guard self.welcome == nil else {
            fail(.protocolViolation("a second welcome"))
            return
        }
        do throws(ParticipantClientError) {
            if let makeSecret = configuration.makeEpochSecret {
                keys = try MeetingKeys(
                    identity: identity, welcome: welcome, role: configuration.role, expectedHost: configuration.expectedHost,
                    makeSecret: makeSecret)
            } else {
                keys = try MeetingKeys(
                    identity: identity, welcome: welcome, role: configuration.role, expectedHost: configuration.expectedHost)
            }
        } catch {
            fail(error)
            return
        }
        self.welcome = welcome
        joinedAt = .now
        mode = welcome.mode
        incoming = IncomingAudio(ownSenderIndex: UInt64(welcome.senderIndex.rawValue))
        for participant in welcome.roster { rosterBySender[UInt64(participant.senderIndex.rawValue)] = participant }
        present = welcome.roster
        eventSink.yield(.joined(welcome))
        eventSink.yield(.mode(welcome.mode, reason: "join"))
        rotateKeys(reason: welcome.epoch == nil ? .start : .join)
        resumeWaiters()
    }

    // MARK: - Keys of an e2ee meeting

    /// The identities of everyone here, for checking a co-host's signature.
    private var presentIdentities: [PublicIdentity] {
        present.compactMap(\.verifiedIdentity)
    }

    /// After a join or leave in an `e2ee` meeting: the key manager (us, if we are the host, or the
    /// co-host in charge while the host is away) starts a new epoch for everyone here; anyone else
    /// without keys, or left without a key manager, is told what it waits for.
    private func rotateKeys(reason: EpochManifest.Reason) {
        guard let keys, keys.mode == .e2ee, !closed else { return }
        guard keys.managesKeys(present: present) else {
            reportKeyWait()
            return
        }
        let coHosts = keys.isHost ? present.filter { configuration.coHostNames.contains($0.name) && $0.id != welcome?.participant } : []
        do throws(ParticipantClientError) {
            let (rekey, info) = try keys.makeEpoch(
                present: present, reason: reason,
                coHosts: coHosts.compactMap { $0.verifiedIdentity?.fingerprint }, downgradedFor: downgrade?.gateway)
            session.outbox.send(text: ParticipantProtocol.encode(.rekey(rekey)))
            installed(info)
        } catch {
            refused(error, epoch: keys.newestEpoch + 1)
        }
    }

    /// A phone caller asks to join our `e2ee` meeting: answer as configured (an automatic downgrade
    /// without asking). Accepting a caller while the meeting is end-to-end encrypted is consent to the
    /// downgrade: our next epoch is `standard`, sealed to the gateway named in the request too.
    private func answer(_ request: AdmissionRequest) {
        let answer = request.automatic ? .accept : configuration.admissionAnswer
        eventSink.yield(.admissionRequest(request, answer: answer))
        guard answer != .ignore, let keys, keys.isHost else { return }
        guard answer == .accept else {
            send(.admission(request: request.request, accept: false))
            return
        }
        let gateway: PublicIdentity
        do throws(FramesError) { gateway = try PublicIdentity(request.gateway) } catch {
            eventSink.yield(
                .error(code: .invalidValue, reason: "the gateway's identity in the admission request does not verify: \(error)"))
            send(.admission(request: request.request, accept: false))
            return
        }
        send(.admission(request: request.request, accept: true))
        if downgrade == nil {
            downgrade = (gateway, request.reUpgrade)
            rotateKeys(reason: .downgrade)
        }
    }

    /// As the host of a downgraded meeting: make it end-to-end encrypted again now, phones or not
    /// (policy `upgrade-with-phones` decides whether the phones go or the upgrade is refused).
    public func upgrade() {
        guard let current = downgrade else { return }
        downgrade = nil
        upgradeAttempt = current
        rotateKeys(reason: .upgrade)
    }

    /// `waitingForKeys` when no one here can give us (new) keys.
    private func reportKeyWait() {
        guard let keys, let host = keys.host else {
            eventSink.yield(.waitingForKeys(reason: "the gateway has not seen the host: keys come from the host only"))
            return
        }
        let hostHere = presentIdentities.contains { $0.fingerprint == host.fingerprint }
        let coHostHere = presentIdentities.contains { keys.verifier.coHosts.contains($0.fingerprint) }
        if !hostHere && !coHostHere {
            let epoch = keys.ring.current.map { "epoch \($0.manifest.epoch) stays" } ?? "no keys yet"
            eventSink.yield(.waitingForKeys(reason: "the host is away and no co-host it named is here: \(epoch) until the host returns"))
        } else if !keys.hasKeys {
            eventSink.yield(
                .waitingForKeys(reason: hostHere ? "waiting for the host's first epoch" : "waiting for the co-host's first epoch"))
        }
    }

    private func installed(_ info: EpochInfo) {
        eventSink.yield(.epoch(info))
        if info.mode != mode {
            mode = info.mode
            eventSink.yield(.mode(info.mode, reason: info.reason))
        }
        resumeWaiters()
    }

    private func refused(_ error: ParticipantClientError, epoch: UInt64) {
        let reason: String
        if case .epochRefused(_, let cause) = error { reason = "\(cause)" } else { reason = "\(error)" }
        eventSink.yield(.epochRefused(epoch: epoch, reason: reason))
    }

    private func receive(_ frame: ByteBuffer) {
        frameLog?.record(frame, .received)
        guard let incoming else {
            framesBeforeWelcome += 1
            return
        }
        let arrival = currentSlot()
        incoming.receive(frame, keys: keys, roster: rosterBySender) { audio in
            onAudio?(audio)
            guard let recorder, recordingError == nil else { return }
            do throws(ParticipantClientError) {
                try recorder.record(audio.samples, senderIndex: audio.senderIndex, participant: audio.participant, arrivalSlot: arrival)
            } catch {
                recordingFailed(error)
            }
        }
    }

    /// The gateway broke the protocol: report it and close (1002).
    private func fail(_ error: ParticipantClientError) {
        if violation == nil { violation = error }
        eventSink.yield(.error(code: .protocolError, reason: error.description))
        session.outbox.close(WebSocketClose(code: WebSocketClose.protocolError, reason: "client: \(error)"))
    }

    private func resumeWaiters() {
        var waiting: [(condition: Condition, continuation: CheckedContinuation<Bool, Never>)] = []
        for waiter in waiters {
            let met =
                switch waiter.condition {
                case .joined: welcome != nil
                case .keyed: keys?.hasKeys == true
                }
            if met {
                waiter.continuation.resume(returning: true)
            } else if closed {
                waiter.continuation.resume(returning: false)
            } else {
                waiting.append(waiter)
            }
        }
        waiters = waiting
    }

    // MARK: - Recording

    private func currentSlot() -> Int {
        joinedAt.map { MeetingAudio.slot(after: .now - $0) } ?? 0
    }

    private func advanceRecording() {
        guard let recorder, recordingError == nil else { return }
        do throws(ParticipantClientError) { try recorder.advance(to: currentSlot()) } catch { recordingFailed(error) }
    }

    private func finishRecording() {
        guard let recorder else { return }
        do throws(ParticipantClientError) {
            try recorder.finish(endSlot: leftAtSlot ?? currentSlot())
        } catch {
            recordingFailed(error)
        }
    }

    private func recordingFailed(_ error: ParticipantClientError) {
        if recordingError == nil {
            recordingError = error
            eventSink.yield(.error(code: "recording", reason: error.description))
        }
    }
}
