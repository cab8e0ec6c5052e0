import Calls
import ControlAPI
import Dialplan
import Foundation

/// Answers control-API commands from the live gateway: live calls from the signalling loop,
/// finished ones from the call records, meetings from the meeting directory, and `reload` by the
/// dialplan reloader it is given.
struct GatewayControlHandler: ControlCommandHandler {
    let signalling: SignallingLoop
    let sip: SignallingService
    let store: CallRecordStore
    let meetings: MeetingDirectory
    let events: CallEventFanout
    let version: String
    let startedAt: Date
    let controlSocket: String
    /// Listeners other than SIP and control (the participant server), for `status`.
    let otherListeners: [GatewayStatus.Listener]
    /// The live meetings of app participants, for `meeting lock` and `meeting end`.
    let rooms: MeetingRooms?
    /// Reads, checks and swaps in the dialplans; returns the outcome also when the new plan is
    /// refused (the previous one then stays active).
    let reloadDialplans: @Sendable () async -> DialplanReloadResult
    /// The plan in force and the last reload, for `status`.
    let dialplanStatus: @Sendable () async -> DialplanStatus?

    init(
        signalling: SignallingLoop, sip: SignallingService, store: CallRecordStore, meetings: MeetingDirectory,
        events: CallEventFanout, version: String, startedAt: Date, controlSocket: String,
        otherListeners: [GatewayStatus.Listener] = [], rooms: MeetingRooms? = nil,
        reloadDialplans: @escaping @Sendable () async -> DialplanReloadResult,
        dialplanStatus: @escaping @Sendable () async -> DialplanStatus? = { nil }
    ) {
        self.dialplanStatus = dialplanStatus
        self.signalling = signalling
        self.sip = sip
        self.store = store
        self.meetings = meetings
        self.events = events
        self.version = version
        self.startedAt = startedAt
        self.controlSocket = controlSocket
        self.otherListeners = otherListeners
        self.rooms = rooms
        self.reloadDialplans = reloadDialplans
    }

    func handle(_ command: ControlCommand) async -> Result<ControlReplyPayload, ControlError> {
        do {
            switch command {
            case .status:
                let counters = try await signalling.counters().get()
                let listeners = sip.listeners + otherListeners + [GatewayStatus.Listener(kind: "control", address: controlSocket)]
                var status = GatewayStatus(
                    version: version, startedAt: startedAt, uptimeSeconds: Date().timeIntervalSince(startedAt),
                    listeners: listeners, activeCalls: counters.active, totalCalls: counters.total, draining: counters.draining)
                if let census = await rooms?.census() {
                    status.activeMeetings = census.meetingsByMode.values.reduce(0, +)
                    status.participants = census.appParticipants + census.phoneParticipants
                }
                status.dialplan = await dialplanStatus()
                let registrations = try await signalling.registrations().get()
                if !registrations.isEmpty { status.registrations = registrations }
                return .success(.status(status))
            case .trunks:
                return .success(.trunks(try await signalling.trunks().get()))
            case .calls:
                let calls = try await signalling.calls().get()
                return .success(.calls(calls.map { CallSnapshot($0, clock: signalling.clock) }))
            case .call(let id):
                if let live = try await signalling.call(GatewayCallID(id)).get() {
                    return .success(.call(CallSnapshot(live, clock: signalling.clock, withTimeline: true)))
                }
                if let record = try await store.record(id: id) {
                    return .success(.call(record.call))
                }
                return .failure(.notFound(id))
            case .history(let query):
                // Records are group-committed; flush so that a call that just ended is listed.
                _ = try await store.flush()
                return .success(.history(try await store.history(query).map(\.call)))
            case .hangup(let id):
                guard try await signalling.hangup(GatewayCallID(id)).get() else { return .failure(.notFound(id)) }
                guard let call = try await signalling.call(GatewayCallID(id)).get() else {
                    // Unanswered calls end at once (a final response, no BYE to wait for).
                    _ = try await store.flush()
                    if let record = try await store.record(id: id) { return .success(.call(record.call)) }
                    return .failure(.notFound(id))
                }
                return .success(.call(CallSnapshot(call, clock: signalling.clock)))
            case .watchCalls:
                // The control server answers subscriptions itself (with `.calls` and
                // `callEvents()`); this only keeps the switch total for a direct caller.
                let calls = try await signalling.calls().get()
                return .success(.watching(calls.map { CallSnapshot($0, clock: signalling.clock) }))
            case .meetings:
                return .success(.meetings(try await meetings.meetings().map { MeetingSnapshot($0, includingPasscode: false) }))
            case .meeting(let id):
                guard let meeting = try await meetings.meeting(id: id) else { return .failure(.meetingNotFound(id)) }
                // The operator asked for this one meeting: its passcode is part of the answer, and
                // its audit trail.
                var snapshot = MeetingSnapshot(meeting, includingPasscode: true)
                _ = try await store.flush()
                snapshot.audit = try await store.audit(meetingID: id).map {
                    AuditRow(at: $0.at, call: $0.callID, kind: $0.kind, detail: $0.detail)
                }
                snapshot.downgrade = await rooms?.downgrade(of: id)
                if let live = await rooms?.roster(of: id) {
                    snapshot.roster = live.members
                    snapshot.epoch = live.epoch
                }
                return .success(.meeting(snapshot))
            case .meetingCreate(let creation):
                return await createMeeting(creation)
            case .meetingLock(let id, let locked):
                guard let meeting = try await meetings.setLocked(id: id, locked) else { return .failure(.meetingNotFound(id)) }
                await rooms?.lock(meetingID: id, locked)
                return .success(.meeting(MeetingSnapshot(meeting, includingPasscode: false)))
            case .meetingEnd(let id):
                guard let meeting = try await meetings.meeting(id: id) else { return .failure(.meetingNotFound(id)) }
                await rooms?.end(meetingID: id, reason: "the operator ended the meeting")
                return .success(.meeting(MeetingSnapshot(meeting, includingPasscode: false)))
            case .reload:
                return .success(.reload(await reloadDialplans()))
            case .policyExplain(let request):
                return try await explainPolicy(request)
            }
        } catch {
            return .failure(.internal("\(error)"))
        }
    }

    /// `policyExplain`: the pure decision (`PolicyDecision`) on the live facts, no call placed.
    private func explainPolicy(_ request: PolicyExplainRequest) async throws -> Result<ControlReplyPayload, ControlError> {
        guard let meeting = try await meetings.meeting(id: request.meeting) else { return .failure(.meetingNotFound(request.meeting)) }
        let plan = try await signalling.dialplan().get()
        var srtp = request.srtp ?? false
        if let name = request.trunk {
            guard let trunk = plan.document.trunk(named: name) else {
                let known = plan.document.trunks.map(\.name).joined(separator: ", ")
                return .failure(.badRequest("unknown trunk '\(name)' (the plan has: \(known.isEmpty ? "none" : known))"))
            }
            if request.srtp == nil { srtp = trunk.srtp == .mandatory }
        }
        if let policy = request.policy, plan.document.policy(named: policy) == nil {
            return .failure(.badRequest("unknown policy '\(policy)'"))
        }
        let hostPresent = await rooms?.hostIsPresent(in: meeting.id) ?? false
        let question = PolicyDecision.Question(
            meetingID: meeting.id, mode: meeting.mode == .e2ee ? .e2ee : .standard, tier: meeting.tier, hostPresent: hostPresent,
            srtp: srtp, routePolicy: request.policy)
        let decision = PolicyDecision.decide(question, in: plan.document)
        let outcome = decision.outcome.label
        let lobby: Int? = if case .lobby(let timeout) = decision.outcome { Int(timeout.components.seconds) } else { nil }
        let shown =
            switch decision.callerIDDisplay {
            case .full: request.caller
            case .masked: CallRequestFacts.masked(request.caller)
            case .hidden: "Phone"
            }
        return .success(
            .policy(
                PolicyExplanation(
                    meeting: meeting.id, mode: MeetingMode(rawValue: meeting.mode.rawValue), tier: meeting.tier, hostPresent: hostPresent,
                    srtp: srtp, outcome: outcome, lobbySeconds: lobby, reasons: decision.reasons,
                    lines: decision.lines.map {
                        PolicyExplanation.Line(
                            setting: $0.setting, value: $0.value, source: $0.source, location: $0.location.map(\.description))
                    }, callerShown: shown, reUpgrade: decision.reUpgrade, planVersion: plan.version)))
    }

    /// `meetingCreate`: the reply carries the passcode (the gateway may have generated it).
    private func createMeeting(_ creation: MeetingCreation) async -> Result<ControlReplyPayload, ControlError> {
        guard let mode = MeetingRecord.Mode(rawValue: creation.mode.rawValue) else {
            let known = MeetingRecord.Mode.allCases.map(\.rawValue).joined(separator: " or ")
            return .failure(.badRequest("mode must be \(known), not '\(creation.mode.rawValue)'"))
        }
        var hostSigningKey: [UInt8]?
        if let hostKey = creation.hostKey {
            guard let key = Data(base64Encoded: hostKey), key.count == 32 else {
                return .failure(.badRequest("hostKey must be the host's 32-byte signing key in base64"))
            }
            hostSigningKey = Array(key)
        }
        guard let plan = try? await signalling.dialplan().get() else { return .failure(.internal("the dialplan is not loaded")) }
        do {
            let meeting = try await meetings.create(
                id: creation.id, passcode: creation.passcode, mode: mode, tier: creation.tier, host: creation.host,
                phonesWaitForHost: creation.phonesWaitForHost, hostSigningKey: hostSigningKey,
                e2eeAllowed: PolicyDecision.allowsE2EECreation(tier: creation.tier, in: plan.document))
            return .success(.meeting(MeetingSnapshot(meeting, includingPasscode: true)))
        } catch {
            return .failure(error.controlError)
        }
    }

    func callEvents() -> AsyncStream<ControlEvent> {
        events.subscribe()
    }
}
