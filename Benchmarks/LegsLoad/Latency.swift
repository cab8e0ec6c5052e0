// Mouth-to-ear latency (issue 10, docs/performance.md "Mouth-to-ear latency"; `LegsLoad --latency`,
// run by `scripts/load --only latency`).
//
// In this mode phones and apps send very low-level noise (about −50 dBFS) with a marker every 500 ms:
// a 30 ms 1 kHz tone burst at about −9 dBFS that starts at full amplitude (a sharp onset), 6.625 ms
// into a 20 ms frame. Phones mark frames 0, 25, 50, ... of the pacer's 20 ms frame count, apps frames
// 12, 37, 62, ..., so the two directions are 240 ms apart and never overlap.
//
// One detector (`OnsetDetector`) finds an onset in any stream, at any rate: the first sample whose
// magnitude reaches the threshold after at least 100 ms of samples below it. It runs on what is sent
// (the phone's μ-law as the gateway will decode it; the app's 48 kHz PCM before its Opus encoder)
// and on what is received (the phone's μ-law from the gateway, decoded; the app's frames from the
// gateway, opened with the meeting's keys as dialgate-participant does and Opus-decoded at 48 kHz).
// A marker's time is the wall-clock time its packet was sent, or arrived, plus the onset's offset in
// that packet's audio. Latency = receiver's marker time − sender's marker time; a detection is
// matched to the same leg's latest unmatched marker in that direction if it comes within 400 ms.
//
// Baseline, in the same process and at the same time as the gateway's legs (`TranscodingRelay`): one
// more phone and one more app, paced by the same pacer with the same audio, through a bare
// transcoding relay that does on arrival, with no clock, queue or jitter buffer, what any transcoding
// hop between them must do: the phone's RTP over UDP → μ-law decode → Opus encode at 8 kHz with the
// gateway's settings (PhoneBridge: VOIP, 24 kb/s, in-band FEC, 5 % expected loss, DTX off) →
// WebSocket binary message to the app (a ParticipantWebSocketServer in this process); the app's Opus
// (its own frames, not SFrame-protected) over the WebSocket → Opus decode at 8 kHz → μ-law encode →
// RTP over UDP to the phone. So the baseline holds the loopback transport both ways, the codecs'
// algorithmic delay (measured apart too: `codecChainDelays`), and this process's own scheduling.
//
// Output (stdout), before the first step "codec phone-to-app MS app-to-phone MS" (the in-process
// codec chains), and after each step's "step ..." line:
//   latency N legs L gateway p2a markers M found F p50 µS p99 µS a2p markers M found F p50 µS p99 µS
//           baseline p2a markers M found F p50 µS p99 µS a2p markers M found F p50 µS p99 µS
// (markers: onsets sent in the window, over every gateway leg or the baseline's one; found: those
// detected and matched at the receivers; p50/p99 by nearest rank, "-" when none was found).
import Foundation
import Frames
import LoadSupport
import Media
import Meetings
import NIOConcurrencyHelpers
import NIOCore
import ParticipantTransport

#if canImport(Glibc)
    import Glibc
#endif

/// `--latency`: marker audio, onset detection at the receivers, the baseline relay.
let latencyMode = arguments.contains("--latency")

/// A marker every this many 20 ms frames (500 ms) on each side.
let markerPeriod = 25
/// Apps mark this many frames after the phones (240 ms).
let appMarkerPhase = 12
/// The onset's position in its 20 ms frame, in seconds.
let markerOnsetSeconds = 0.006625
/// A detection this long after the leg's latest marker (or more) is not that marker's.
let matchWindowNanoseconds: UInt64 = 400_000_000

/// Noise with a tone burst every `markerPeriod` frames from frame `phase` on, `frames` frames long.
func markerSignal(sampleRate: Int, frames: Int, phase: Int, seed: UInt64) -> [Int16] {
    let frameSamples = sampleRate / 50
    let onset = Int((markerOnsetSeconds * Double(sampleRate)).rounded())
    let burst = sampleRate * 30 / 1000
    var generator = seed | 1
    var samples = [Int16](repeating: 0, count: frameSamples * frames)
    for index in samples.indices {
        generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        // Uniform in ±170: about 100 RMS, −50 dBFS, above the mixer's silence level (about 33 RMS).
        samples[index] = Int16(Int64(bitPattern: generator >> 11) % 171)
    }
    for frame in stride(from: phase, to: frames, by: markerPeriod) {
        let start = frame * frameSamples + onset
        for offset in 0..<burst where start + offset < samples.count {
            // A cosine: the first sample is the full amplitude (the sharp onset).
            samples[start + offset] = Int16((12_000 * cos(2 * Double.pi * 1000 * Double(offset) / Double(sampleRate))).rounded())
        }
    }
    return samples
}

/// Finds marker onsets in a stream of samples, the same way for every stream: the first sample whose
/// magnitude is at least `threshold` after at least 100 ms of samples below it.
struct OnsetDetector {
    static let threshold: Int32 = 4_000
    let quietNeeded: Int
    var quiet: Int

    /// `startsQuiet`: whether the stream counts as having been quiet before its first sample.
    init(sampleRate: Int, startsQuiet: Bool = false) {
        quietNeeded = sampleRate / 10
        quiet = startsQuiet ? quietNeeded : 0
    }

    /// Feeds the next samples; `onset` gets the offset in them of each onset found.
    mutating func feed(_ samples: UnsafeBufferPointer<Int16>, onset: (Int) -> Void) {
        for (offset, sample) in samples.enumerated() {
            if abs(Int32(sample)) >= Self.threshold {
                if quiet >= quietNeeded { onset(offset) }
                quiet = 0
            } else {
                quiet += 1
            }
        }
    }

    /// The onsets of a whole signal, as sample indices.
    static func onsets(_ samples: [Int16], sampleRate: Int) -> [Int] {
        var detector = OnsetDetector(sampleRate: sampleRate, startsQuiet: true)
        var found: [Int] = []
        samples.withUnsafeBufferPointer { detector.feed($0) { found.append($0) } }
        return found
    }
}

/// Each loop frame that holds a sent onset → the onset's offset in it, in nanoseconds (detected on
/// what is sent, by the receivers' detector).
func sentOnsets(_ samples: [Int16], sampleRate: Int) -> [Int: UInt64] {
    let frameSamples = sampleRate / 50
    var offsets: [Int: UInt64] = [:]
    for index in OnsetDetector.onsets(samples, sampleRate: sampleRate) {
        offsets[index / frameSamples] = UInt64(index % frameSamples) * 1_000_000_000 / UInt64(sampleRate)
    }
    return offsets
}

/// The gateway's encoder settings for phone audio toward the apps (PhoneBridge's documented settings).
func gatewaySettingsEncoder() -> OpusEncoder {
    do {
        let encoder = try OpusEncoder(sampleRate: 8000)
        try encoder.setBitrate(24_000)
        try encoder.setInbandFEC(true)
        try encoder.setExpectedPacketLoss(percent: 5)
        try encoder.setDTX(false)
        return encoder
    } catch {
        fail("cannot make an Opus encoder: \(error)")
    }
}

func muLawDecoded(_ codes: [UInt8]) -> [Int16] {
    var samples = [Int16](repeating: 0, count: codes.count)
    codes.withUnsafeBufferPointer { codes in samples.withUnsafeMutableBufferPointer { _ = MuLaw.decode(codes, into: $0) } }
    return samples
}

func muLawEncoded(_ samples: UnsafeBufferPointer<Int16>) -> [UInt8] {
    var codes = [UInt8](repeating: 0, count: samples.count)
    codes.withUnsafeMutableBufferPointer { _ = MuLaw.encode(samples, into: $0) }
    return codes
}

/// The codecs' algorithmic delay, median over the markers of two passes of the loop (ms), measured by
/// running the chains in process on the markers and detecting the onsets as the receivers do:
/// phone → app, the phone's μ-law decoded, Opus-encoded with the gateway's settings, decoded at
/// 48 kHz; app → phone, the app's Opus frames (from its 48 kHz PCM) decoded at 8 kHz, μ-law encoded
/// and decoded.
func codecChainDelays(phonePCM: [Int16], appPCM: [Int16]) -> (phoneToApp: Double, appToPhone: Double) {
    func median(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.sorted()[values.count / 2] }
    func delays(input: [Int16], inputRate: Int, output: [Int16], outputRate: Int) -> [Double] {
        let sent = OnsetDetector.onsets(input + input, sampleRate: inputRate).map { Double($0) / Double(inputRate) }
        let heard = OnsetDetector.onsets(output, sampleRate: outputRate).map { Double($0) / Double(outputRate) }
        return sent.compactMap { time in heard.first { $0 >= time && $0 - time < 0.4 }.map { ($0 - time) * 1000 } }
    }
    let encoder = gatewaySettingsEncoder()
    guard let wide = try? OpusDecoder(sampleRate: 48000), let narrow = try? OpusDecoder(sampleRate: 8000) else {
        fail("cannot make an Opus decoder")
    }
    var toApp: [Int16] = []
    var toPhone: [Int16] = []
    for frame in 0..<(2 * loopFrames) {
        let phoneAudio = muLawDecoded(muLawFrames[frame % loopFrames])
        guard let packet = try? encoder.encode(phoneAudio), let decoded = try? wide.decode(packet) else { fail("codec chain failed") }
        toApp += decoded
        guard let appAudio = try? narrow.decode(opusFrames[frame % loopFrames]) else { fail("codec chain failed") }
        toPhone += muLawDecoded(appAudio.withUnsafeBufferPointer { muLawEncoded($0) })
    }
    return (
        median(delays(input: muLawDecoded(muLawFrames.flatMap { $0 }), inputRate: 8000, output: toApp, outputRate: 48000)),
        median(delays(input: appPCM, inputRate: 48000, output: toPhone, outputRate: 8000))
    )
}

// MARK: - Markers sent and found

/// Per leg and direction: the latest marker sent, and the latencies matched in the window.
final class LatencyLog: @unchecked Sendable {
    enum Direction { case phoneToApp, appToPhone }
    private let lock = NIOLock()
    private var pending: [Int: UInt64] = [:]
    private var pendingToPhone: [Int: UInt64] = [:]
    private var sentInWindow: [Int: Int] = [:]
    private var sentToPhoneInWindow: [Int: Int] = [:]
    private var latencies: [Int: [UInt64]] = [:]
    private var latenciesToPhone: [Int: [UInt64]] = [:]

    /// A marker's onset left leg `leg`'s sender at `time`.
    func sent(_ direction: Direction, leg: Int, at time: UInt64) {
        let counting = window.isOpen
        lock.withLock {
            switch direction {
            case .phoneToApp:
                pending[leg] = time
                if counting { sentInWindow[leg, default: 0] += 1 }
            case .appToPhone:
                pendingToPhone[leg] = time
                if counting { sentToPhoneInWindow[leg, default: 0] += 1 }
            }
        }
    }

    /// An onset reached leg `leg`'s receiver at `time`: matched to the latest marker, kept in the window.
    func found(_ direction: Direction, leg: Int, at time: UInt64) {
        let counting = window.isOpen
        lock.withLock {
            let sent = direction == .phoneToApp ? pending[leg] : pendingToPhone[leg]
            guard let sent, time > sent, time - sent < matchWindowNanoseconds else { return }
            if direction == .phoneToApp {
                pending[leg] = nil
                if counting { latencies[leg, default: []].append(time - sent) }
            } else {
                pendingToPhone[leg] = nil
                if counting { latenciesToPhone[leg, default: []].append(time - sent) }
            }
        }
    }

    func reset() {
        lock.withLock {
            sentInWindow = [:]
            sentToPhoneInWindow = [:]
            latencies = [:]
            latenciesToPhone = [:]
        }
    }

    /// "markers M found F p50 X p99 Y" over the legs `legs` in one direction (µs).
    func summary(_ direction: Direction, legs: [Int]) -> String {
        lock.withLock {
            let sent = direction == .phoneToApp ? sentInWindow : sentToPhoneInWindow
            let found = direction == .phoneToApp ? latencies : latenciesToPhone
            let values = legs.flatMap { found[$0] ?? [] }.sorted()
            func percentile(_ share: Double) -> String {
                guard !values.isEmpty else { return "-" }
                // Nearest rank.
                let rank = max(1, Int((share * Double(values.count)).rounded(.up)))
                return String(values[min(rank, values.count) - 1] / 1000)
            }
            return "markers \(legs.reduce(0) { $0 + (sent[$1] ?? 0) }) found \(values.count) p50 \(percentile(0.5)) p99 \(percentile(0.99))"
        }
    }
}
let latencyLog = LatencyLog()

/// Loop frame → the sent onset's offset in it (ns): phones' and apps'.
let phoneMarkerOffsets = sentOnsets(muLawDecoded(muLawFrames.flatMap { $0 }), sampleRate: 8000)
let appMarkerOffsets = sentOnsets(appPCM48k, sampleRate: 48000)

/// One receiving stream's onset detector and what its onsets are (leg and direction).
final class MarkerReceiver {
    var detector: OnsetDetector
    let sampleRate: Int
    let leg: Int
    let direction: LatencyLog.Direction

    init(sampleRate: Int, leg: Int, direction: LatencyLog.Direction) {
        detector = OnsetDetector(sampleRate: sampleRate)
        self.sampleRate = sampleRate
        self.leg = leg
        self.direction = direction
    }

    /// The audio of a packet that arrived at `arrival`.
    func receive(_ samples: UnsafeBufferPointer<Int16>, arrival: UInt64) {
        detector.feed(samples) { offset in
            latencyLog.found(direction, leg: leg, at: arrival + UInt64(offset) * 1_000_000_000 / UInt64(sampleRate))
        }
    }
}

// MARK: - The baseline: a bare transcoding relay between one more phone and one more app

/// The baseline leg's index (apart from the gateway's legs 0..<N; slot 0 of the pacer).
let baselineLeg = 1_000_000

final class TranscodingRelay: @unchecked Sendable {
    let udp = udpSocket(bufferBytes: 1 << 20)
    let phonePort: UInt16
    private let lock = NIOLock()
    private var app: WebSocketSession?

    init(phonePort: UInt16) { self.phonePort = phonePort }

    /// The phone's RTP → μ-law decode → Opus (the gateway's settings) → the app, on arrival.
    func serveUDP(while running: () -> Bool) {
        let encoder = gatewaySettingsEncoder()
        var datagram = [UInt8](repeating: 0, count: 2048)
        var pcm = [Int16](repeating: 0, count: 160)
        var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
        let allocator = ByteBufferAllocator()
        while running() {
            let count = datagram.withUnsafeMutableBytes { recv(udp.descriptor, $0.baseAddress, $0.count, 0) }
            guard count == 12 + 160, let app = lock.withLock({ app }) else { continue }
            datagram.withUnsafeBufferPointer { codes in
                pcm.withUnsafeMutableBufferPointer { _ = MuLaw.decode(UnsafeBufferPointer(rebasing: codes[12..<172]), into: $0) }
            }
            let length = pcm.withUnsafeBufferPointer { pcm in
                packet.withUnsafeMutableBufferPointer { (try? encoder.encode(pcm, into: $0)) ?? 0 }
            }
            guard length > 0 else { continue }
            var buffer = allocator.buffer(capacity: length)
            buffer.writeBytes(packet[0..<length])
            app.outbox.send(frame: buffer)
        }
    }

    /// The app's Opus → decode at 8 kHz → μ-law → RTP to the phone, on arrival.
    func serve(_ session: WebSocketSession) async {
        lock.withLock { app = session }
        let downlink = Downlink(descriptor: udp.descriptor, phonePort: phonePort)
        _ = await session.run { message in
            guard case .binary(let frame) = message, let opus = frame.getBytes(at: frame.readerIndex, length: frame.readableBytes) else {
                return
            }
            downlink.forward(opus)
        }
    }

    /// The app → phone half: one decoder and RTP stream (one session's messages come one at a time).
    final class Downlink: @unchecked Sendable {
        let descriptor: Int32
        let phonePort: UInt16
        let decoder: OpusDecoder
        var pcm = [Int16](repeating: 0, count: 960)
        var rtp = [UInt8](repeating: 0, count: 12 + 160)
        var sequence = UInt16.random(in: 0...UInt16.max)
        var timestamp = UInt32.random(in: 0...UInt32.max)

        init(descriptor: Int32, phonePort: UInt16) {
            guard let decoder = try? OpusDecoder(sampleRate: 8000) else { fail("cannot make an Opus decoder") }
            self.descriptor = descriptor
            self.phonePort = phonePort
            self.decoder = decoder
            rtp[0] = 0x80
            rtp[8] = 0x12
        }

        func forward(_ opus: [UInt8]) {
            let count = opus.withUnsafeBufferPointer { opus in
                pcm.withUnsafeMutableBufferPointer { (try? decoder.decode(opus, into: $0)) ?? 0 }
            }
            guard count == 160 else { return }
            rtp[2] = UInt8(sequence >> 8)
            rtp[3] = UInt8(sequence & 0xFF)
            for byte in 0..<4 { rtp[4 + byte] = UInt8((timestamp >> (24 - 8 * UInt32(byte))) & 0xFF) }
            pcm.withUnsafeBufferPointer { pcm in
                rtp.withUnsafeMutableBufferPointer { rtp in
                    _ = MuLaw.encode(UnsafeBufferPointer(rebasing: pcm[0..<160]), into: UnsafeMutableBufferPointer(rebasing: rtp[12..<172]))
                }
            }
            rtp.withUnsafeBytes { send(descriptor, $0, to: phonePort) }
            sequence &+= 1
            timestamp &+= 160
        }
    }
}
