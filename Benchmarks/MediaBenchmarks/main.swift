// Media benchmarks (release build: `scripts/bench`): the cost of one 20 ms frame of a phone leg
// (one SRTP datagram in, one tick out) next to the bare library calls on the same audio.
//
// As in SIPBenchmarks, every figure comes with its baseline measured in the same run, because these
// machines are shared and noisy: compare the ratio between runs, not raw times. Leg and bare are
// measured alternately, three windows of ~0.7 s each, and the best window of each is kept (noise
// only ever adds time).
//
// `MediaBenchmarks --frames N --only NAME [--prepare-only]` runs one loop for exactly N frames,
// untimed, for valgrind (call graphs) and with the in-process allocation count; see docs/performance.md.
// `--quick` runs every case once in short windows (CI: so the benchmarks cannot rot; its figures
// are too short to quote). `--forward-only` prints only the forwarding table.
//
// Next to the times, every table has heap allocations per operation in steady state (after a
// warm-up batch), counted in-process by the AllocationCounter target; a sanity line checks the
// counter first (Allocations.swift).
import LegMedia
import Media
import Meetings

var random = SystemRandomNumberGenerator()
let phoneKey = SRTPMasterKey.generate(for: .aesCM128HMACSHA1Tag80, using: &random).masterKeyAndSalt
let gatewayKey = SRTPMasterKey.generate(for: .aesCM128HMACSHA1Tag80, using: &random).masterKeyAndSalt

/// The leg's Opus settings (LegCodec): 8 kHz in and out, in-band FEC on.
func legOpus() -> BareLoop.Path {
    let encoder = must("Opus encoder") { try OpusEncoder(sampleRate: 8000) }
    must("Opus FEC") { try encoder.setInbandFEC(true) }
    return .opus(encoder, must("Opus decoder") { try OpusDecoder(sampleRate: 8000) })
}

struct Case {
    let name: String
    let key: String
    let leg: FrameLoop
    let bare: FrameLoop
    let check: () -> String
}

let pcmuLeg = LegLoop(codec: .pcmu, phoneKey: phoneKey, gatewayKey: gatewayKey)
let opusLeg = LegLoop(codec: .opus, phoneKey: phoneKey, gatewayKey: gatewayKey)
let transcode = TranscodeLoop(phoneKey: phoneKey, gatewayKey: gatewayKey)
let bridge = BridgeLoop()
let cases = [
    Case(
        name: "leg, PCMU echo, SRTP", key: "pcmu", leg: pcmuLeg,
        bare: BareLoop(path: .g711(.muLaw), phoneCodec: .pcmu, phoneKey: phoneKey, gatewayKey: gatewayKey), check: { pcmuLeg.check }),
    Case(
        name: "leg, Opus echo, SRTP", key: "opus", leg: opusLeg,
        bare: BareLoop(path: legOpus(), phoneCodec: .opus, phoneKey: phoneKey, gatewayKey: gatewayKey), check: { opusLeg.check }),
    Case(
        name: "transcode PCMU↔Opus, SRTP *", key: "transcode", leg: transcode,
        bare: BareLoop(
            path: .transcode(
                .muLaw, must("Opus encoder") { try OpusEncoder(sampleRate: 8000) },
                must("Opus decoder") { try OpusDecoder(sampleRate: 8000) }),
            phoneCodec: .pcmu, phoneKey: phoneKey, gatewayKey: gatewayKey),
        check: { transcode.check }),
    Case(
        name: "meeting bridge, 1 app + 1 phone", key: "bridge", leg: bridge, bare: BareBridgeLoop(source: bridge), check: { bridge.check }),
]

let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
/// How long each measured window runs.
let window: Duration = quick ? .milliseconds(50) : .milliseconds(700)
/// Batches of `batchFrames` counted for the allocation columns (after one batch of warm-up).
let countedBatches = quick ? 1 : 4
// `--frames` is also run under valgrind, which takes malloc from the counter: there the check only warns.
print(allocationSanityLine(fatal: !arguments.contains("--frames")))
if let framesFlag = arguments.firstIndex(of: "--frames"), framesFlag + 1 < arguments.count, let frames = Int(arguments[framesFlag + 1]),
    let onlyFlag = arguments.firstIndex(of: "--only"), onlyFlag + 1 < arguments.count
{
    // NAME is a case key, with "-bare" for its baseline: pcmu, pcmu-bare, opus, ..., transcode-bare.
    let name = arguments[onlyFlag + 1]
    let bare = name.hasSuffix("-bare")
    guard let chosen = cases.first(where: { $0.key == (bare ? String(name.dropLast(5)) : name) }) else {
        fatalError("no case \(name); cases: \(cases.map(\.key))")
    }
    let before = allocationCount()
    run(bare ? chosen.bare : chosen.leg, frames: frames, prepareOnly: arguments.contains("--prepare-only"))
    let allocations = allocationCount() - before
    print(
        "\(name): \(frames) frames\(arguments.contains("--prepare-only") ? " prepared" : ""), \(allocations) allocations (preparation included)"
    )
} else if arguments.contains("--forward-only") {
    forwardingTable(window: quick ? .milliseconds(50) : .milliseconds(500), rounds: quick ? 1 : 3, countedBatches: countedBatches)
} else {
    let rounds = quick ? 1 : 3
    var legBest = Array(repeating: Double.infinity, count: cases.count)
    var bareBest = Array(repeating: Double.infinity, count: cases.count)
    for _ in 0..<rounds {
        for (index, item) in cases.enumerated() {
            legBest[index] = min(legBest[index], microsecondsPerFrame(item.leg, duration: window))
            bareBest[index] = min(bareBest[index], microsecondsPerFrame(item.bare, duration: window))
        }
    }
    // Allocations after the timed rounds, so every loop is long past its warm-up.
    let legAllocations = cases.map { allocationsPerFrame($0.leg, batches: countedBatches) }
    let bareAllocations = cases.map { allocationsPerFrame($0.bare, batches: countedBatches) }
    print(
        pad("benchmark (per 20 ms frame)", 32) + pad("µs leg", 10) + pad("µs bare", 10) + pad("ratio", 8) + pad("legs/core", 11)
            + pad("allocs leg", 12) + "allocs bare")
    for (index, item) in cases.enumerated() {
        let columns = [
            pad(item.name, 32), pad(fixed(legBest[index], 2), 10), pad(fixed(bareBest[index], 2), 10),
            pad(fixed(legBest[index] / bareBest[index], 3), 8), pad(format(20_000 / legBest[index]), 11),
            pad(allocationFigure(legAllocations[index]), 12), allocationFigure(bareAllocations[index]),
        ]
        print(columns.joined())
    }
    print("* assembled from the cores (SRTPSession, RTPPacket, JitterBuffer, MuLaw, OpusEncoder/OpusDecoder)")
    print("  bridge: PhoneBridge per 20 ms (SFrame open, Opus decode at 8 kHz, mix-minus, Opus encode, SFrame protect);")
    print("  its bare baseline is the same four library calls with no queue, selection or mix")
    print("  legs/core: full-duplex legs per core (20 ms / µs leg); allocs: heap allocations per frame in steady state,")
    print("  \(countedBatches * batchFrames) frames counted after \(batchFrames) of warm-up (libsrtp2/NSS's included)")
    print("checks:")
    for item in cases { print("  \(item.name): \(item.check())") }
    print()
    forwardingTable(window: quick ? .milliseconds(50) : .milliseconds(500), rounds: rounds, countedBatches: countedBatches)
}
