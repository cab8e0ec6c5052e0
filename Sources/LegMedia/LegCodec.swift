import Media

/// The leg's audio codec state: decodes what the phone sends to 8 kHz PCM frames and encodes
/// 8 kHz PCM frames for it. The state lives with the leg (one encoder/decoder per leg).
struct LegCodec {
    enum Kind {
        case g711(G711Law)
        case opus(OpusEncoder, OpusDecoder)
    }

    private let kind: Kind
    /// Kept out of `kind`: a concealer inside an enum payload would be copied out and back (its
    /// history buffer with it) on every frame.
    private var concealer = G711Concealer()
    /// Samples per frame at 8 kHz (160 for 20 ms).
    let samplesPerFrame: Int

    init(_ codec: LegMediaConfiguration.Codec, samplesPerFrame: Int) throws(MediaError) {
        self.samplesPerFrame = samplesPerFrame
        switch codec {
        case .pcmu: kind = .g711(.muLaw)
        case .pcma: kind = .g711(.aLaw)
        case .opus:
            // Opus takes 8 kHz input and decodes any stream to 8 kHz: no resampler on the phone side.
            let encoder = try OpusEncoder(sampleRate: 8000)
            // In-band FEC (it only works with an expected loss above zero) and DTX for silence.
            try encoder.setInbandFEC(true)
            try encoder.setExpectedPacketLoss(percent: 5)
            try encoder.setDTX(true)
            kind = .opus(encoder, try OpusDecoder(sampleRate: 8000))
        }
    }

    /// Decodes one packet's payload into `pcm` (one frame); false when it could not be decoded.
    mutating func decode(_ payload: ArraySlice<UInt8>, into pcm: UnsafeMutableBufferPointer<Int16>) -> Bool {
        switch kind {
        case .g711(let law):
            let count = payload.withUnsafeBufferPointer { law.decode($0, into: pcm) }
            for index in count..<pcm.count { pcm[index] = 0 }
            concealer.received(pcm)
            return true
        case .opus(_, let decoder):
            let samples = payload.withUnsafeBufferPointer { input in (try? decoder.decode(input, into: pcm)) ?? -1 }
            guard samples >= 0 else { return false }
            for index in min(samples, pcm.count)..<pcm.count { pcm[index] = 0 }
            return true
        }
    }

    /// Fills `pcm` for a missing packet: Opus recovers it from the next packet's in-band FEC when
    /// that packet is already here (RFC 6716 §2.1.7), else runs its packet-loss concealment; G.711
    /// repeats and fades (G.711 Appendix I in spirit).
    mutating func conceal(into pcm: UnsafeMutableBufferPointer<Int16>, next: ArraySlice<UInt8>?) {
        if case .opus(_, let decoder) = kind, let next, !next.isEmpty {
            let samples = next.withUnsafeBufferPointer { (try? decoder.decodeFEC($0, into: pcm)) ?? -1 }
            if samples == pcm.count { return }
        }
        conceal(into: pcm)
    }

    mutating func conceal(into pcm: UnsafeMutableBufferPointer<Int16>) {
        switch kind {
        case .g711:
            concealer.conceal(into: pcm)
        case .opus(_, let decoder):
            let empty: [UInt8] = []
            let samples = empty.withUnsafeBufferPointer { (try? decoder.decode($0, into: pcm)) ?? 0 }
            for index in min(samples, pcm.count)..<pcm.count { pcm[index] = 0 }
        }
    }

    /// Encodes one frame into `payload` (cleared first); false when the encoder failed.
    mutating func encode(_ pcm: UnsafeBufferPointer<Int16>, into payload: inout [UInt8]) -> Bool {
        switch kind {
        case .g711(let law):
            payload.removeAll(keepingCapacity: true)
            payload.append(contentsOf: repeatElement(0, count: pcm.count))
            _ = payload.withUnsafeMutableBufferPointer { law.encode(pcm, into: $0) }
            return true
        case .opus(let encoder, _):
            if payload.count < OpusEncoder.maxPacketSize {
                payload.append(contentsOf: repeatElement(0, count: OpusEncoder.maxPacketSize - payload.count))
            }
            let written = payload.withUnsafeMutableBufferPointer { (try? encoder.encode(pcm, into: $0)) ?? -1 }
            guard written >= 0 else { return false }
            payload.removeSubrange(written...)
            return true
        }
    }
}
