import Frames
import Media
import NIOCore

/// Turns 20 ms of 48 kHz PCM into one binary message: Opus-encoded, then SFrame-protected by this
/// client's own sender in the current epoch (its KID is `senderIndex << 8 | epoch & 0xFF`).
///
/// Per frame it allocates only the `ByteBuffer` the outbox keeps; the Opus packet and the SFrame
/// ciphertext go through buffers reused from frame to frame. Owned by one actor; not `Sendable`.
public final class OutgoingAudio {
    private let encoder: OpusEncoder
    private var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
    private var protected: [UInt8] = []
    private let allocator = ByteBufferAllocator()

    /// Frames protected and handed out.
    public private(set) var framesProtected = 0
    /// Frames dropped because no epoch was installed yet (nothing to protect them with).
    public private(set) var framesWithoutKeys = 0

    public init() throws(ParticipantClientError) {
        do throws(MediaError) {
            encoder = try OpusEncoder(sampleRate: Int32(MeetingAudio.sampleRate))
            // Speech at a rate that survives the gateway's 8 kHz decode for phone legs with room to spare.
            try encoder.setBitrate(32_000)
        } catch {
            throw .audio(error)
        }
        protected.reserveCapacity(SFrameHeader.maximumLength + OpusEncoder.maxPacketSize + 16)
    }

    /// One frame (exactly `MeetingAudio.samplesPerFrame` samples) as a binary message, or nil when
    /// `sender` is nil (no keys yet: the frame is counted and dropped).
    public func frame(_ pcm: UnsafeBufferPointer<Int16>, sender: SFrameSender?) throws(ParticipantClientError) -> ByteBuffer? {
        guard pcm.count == MeetingAudio.samplesPerFrame else {
            throw .misuse("a frame is \(MeetingAudio.samplesPerFrame) samples (20 ms at 48 kHz), got \(pcm.count)")
        }
        guard let sender else {
            framesWithoutKeys += 1
            return nil
        }
        let length: Int
        do throws(MediaError) {
            length = try packet.withUnsafeMutableBufferPointer { (output) throws(MediaError) -> Int in
                try encoder.encode(pcm, into: output)
            }
        } catch {
            throw .audio(error)
        }
        protected.removeAll(keepingCapacity: true)
        let protection = packet.withUnsafeBytes { packet in
            Result { () throws(FramesError) in
                try sender.protect(
                    UnsafeRawBufferPointer(rebasing: packet[0..<length]), metadata: UnsafeRawBufferPointer(start: nil, count: 0),
                    into: &protected)
            }
        }
        if case .failure(let error) = protection { throw .frames(error) }
        framesProtected += 1
        var buffer = allocator.buffer(capacity: protected.count)
        buffer.writeBytes(protected)
        return buffer
    }
}
