import Calls
import Dialplan
import LegMedia
import Media

/// The prompts the applications play, loaded once at start-up.
struct PromptSource: Sendable {
    let library: PromptLibrary

    func item(_ name: PromptLibrary.Name) -> PromptPlayer.Item { .prompt(library[name]) }
}

extension CallMediaPlan {
    /// The leg's media configuration: codec, addresses and keys from the offer/answer, and what
    /// the application plays.
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
            ptime: .milliseconds(media.ptime), srtp: keys, application: Self.application(application, prompts: prompts),
            noMediaTimeout: noMediaTimeout, bargeIn: application == .meetingEntry)
    }

    /// What the built-in applications play (DESIGN.md §3).
    static func application(_ application: CallApplication?, prompts: PromptSource) -> LegMediaConfiguration.Application {
        switch application {
        case .echo?:
            return .echo
        case .toneTest?:
            // 1002: the prompt, then a 1 kHz test tone at -10 dBm0 for 3 s, then a beep.
            return .playback([
                prompts.item(.toneTest), .silence(.milliseconds(300)), .tone(.beep(frequency: 1000, duration: .seconds(3), level: -10)),
                .silence(.milliseconds(500)), .tone(.beep(frequency: 440, duration: .milliseconds(300), level: -10)),
            ])
        case .meetingEntry?:
            // 1000: the welcome and the first question; collecting the digits is the dialplan's.
            return .playback([prompts.item(.welcome), .silence(.milliseconds(300)), prompts.item(.enterMeetingID)])
        case nil:
            return .silence
        }
    }
}
