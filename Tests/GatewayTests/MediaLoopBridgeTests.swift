import Frames
import LegMedia
import Logging
import Meetings
import NIOPosix
import Testing

@testable import Gateway

/// A meeting's bridge on a media loop without legs of its own there: the loop's clock runs for the
/// bridge alone, the bridge takes the phone's audio and gives back its mix every 20 ms, and leaving
/// the loop stops it.
@Suite struct MediaLoopBridgeTests {
    @Test func theLoopClockStepsABridgeUntilItLeaves() async throws {
        let mediaLoop = MediaLoop(loop: MultiThreadedEventLoopGroup.singleton.next(), logger: Logger(label: "test"))
        let bridge = MediaLoopBridge(
            meetingID: "5000000001", gatewayIdentity: try ParticipantIdentity.generate().fingerprint, on: mediaLoop,
            logger: Logger(label: "test"), speakingChanged: { _ in })
        let port = ConferencePort(depth: 3)
        bridge.start()
        bridge.send(.addPhoneLeg(SenderIndex(rawValue: 1), port, muted: false))

        // The phone plays 20 ms of audio; within a few ticks the bridge has taken it and the
        // phone's mix (silence: nobody else speaks) is waiting in the port.
        let tone = (0..<ConferencePort.frameSize).map { Int16(8000 * sin(Double($0) * 0.3)) }
        tone.withUnsafeBufferPointer { port.depositFromLeg($0) }
        var mix = [Int16](repeating: 1, count: ConferencePort.frameSize)
        var mixes = 0
        for _ in 0..<50 where mixes < 2 {
            try await Task.sleep(for: .milliseconds(20))
            if mix.withUnsafeMutableBufferPointer({ port.takeForLeg(into: $0) }) { mixes += 1 }
        }
        #expect(mixes == 2, "the bridge gave back a mix every tick")
        #expect(mix.allSatisfy { $0 == 0 }, "a phone alone hears silence, never itself")
        var left = mix
        #expect(!left.withUnsafeMutableBufferPointer { port.takeFromLeg(into: $0) }, "the bridge took the phone's audio")

        bridge.stop()
        try await Task.sleep(for: .milliseconds(60))
        while mix.withUnsafeMutableBufferPointer({ port.takeForLeg(into: $0) }) {}
        try await Task.sleep(for: .milliseconds(100))
        #expect(!mix.withUnsafeMutableBufferPointer { port.takeForLeg(into: $0) }, "a bridge that left the loop is not stepped")
    }
}
