import Foundation
import Frames
import Media

@testable import Meetings

/// A `standard` meeting's keys as the gateway makes them: the gateway is key manager and key holder,
/// one app client (sender 1) holds the key too, and phone legs 2 and 3 send under the gateway's keys.
/// The same epoch goes into the bridge and into the client's own ring.
struct BridgeFixture {
    static let clientSender: SenderIndex = 1
    static let phoneLegs: [SenderIndex] = [2, 3]

    let gateway = try! ParticipantIdentity(seed: [UInt8](repeating: 0x47, count: 32))
    let client = try! ParticipantIdentity(seed: [UInt8](repeating: 0x43, count: 32))
    let bridge: PhoneBridge
    let clientRing: EpochKeyRing

    init(maxSpeakers: Int = 3) throws {
        bridge = PhoneBridge(gatewayIdentity: gateway.fingerprint, maxSpeakers: maxSpeakers)
        clientRing = EpochKeyRing(localIdentity: client.fingerprint)
        try startEpoch(1, withClient: true)
        for leg in Self.phoneLegs { try bridge.addPhoneLeg(senderIndex: leg) }
    }

    /// Makes, signs and installs epoch `number` in both rings (the client's only while it is a sender).
    func startEpoch(_ number: UInt64, withClient: Bool) throws {
        let secret = try EpochSecret.random()
        var senders = Self.phoneLegs.map { EpochManifest.Sender(senderIndex: UInt64($0.rawValue), source: .phone) }
        var holders = [gateway.fingerprint]
        if withClient {
            senders.append(EpochManifest.Sender(senderIndex: UInt64(Self.clientSender.rawValue), source: .participant(client.fingerprint)))
            holders.append(client.fingerprint)
        }
        let manifest = try EpochManifest(
            meetingID: "123456789", epoch: number, mode: .standard, keyManager: gateway.fingerprint, keyHolders: holders,
            senders: senders, reason: withClient ? .join : .leave, secret: secret)
        let verified = try VerifiedEpochManifest(ownManifest: SignedEpochManifest(signing: manifest, as: gateway), keyManager: gateway)
        try bridge.install(epoch: verified, secret: secret)
        if withClient { try clientRing.install(verified, secret: secret) }
    }
}

/// Test audio: sine tones and a Goertzel detector.
enum ToneCheck {
    /// `count` samples of a sine at `frequency`, starting at sample `offset`.
    static func tone(frequency: Double, sampleRate: Double, amplitude: Double = 8_000, offset: Int = 0, count: Int) -> [Int16] {
        (0..<count).map { index in
            Int16(amplitude * sin(2 * Double.pi * frequency * Double(offset + index) / sampleRate))
        }
    }

    /// Goertzel power of `samples` at `frequency` (about (A·N/2)² for a sine of amplitude A over N samples).
    static func power(_ samples: [Int16], frequency: Double, sampleRate: Double) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / sampleRate)
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    }

    static func rms(_ samples: [Int16]) -> Double {
        (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot()
    }
}
