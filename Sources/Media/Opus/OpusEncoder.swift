import COpus

/// An Opus encoder (RFC 6716) owning its libopus state.
///
/// Phone legs feed it 8 kHz audio directly: libopus accepts 8, 12, 16, 24 and 48 kHz input, so the
/// phone side needs no resampler (DESIGN.md §3, Audio).
public final class OpusEncoder {
    public let sampleRate: Int32
    public let channels: Int32
    private let encoder: OpaquePointer

    /// - Parameters:
    ///   - sampleRate: 8000, 12000, 16000, 24000 or 48000.
    ///   - application: `OPUS_APPLICATION_VOIP` by default (speech-tuned).
    public init(sampleRate: Int32, channels: Int32 = 1, application: Int32 = OPUS_APPLICATION_VOIP) throws(MediaError) {
        var status: Int32 = 0
        guard let encoder = opus_encoder_create(sampleRate, channels, application, &status), status == OPUS_OK else {
            throw .opus(operation: "encoder_create", code: status, message: OpusEncoder.message(for: status))
        }
        self.encoder = encoder
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit { opus_encoder_destroy(encoder) }

    public func setBitrate(_ bitsPerSecond: Int32) throws(MediaError) {
        let status = dialgate_opus_set_bitrate(encoder, bitsPerSecond)
        guard status == OPUS_OK else { throw .opus(operation: "set_bitrate", code: status, message: OpusEncoder.message(for: status)) }
    }

    public func setInbandFEC(_ on: Bool) throws(MediaError) {
        let status = dialgate_opus_set_inband_fec(encoder, on ? 1 : 0)
        guard status == OPUS_OK else { throw .opus(operation: "set_inband_fec", code: status, message: OpusEncoder.message(for: status)) }
    }

    /// Discontinuous transmission: during silence the encoder sends a packet only every 400 ms.
    public func setDTX(_ on: Bool) throws(MediaError) {
        let status = dialgate_opus_set_dtx(encoder, on ? 1 : 0)
        guard status == OPUS_OK else { throw .opus(operation: "set_dtx", code: status, message: OpusEncoder.message(for: status)) }
    }

    /// Tells the encoder how lossy the path is, so in-band FEC spends bits where it helps.
    public func setExpectedPacketLoss(percent: Int32) throws(MediaError) {
        let status = dialgate_opus_set_packet_loss_perc(encoder, percent)
        guard status == OPUS_OK else {
            throw .opus(operation: "set_packet_loss_perc", code: status, message: OpusEncoder.message(for: status))
        }
    }

    public func bitrate() throws(MediaError) -> Int32 {
        var value: Int32 = 0
        let status = dialgate_opus_get_bitrate(encoder, &value)
        guard status == OPUS_OK else { throw .opus(operation: "get_bitrate", code: status, message: OpusEncoder.message(for: status)) }
        return value
    }

    /// Encodes one frame (2.5–60 ms of interleaved samples) into `packet`, returning the bytes written.
    public func encode(_ pcm: UnsafeBufferPointer<Int16>, into packet: UnsafeMutableBufferPointer<UInt8>) throws(MediaError) -> Int {
        guard let input = pcm.baseAddress, let output = packet.baseAddress else { throw .badFrameSize(expected: 1, got: 0) }
        let frameSize = Int32(pcm.count) / channels
        let written = opus_encode(encoder, input, frameSize, output, Int32(packet.count))
        guard written >= 0 else { throw .opus(operation: "encode", code: written, message: OpusEncoder.message(for: written)) }
        return Int(written)
    }

    /// Convenience for tests and non-hot paths: encodes into a new array.
    public func encode(_ pcm: [Int16]) throws(MediaError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
        let count = try pcm.withUnsafeBufferPointer { (input) throws(MediaError) -> Int in
            try packet.withUnsafeMutableBufferPointer { (output) throws(MediaError) -> Int in try encode(input, into: output) }
        }
        packet.removeSubrange(count...)
        return packet
    }

    /// RFC 6716 §3.4 bounds a packet at 1275 bytes per frame; 1500 leaves room for repacketised frames.
    public static let maxPacketSize = 1500

    static func message(for code: Int32) -> String {
        guard let text = opus_strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
