import COpus

/// An Opus decoder owning its libopus state. Any Opus stream decodes to any supported rate, so the
/// phone mix decodes each app sender once, straight to 8 kHz (DESIGN.md §3, Audio).
public final class OpusDecoder {
    public let sampleRate: Int32
    public let channels: Int32
    private let decoder: OpaquePointer

    public init(sampleRate: Int32, channels: Int32 = 1) throws(MediaError) {
        var status: Int32 = 0
        guard let decoder = opus_decoder_create(sampleRate, channels, &status), status == OPUS_OK else {
            throw .opus(operation: "decoder_create", code: status, message: OpusEncoder.message(for: status))
        }
        self.decoder = decoder
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one packet into `pcm` (room for up to 120 ms), returning samples per channel.
    /// An empty `packet` asks for packet-loss concealment.
    public func decode(_ packet: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(MediaError) -> Int {
        guard let output = pcm.baseAddress else { throw .badFrameSize(expected: 1, got: 0) }
        let frameCapacity = Int32(pcm.count) / channels
        let samples = opus_decode(decoder, packet.isEmpty ? nil : packet.baseAddress, Int32(packet.count), output, frameCapacity, 0)
        guard samples >= 0 else { throw .opus(operation: "decode", code: samples, message: OpusEncoder.message(for: samples)) }
        return Int(samples)
    }

    /// Recovers a lost frame from the in-band FEC data of the packet after it (RFC 6716 §2.1.7):
    /// `packet` is the next packet, `pcm` is sized for the lost frame.
    public func decodeFEC(_ packet: UnsafeBufferPointer<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) throws(MediaError) -> Int {
        guard let output = pcm.baseAddress, !packet.isEmpty else { throw .badFrameSize(expected: 1, got: 0) }
        let samples = opus_decode(decoder, packet.baseAddress, Int32(packet.count), output, Int32(pcm.count) / channels, 1)
        guard samples >= 0 else { throw .opus(operation: "decode_fec", code: samples, message: OpusEncoder.message(for: samples)) }
        return Int(samples)
    }

    /// Convenience for tests and non-hot paths.
    public func decode(_ packet: [UInt8]) throws(MediaError) -> [Int16] {
        var pcm = [Int16](repeating: 0, count: Int(sampleRate / 1000 * 120 * channels))
        let samples = try packet.withUnsafeBufferPointer { (input) throws(MediaError) -> Int in
            try pcm.withUnsafeMutableBufferPointer { (output) throws(MediaError) -> Int in try decode(input, into: output) }
        }
        pcm.removeSubrange((samples * Int(channels))...)
        return pcm
    }

    public func reset() {
        _ = dialgate_opus_reset_decoder(decoder)
    }
}
