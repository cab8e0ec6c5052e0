import Frames
import Media
import Meetings
import NIOCore

/// One frame someone else sent, opened and decoded. `samples` is valid only during the call that
/// hands it over (it points into a buffer reused for the next frame).
public struct ReceivedAudio {
    /// The sender's index (the KID above its 8 epoch bits).
    public let senderIndex: UInt64
    /// Who that is, from the roster (nil for a sender the roster has not shown yet).
    public let participant: Participant?
    /// Whether the sender is a phone leg (the gateway protects those frames) or an app participant.
    public let source: EpochManifest.Sender.Source
    /// The epoch whose key opened the frame.
    public let epoch: UInt64
    /// 48 kHz mono PCM, usually 960 samples (20 ms).
    public let samples: UnsafeBufferPointer<Int16>
}

/// Opens received SFrame frames with the meeting's key ring and decodes each sender's Opus stream
/// with a decoder of its own (Opus decoders keep state between packets, so senders must not share one).
///
/// Frames that arrive before any epoch is installed, or under a KID whose epoch this client does not
/// have yet, are counted and dropped; so are frames that do not authenticate or replay, and our own.
/// Per frame it copies the frame out of the `ByteBuffer` and the key ring allocates the plaintext;
/// decoding goes into one reused PCM buffer. Owned by one actor; not `Sendable`.
public final class IncomingAudio {
    /// What became of one received frame.
    public enum Outcome: Equatable, Sendable {
        case decoded
        /// No key for its KID yet: before our first epoch, or the sender is already in a newer one.
        case noKey
        /// It did not authenticate, was a replay, or was malformed.
        case refused
        /// It came under our own sender index (the gateway never sends our frames back).
        case own
        /// It opened but Opus could not decode it.
        case undecodable
    }

    /// Counters of outcomes, for statistics and tests.
    public private(set) var decoded = 0
    public private(set) var droppedWithoutKey = 0
    public private(set) var refused = 0
    public private(set) var undecodable = 0

    private var decoders: [UInt64: OpusDecoder] = [:]
    private var pcm = [Int16](repeating: 0, count: MeetingAudio.maximumDecodedSamples)
    private let ownSenderIndex: UInt64

    /// `ownSenderIndex` is this client's sender index (`welcome.senderIndex`).
    public init(ownSenderIndex: UInt64) {
        self.ownSenderIndex = ownSenderIndex
    }

    /// Opens and decodes `frame` with `keys` (nil before `welcome`), names its sender from `roster`
    /// (by sender index), and hands the audio to `body`.
    @discardableResult
    public func receive(
        _ frame: ByteBuffer, keys: MeetingKeys?, roster: [UInt64: Participant] = [:], _ body: (ReceivedAudio) -> Void
    ) -> Outcome {
        guard let keys, keys.hasKeys else {
            droppedWithoutKey += 1
            return .noKey
        }
        let bytes = frame.getBytes(at: frame.readerIndex, length: frame.readableBytes) ?? []
        let opened: EpochKeyRing.ReceivedFrame
        do throws(FramesError) {
            opened = try keys.ring.unprotect(bytes)
        } catch {
            if case .unknownKeyID = error {
                droppedWithoutKey += 1
                return .noKey
            }
            refused += 1
            return .refused
        }
        return decode(opened, roster: roster, body)
    }

    /// Decodes a frame the key ring opened.
    func decode(_ opened: EpochKeyRing.ReceivedFrame, roster: [UInt64: Participant], _ body: (ReceivedAudio) -> Void) -> Outcome {
        let senderIndex = opened.sender.senderIndex
        guard senderIndex != ownSenderIndex else {
            refused += 1
            return .own
        }
        let decoder: OpusDecoder
        if let existing = decoders[senderIndex] {
            decoder = existing
        } else {
            guard let created = try? OpusDecoder(sampleRate: Int32(MeetingAudio.sampleRate)) else {
                undecodable += 1
                return .undecodable
            }
            decoders[senderIndex] = created
            decoder = created
        }
        let count = opened.plaintext.withUnsafeBufferPointer { packet in
            pcm.withUnsafeMutableBufferPointer { output in (try? decoder.decode(packet, into: output)) ?? -1 }
        }
        // An empty payload would ask Opus for concealment; from a sender it is just broken.
        guard count > 0, !opened.plaintext.isEmpty else {
            undecodable += 1
            return .undecodable
        }
        decoded += 1
        pcm.withUnsafeBufferPointer { pcm in
            body(
                ReceivedAudio(
                    senderIndex: senderIndex, participant: roster[senderIndex], source: opened.sender.source, epoch: opened.epoch,
                    samples: UnsafeBufferPointer(rebasing: pcm[0..<count])))
        }
        return .decoded
    }

    /// Forgets a sender's decoder state (they left).
    public func forget(senderIndex: UInt64) {
        decoders[senderIndex] = nil
    }
}
