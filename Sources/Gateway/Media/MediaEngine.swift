import Calls
import Foundation
import LegMedia
import Logging
import Media
import NIOCore
import NIOPosix

/// Runs the media of every phone leg: legs are spread over the event loops, and each loop's
/// `MediaLoop` paces all of its legs with one 20 ms clock (DESIGN.md §2).
final class MediaEngine: Sendable {
    private let loops: [MediaLoop]
    private let bindHost: String
    let prompts: PromptSource

    init(group: any EventLoopGroup, bindHost: String, prompts: PromptSource, logger: Logger) {
        self.loops = group.makeIterator().map { MediaLoop(loop: $0, logger: logger) }
        self.bindHost = bindHost
        self.prompts = prompts
    }

    /// The loop for a meeting's phone bridge: that of the leg that brings the bridge into being, so
    /// a meeting's bridge and (in the common case of one phone) its leg step in the same tick.
    func bridgeLoop(for call: GatewayCallID) -> MediaLoop { loop(for: call) }

    /// The loop that owns a call's leg, chosen by call id so every instruction finds it again.
    private func loop(for call: GatewayCallID) -> MediaLoop {
        var hasher = Hasher()
        hasher.combine(call)
        return loops[Int(UInt(bitPattern: hasher.finalize()) % UInt(loops.count))]
    }

    func start(_ call: GatewayCallID, plan: CallMediaPlan, events: @escaping @Sendable (LegMediaEvent) -> Void) {
        let configuration = plan.legConfiguration(prompts: prompts)
        let target = loop(for: call)
        target.loop.execute { target.open(call, port: plan.localPort, host: self.bindHost, configuration: configuration, events: events) }
    }

    func update(_ call: GatewayCallID, plan: CallMediaPlan) {
        let configuration = plan.legConfiguration(prompts: prompts)
        let target = loop(for: call)
        target.loop.execute { target.update(call, configuration: configuration) }
    }

    func stopPlayback(_ call: GatewayCallID) {
        let target = loop(for: call)
        target.loop.execute { target.stopPlayback(call) }
    }

    func setProgram(_ call: GatewayCallID, _ program: MediaProgram, conference: ConferencePort? = nil) {
        let application = CallMediaPlan.application(program, prompts: prompts, conference: conference)
        let target = loop(for: call)
        target.loop.execute { target.setApplication(call, application) }
    }

    func stop(_ call: GatewayCallID) {
        let target = loop(for: call)
        target.loop.execute { target.close(call) }
    }
}
