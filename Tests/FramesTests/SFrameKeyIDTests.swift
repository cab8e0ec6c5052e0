import Frames
import TestSupport
import Testing

@Suite("KID = senderIndex << 8 | epoch bits (RFC 9605 §5.2 style)")
struct SFrameKeyIDTests {
    @Test func packsSenderIndexAboveEightEpochBits() throws {
        #expect(try SFrameKeyID(senderIndex: 1, epoch: 7).rawValue == 0x107)
        #expect(try SFrameKeyID(senderIndex: 0, epoch: 0).rawValue == 0)
        #expect(try SFrameKeyID(senderIndex: 0x1234, epoch: 0x1_02FF).rawValue == 0x12_34FF)
        #expect(try SFrameKeyID(senderIndex: SFrameKeyID.maximumSenderIndex, epoch: .max).rawValue == .max)
        // Epochs 256 apart give the same KID; consecutive ones do not.
        #expect(try SFrameKeyID(senderIndex: 3, epoch: 5) == SFrameKeyID(senderIndex: 3, epoch: 261))
        #expect(try SFrameKeyID(senderIndex: 3, epoch: 5) != SFrameKeyID(senderIndex: 3, epoch: 6))
    }

    @Test func unpacksEveryValue() throws {
        var generator = SeededGenerator(seed: 9605_0502)
        for _ in 0..<1000 {
            let raw = UInt64.random(in: 0...UInt64.max, using: &generator)
            let keyID = SFrameKeyID(rawValue: raw)
            #expect(keyID.rawValue == raw)
            #expect(keyID.senderIndex == raw >> 8)
            #expect(keyID.epochBitsValue == UInt8(raw & 0xFF))
            #expect(try SFrameKeyID(senderIndex: keyID.senderIndex, epoch: raw) == keyID)
            #expect(keyID.matches(epoch: raw & 0xFF + 0x100))
            #expect(!keyID.matches(epoch: (raw &+ 1) & 0xFF))
        }
    }

    @Test func senderIndexMustFit() {
        #expect(
            keyError { try SFrameKeyID(senderIndex: SFrameKeyID.maximumSenderIndex + 1, epoch: 0) }
                == .senderIndexOutOfRange(SFrameKeyID.maximumSenderIndex + 1))
    }
}
