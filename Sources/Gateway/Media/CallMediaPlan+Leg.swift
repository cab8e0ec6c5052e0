import Calls
import Dialplan
import LegMedia
import Media

/// The prompts the applications play, loaded once at start-up.
struct PromptSource: Sendable {
    let library: PromptLibrary

    func item(_ name: PromptLibrary.Name) -> PromptPlayer.Item { .prompt(library[name]) }

    /// A dialplan playback item; nil for a prompt name the library lacks (the checker refuses
    /// plans that name one, so this only guards against a plan from a newer build).
    func item(_ item: PlaybackItem) -> PromptPlayer.Item? {
        switch item {
        case .prompt(let name): PromptLibrary.Name(rawValue: name).map { .prompt(library[$0]) }
        case .silence(let duration): .silence(duration)
        // -10 dBm0: the level of the 1002 test tone, loud and clear without clipping.
        case .tone(let hertz, let duration): .tone(.beep(frequency: Double(hertz), duration: duration, level: -10))
        }
    }
}

extension CallMediaPlan {
    /// The leg's media configuration: codec, addresses and keys from the offer/answer, and what
    /// what the dialplan has it play.
    func legConfiguration(prompts: PromptSource) -> LegMediaConfiguration {
        let codec: LegMediaConfiguration.Codec =
            switch media.codec.encodingName.lowercased() {
            case "pcma": .pcma
            case "opus": .opus
            default: .pcmu
            }
        let rtp = LegMediaConfiguration.Address(host: media.remoteRTP.address, port: Int(media.remoteRTP.port))
        let rtcp =
            media.remoteRTCP.map { LegMediaConfiguration.Address(host: $0.address, port: Int($0.port)) }
            ?? LegMediaConfiguration.Address(host: rtp.host, port: rtp.port + 1)
        let keys = srtp.flatMap { pair in
            SRTPCryptoSuite(rawValue: pair.suite).map { LegMediaConfiguration.SRTPKeys(suite: $0, local: pair.local, remote: pair.remote) }
        }
        return LegMediaConfiguration(
            codec: codec, payloadType: media.codec.payloadType, telephoneEventPayloadType: media.telephoneEventPayloadType,
            remoteRTP: rtp, remoteRTCP: rtcp, rtcpMux: media.rtcpMux, sends: media.direction.sends, receives: media.direction.receives,
            ptime: .milliseconds(media.ptime), srtp: keys, application: Self.application(program, prompts: prompts),
            // The dialplan decides about barge-in (it stops the prompt itself on a digit).
            noMediaTimeout: noMediaTimeout, bargeIn: false)
    }

    /// What the dialplan has the leg play.
    /// `conference` is the port to the meeting's bridge, for a `.conference` program.
    static func application(
        _ program: MediaProgram, prompts: PromptSource, conference: ConferencePort? = nil
    ) -> LegMediaConfiguration.Application {
        switch program {
        case .conference:
            return conference.map { .conference($0) } ?? .silence
        case .silence:
            return .silence
        case .echo:
            return .echo
        case .playback(let id, let items):
            return .playback(id: id, items.compactMap { prompts.item($0) })
        }
    }
}
