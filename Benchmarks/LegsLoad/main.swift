// Concurrent transcoded legs (issue 10, docs/performance.md; run by `scripts/load --only legs`).
//
//   LegsLoad --sip 127.0.0.1:PORT --server ws://127.0.0.1:PORT/v1 --ctl PATH --socket PATH --pid PID
//            --steps "N1 N2 ..." [--seconds W] [--settle S] [--max-busy PERCENT] [--latency]
//
// With --latency (Latency.swift, `scripts/load --only latency`) the same legs send noise with a
// marker every 500 ms instead of speech, the receivers detect the markers' onsets, and one more
// phone and app talk through a bare transcoding relay in this process (the baseline); every step is
// measured (late or lost frames do not end the sweep) and "codec ..." and "latency ..." lines are
// added (Latency.swift tells them).
//
// For each step it brings the number of live legs up to N (legs of earlier steps stay up), waits S
// seconds, then measures a window of W seconds. One leg is one `standard` meeting with one app
// participant and one phone:
//  - the meeting is created with `dialgatectl meeting create --mode standard`;
//  - the app participant joins it over the participant protocol (ParticipantTransport's WebSocket
//    client, a fresh identity, MeetingKeys for the gateway's epochs) and sends one SFrame-protected
//    48 kHz Opus frame every 20 ms (speech-like audio encoded once at start, 32 kb/s as
//    dialgate-participant sends; only the SFrame protection is done per frame);
//  - the phone dials `ID*PASSCODE` (the bundled dialplan's direct-meeting route) over SIP/UDP
//    with a PCMU offer and sends 160 octets of μ-law speech-like audio every 20 ms over RTP.
// So the gateway, per leg and frame, decodes the phone's μ-law, encodes it to Opus for the app
// (SFrame-protected), decodes the app's Opus at 8 kHz for the phone's mix and encodes μ-law back:
// the work of MediaBenchmarks' transcode row (one Opus encode, one Opus decode), the baseline.
//
// Measured in the window, at the receivers: the phone's RTP from the gateway and the app's frames
// from the phone (the SFrame counter as their sequence). Lost: sequence numbers missing between the
// first and last received. Late: arrival more than 20 ms after the schedule the previous frame set
// (its arrival plus 20 ms per sequence step). Behind (told, not a criterion): more than 20 ms after
// the stream's best-case schedule in the window (its earliest frame's), i.e. delay added and kept.
// Gap: the longest time between consecutive frames. The daemon's CPU (utime + stime of
// /proc/PID/stat over the window), its VmRSS at the end, this process's CPU and the machine's busy
// share (/proc/stat) are printed beside them. First "daemon idle rss KB cpu X" (before any leg),
// then one line per step on stdout:
//   step N legs L cpu X self Y busy Z rss KB phone E lost L late T behind B gap µS
//        app E lost L late T behind B gap µS failed F idle X udpdrops D
// (cpu, self and idle in percent of one core, busy in percent of all cores; udpdrops: datagrams the
// machine dropped for full receive buffers in the window, any socket's, /proc/net/snmp). The sweep stops after
// the first step whose late + lost exceed 0.1 % on either side, with a failed setup, or with the
// machine busier than --max-busy (default 95) percent. Only loopback addresses are used.
import Foundation
import Frames
import LoadSupport
import Media
import Meetings
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ParticipantClient
import ParticipantTransport

#if canImport(Glibc)
    import Glibc
#endif

func nanosecondsNow() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

let frameNanoseconds: UInt64 = 20_000_000
/// Senders are spread over the 20 ms in this many slots, as real phones are not in step.
let slots = 10

// MARK: - Audio, prepared once

/// A speech-like signal: a drifting voice around 140 Hz with harmonics, in syllable bursts, plus a
/// little noise (loud enough that the mixer selects it and the codecs work on real content).
func speech(sampleRate: Int, seconds: Int, seed: UInt64) -> [Int16] {
    var generator = seed | 1
    var samples = [Int16](repeating: 0, count: sampleRate * seconds)
    var phase = 0.0
    for index in samples.indices {
        let time = Double(index) / Double(sampleRate)
        let pitch = 140 + 25 * sin(2 * Double.pi * 0.4 * time)
        phase += 2 * Double.pi * pitch / Double(sampleRate)
        let syllable = max(0, sin(2 * Double.pi * 2.7 * time))
        var value = 0.0
        for harmonic in 1...5 { value += sin(phase * Double(harmonic)) / Double(harmonic) }
        generator = generator &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let noise = Double(Int64(bitPattern: generator >> 11) % 1000) / 1000
        samples[index] = Int16(clamping: Int((value * 6000 * syllable + noise * 300).rounded()))
    }
    return samples
}

let loopFrames = 250  // 5 s of audio, then again
/// What phones and apps send: speech-like audio, or in `--latency` mode noise with markers (Latency.swift).
let phonePCM8k =
    latencyMode ? markerSignal(sampleRate: 8000, frames: loopFrames, phase: 0, seed: 7) : speech(sampleRate: 8000, seconds: 5, seed: 7)
let appPCM48k =
    latencyMode
    ? markerSignal(sampleRate: 48000, frames: loopFrames, phase: appMarkerPhase, seed: 11) : speech(sampleRate: 48000, seconds: 5, seed: 11)
let muLawFrames: [[UInt8]] = {
    let pcm = phonePCM8k
    return (0..<loopFrames).map { frame in
        var codes = [UInt8](repeating: 0, count: 160)
        pcm.withUnsafeBufferPointer { pcm in
            codes.withUnsafeMutableBufferPointer { codes in
                _ = MuLaw.encode(UnsafeBufferPointer(rebasing: pcm[frame * 160..<(frame + 1) * 160]), into: codes)
            }
        }
        return codes
    }
}()
let opusFrames: [[UInt8]] = {
    let pcm = appPCM48k
    guard let encoder = try? OpusEncoder(sampleRate: 48000) else { fail("cannot make an Opus encoder") }
    try? encoder.setBitrate(32_000)
    return (0..<loopFrames).map { frame in
        var packet = [UInt8](repeating: 0, count: OpusEncoder.maxPacketSize)
        let length = pcm.withUnsafeBufferPointer { pcm in
            packet.withUnsafeMutableBufferPointer { packet in
                (try? encoder.encode(UnsafeBufferPointer(rebasing: pcm[frame * 960..<(frame + 1) * 960]), into: packet)) ?? 0
            }
        }
        guard length > 0 else { fail("Opus encode failed") }
        return Array(packet[0..<length])
    }
}()

// MARK: - The measurement window and what receivers saw in it

/// Arrivals of one stream in the window: sequence (extended) and arrival time.
struct Arrivals {
    var sequences: [Int64] = []
    var arrivals: [UInt64] = []
    var lastRaw: UInt64?
    var extended: Int64 = 0

    /// `raw` is a 16-bit RTP sequence number (`modulus` 65536) or an SFrame counter (`modulus` 0).
    mutating func record(_ raw: UInt64, modulus: UInt64, at time: UInt64) {
        if modulus == 0 {
            extended = Int64(raw)
        } else if let last = lastRaw {
            var delta = Int64(raw) - Int64(last)
            if delta > Int64(modulus / 2) { delta -= Int64(modulus) }
            if delta < -Int64(modulus / 2) { delta += Int64(modulus) }
            extended += delta
        } else {
            extended = Int64(raw)
        }
        lastRaw = raw
        sequences.append(extended)
        arrivals.append(time)
    }

    /// The window's figures; `minimum` frames expected at least (a stream that stopped still
    /// counts its missing frames).
    func figures(minimum: Int) -> Figures {
        guard let first = sequences.min(), let last = sequences.max() else { return Figures(expected: minimum, lost: minimum) }
        var figures = Figures(expected: max(Int(last - first + 1), minimum))
        figures.lost = max(0, figures.expected - Set(sequences).count)
        let frame = Int64(frameNanoseconds)
        var base = Int64.max
        for (sequence, arrival) in zip(sequences, arrivals) { base = min(base, Int64(arrival) - (sequence - first) * frame) }
        var previous: (sequence: Int64, arrival: Int64)?
        for (sequence, arrival) in zip(sequences, arrivals) {
            let arrival = Int64(arrival)
            // Late: more than 20 ms after the schedule the previous frame set (its arrival plus
            // 20 ms per sequence step), i.e. a stall of over 40 ms between consecutive frames.
            if let previous, sequence > previous.sequence {
                let gap = arrival - previous.arrival
                figures.maximumGap = max(figures.maximumGap, gap / (sequence - previous.sequence))
                if arrival - (previous.arrival + (sequence - previous.sequence) * frame) > frame { figures.late += 1 }
            }
            // Behind: more than 20 ms after the stream's best-case schedule (its earliest frame's),
            // i.e. delay added somewhere in the window and kept.
            if arrival - (base + (sequence - first) * frame) > frame { figures.behind += 1 }
            previous = (sequence, arrival)
        }
        return figures
    }
}

/// What receivers saw in a window.
struct Figures {
    var expected = 0
    var lost = 0
    /// More than 20 ms after the previous frame's schedule.
    var late = 0
    /// More than 20 ms after the stream's best-case schedule over the window.
    var behind = 0
    /// The longest time between consecutive frames, in nanoseconds per sequence step.
    var maximumGap: Int64 = 0

    mutating func add(_ other: Figures) {
        expected += other.expected
        lost += other.lost
        late += other.late
        behind += other.behind
        maximumGap = max(maximumGap, other.maximumGap)
    }

    /// Late or lost above 0.1 %.
    var failed: Bool { (lost + late) * 1000 > expected }

    var line: String { "\(expected) lost \(lost) late \(late) behind \(behind) gap \(maximumGap / 1000)" }
}

final class Window: @unchecked Sendable {
    private let lock = NIOLock()
    private var open = false
    func set(_ value: Bool) { lock.withLock { open = value } }
    var isOpen: Bool { lock.withLock { open } }
}
let window = Window()

// MARK: - Phones: SIP over UDP and RTP, on plain sockets

func udpSocket(bufferBytes: Int32) -> (descriptor: Int32, port: UInt16) {
    let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard descriptor >= 0 else { fail("socket: \(errno)") }
    var size = bufferBytes
    setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { fail("bind: \(errno)") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return (descriptor, UInt16(bigEndian: address.sin_port))
}

func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

func send(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, to port: UInt16) {
    var address = loopback(port: port)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
}

/// One phone leg's dialog as the UAC sees it.
struct Dialog {
    enum State { case calling, established, failed(String), ended }
    let index: Int
    let callID: String
    let uri: String
    let fromTag: String
    var toHeader: String?
    var state = State.calling
    var gatewayRTPPort: UInt16 = 0
    var sentAt: UInt64
    var tries = 1
}

final class Phones: @unchecked Sendable {
    let sip = udpSocket(bufferBytes: 4 << 20)
    let rtp = udpSocket(bufferBytes: 16 << 20)
    let gatewaySIPPort: UInt16
    private let lock = NIOLock()
    private var dialogs: [String: Dialog] = [:]
    /// The gateway's RTP port of each established leg → the leg's index (its packets come from there).
    private var legByGatewayPort: [UInt16: Int] = [:]
    private var streams: [Int: Arrivals] = [:]
    /// Legs the pacer sends for, appended by the setup, read by the pacer.
    private var live: [(index: Int, port: UInt16)] = []
    private var running = true

    init(gatewaySIPPort: UInt16) { self.gatewaySIPPort = gatewaySIPPort }

    private func invite(_ dialog: Dialog) -> String {
        let sdp = [
            "v=0", "o=legs \(dialog.index) 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
            "m=audio \(rtp.port) RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16",
            "a=ptime:20", "a=sendrecv", "",
        ].joined(separator: "\r\n")
        return [
            "INVITE \(dialog.uri) SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:\(sip.port);branch=z9hG4bK-\(dialog.callID)-1;rport",
            "Max-Forwards: 70", "From: <sip:legs\(dialog.index)@127.0.0.1>;tag=\(dialog.fromTag)", "To: <\(dialog.uri)>",
            "Call-ID: \(dialog.callID)", "CSeq: 1 INVITE", "Contact: <sip:legs\(dialog.index)@127.0.0.1:\(sip.port)>",
            "Content-Type: application/sdp", "Content-Length: \(sdp.utf8.count)", "", sdp,
        ].joined(separator: "\r\n")
    }

    private func request(_ method: String, _ dialog: Dialog, cseq: Int) -> String {
        [
            "\(method) \(dialog.uri) SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:\(sip.port);branch=z9hG4bK-\(dialog.callID)-\(method);rport",
            "Max-Forwards: 70", "From: <sip:legs\(dialog.index)@127.0.0.1>;tag=\(dialog.fromTag)", dialog.toHeader ?? "To: <\(dialog.uri)>",
            "Call-ID: \(dialog.callID)", "CSeq: \(cseq) \(method)", "Content-Length: 0", "", "",
        ].joined(separator: "\r\n")
    }

    private func sendSIP(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { send(sip.descriptor, $0, to: gatewaySIPPort) }
    }

    /// Dials meeting `meeting` with `passcode` as leg `index`.
    func dial(index: Int, meeting: String, passcode: String) {
        let dialog = Dialog(
            index: index, callID: "legs-\(index)-\(UInt32.random(in: 0...UInt32.max))",
            uri: "sip:\(meeting)*\(passcode)@127.0.0.1:\(gatewaySIPPort)",
            fromTag: "t\(index)", sentAt: nanosecondsNow())
        lock.withLock { dialogs[dialog.callID] = dialog }
        sendSIP(invite(dialog))
    }

    /// INVITEs unanswered for a second are sent again (UDP), three times at most.
    func retransmit() {
        let now = nanosecondsNow()
        var again: [Dialog] = []
        lock.withLock {
            for (id, dialog) in dialogs {
                guard case .calling = dialog.state, now - dialog.sentAt > 1_000_000_000 else { continue }
                if dialog.tries >= 4 {
                    dialogs[id]?.state = .failed("no answer")
                } else {
                    dialogs[id]?.tries += 1
                    dialogs[id]?.sentAt = now
                    again.append(dialog)
                }
            }
        }
        for dialog in again { sendSIP(invite(dialog)) }
    }

    /// (established, failed, calling) over legs `range`, with one failure's reason.
    func states(_ range: Range<Int>) -> (established: Int, failed: Int, calling: Int, reason: String?) {
        lock.withLock {
            var result = (established: 0, failed: 0, calling: 0, reason: String?.none)
            for dialog in dialogs.values where range.contains(dialog.index) {
                switch dialog.state {
                case .established: result.established += 1
                case .calling: result.calling += 1
                case .failed(let why):
                    result.failed += 1
                    result.reason = why
                case .ended:
                    result.failed += 1
                    result.reason = "the gateway hung up"
                }
            }
            return result
        }
    }

    func hangUpAll() {
        let established = lock.withLock { dialogs.values.filter { if case .established = $0.state { true } else { false } } }
        for dialog in established { sendSIP(request("BYE", dialog, cseq: 2)) }
    }

    func stop() { lock.withLock { running = false } }
    var isRunning: Bool { lock.withLock { running } }

    /// The SIP receiver: answers to our requests, and 200 OK to the gateway's own (BYE, OPTIONS, ...).
    func serveSIP() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while isRunning {
            let count = buffer.withUnsafeMutableBytes { recv(sip.descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { continue }
            let text = String(decoding: buffer[0..<count], as: UTF8.self)
            let parts = text.components(separatedBy: "\r\n\r\n")
            let lines = parts[0].components(separatedBy: "\r\n")
            func header(_ names: String...) -> String? {
                lines.first { line in names.contains { line.lowercased().hasPrefix($0 + ":") } }
            }
            func value(_ line: String?) -> String {
                guard let line, let colon = line.firstIndex(of: ":") else { return "" }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let callID = value(header("call-id", "i"))
            if lines[0].hasPrefix("SIP/2.0 ") {
                let code = Int(lines[0].split(separator: " ")[1]) ?? 0
                let cseq = value(header("cseq"))
                guard cseq.hasSuffix("INVITE"), code >= 200 else { continue }
                var ack: Dialog?
                lock.withLock {
                    guard var dialog = dialogs[callID] else { return }
                    if code >= 300 {
                        dialog.state = .failed("\(lines[0])")
                        // A final error answer still wants its ACK (same transaction): skip, the leg is gone.
                    } else {
                        dialog.toHeader = header("to", "t").map { "To: " + value($0) }
                        if case .calling = dialog.state {
                            let body = parts.count > 1 ? parts[1] : ""
                            let media = body.components(separatedBy: "\r\n").first { $0.hasPrefix("m=audio ") }
                            let port = media.flatMap { UInt16($0.split(separator: " ")[1]) } ?? 0
                            if port == 0 {
                                dialog.state = .failed("no audio port in the answer")
                            } else {
                                dialog.state = .established
                                dialog.gatewayRTPPort = port
                                legByGatewayPort[port] = dialog.index
                                live.append((dialog.index, port))
                            }
                        }
                        ack = dialog
                    }
                    dialogs[callID] = dialog
                }
                if let ack { sendSIP(request("ACK", ack, cseq: 1)) }
            } else {
                // A request from the gateway: 200 OK, echoing the transaction's headers.
                let method = lines[0].split(separator: " ").first.map(String.init) ?? ""
                guard method != "ACK" else { continue }
                let echoed = lines.filter { line in
                    ["via:", "v:", "from:", "f:", "to:", "t:", "call-id:", "i:", "cseq:"].contains { line.lowercased().hasPrefix($0) }
                }
                sendSIP((["SIP/2.0 200 OK"] + echoed + ["Content-Length: 0", "", ""]).joined(separator: "\r\n"))
                if method == "BYE" { lock.withLock { dialogs[callID]?.state = .ended } }
            }
        }
    }

    /// The RTP receiver: every packet the gateway sends to a phone, recorded while the window is open.
    func serveRTP() {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var source = sockaddr_in()
        // --latency: each leg's onset detector over its μ-law stream (PCMU packets), window or not.
        var markerReceivers: [Int: MarkerReceiver] = [:]
        var pcm = [Int16](repeating: 0, count: 160)
        while isRunning {
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &source) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(rtp.descriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard count >= 12 else { continue }
            let now = nanosecondsNow()
            let port = UInt16(bigEndian: source.sin_port)
            if latencyMode, count == 12 + 160, buffer[0] == 0x80, buffer[1] & 0x7F == 0,
                let leg = lock.withLock({ legByGatewayPort[port] })
            {
                let receiver = markerReceivers[leg] ?? MarkerReceiver(sampleRate: 8000, leg: leg, direction: .appToPhone)
                markerReceivers[leg] = receiver
                buffer.withUnsafeBufferPointer { codes in
                    pcm.withUnsafeMutableBufferPointer { _ = MuLaw.decode(UnsafeBufferPointer(rebasing: codes[12..<172]), into: $0) }
                }
                pcm.withUnsafeBufferPointer { receiver.receive($0, arrival: now) }
            }
            guard window.isOpen else { continue }
            let sequence = UInt64(buffer[2]) << 8 | UInt64(buffer[3])
            lock.withLock {
                guard let leg = legByGatewayPort[port] else { return }
                streams[leg, default: Arrivals()].record(sequence, modulus: 65536, at: now)
            }
        }
    }

    func resetStreams() { lock.withLock { streams = [:] } }

    /// The figures of legs `0..<count`, at least `minimum` expected per leg.
    func figures(legs count: Int, minimum: Int) -> Figures {
        lock.withLock {
            var total = Figures()
            for leg in 0..<count { total.add((streams[leg] ?? Arrivals()).figures(minimum: minimum)) }
            return total
        }
    }

    var liveLegs: [(index: Int, port: UInt16)] { lock.withLock { live } }

    /// A phone without a dialog whose RTP goes to, and comes from, `port` (the baseline relay's).
    func addLive(index: Int, port: UInt16) {
        lock.withLock {
            legByGatewayPort[port] = index
            live.append((index, port))
        }
    }
}

// MARK: - App participants: the participant protocol, one per meeting

final class App: @unchecked Sendable {
    let index: Int
    let session: WebSocketSession
    let identity: ParticipantIdentity
    /// The baseline's app (--latency): its frames are bare Opus both ways, with no keys and no protocol.
    let plain: Bool
    private let lock = NIOLock()
    private var keys: MeetingKeys?
    private var refusal: String?
    private var streams: [UInt64: Arrivals] = [:]
    private var sent = 0
    /// --latency: the gateway's frames opened and decoded as dialgate-participant does, and the
    /// onset detector over the decoded audio (one sender: the leg's phone).
    private var incoming: IncomingAudio?
    private var plainDecoder: OpusDecoder?
    private let markers: MarkerReceiver

    init(index: Int, session: WebSocketSession, identity: ParticipantIdentity, plain: Bool = false) {
        self.index = index
        self.session = session
        self.identity = identity
        self.plain = plain
        markers = MarkerReceiver(sampleRate: MeetingAudio.sampleRate, leg: index, direction: .phoneToApp)
        if plain { plainDecoder = try? OpusDecoder(sampleRate: Int32(MeetingAudio.sampleRate)) }
    }

    /// --latency: decodes a received frame and looks for onsets in it.
    private func detectMarkers(_ frame: ByteBuffer, arrival: UInt64) {
        lock.withLock {
            if let plainDecoder {
                guard let packet = frame.getBytes(at: frame.readerIndex, length: frame.readableBytes),
                    let pcm = try? plainDecoder.decode(packet)
                else { return }
                pcm.withUnsafeBufferPointer { markers.receive($0, arrival: arrival) }
            } else {
                incoming?.receive(frame, keys: keys) { audio in markers.receive(audio.samples, arrival: arrival) }
            }
        }
    }

    func handle(_ message: WebSocketMessage) {
        switch message {
        case .binary(let frame):
            if latencyMode { detectMarkers(frame, arrival: nanosecondsNow()) }
            guard window.isOpen else { return }
            let now = nanosecondsNow()
            let header = frame.withUnsafeReadableBytes { bytes in try? SFrameHeader.decode(bytes) }
            guard let header else { return }
            lock.withLock { streams[header.header.keyID, default: Arrivals()].record(header.header.counter, modulus: 0, at: now) }
        case .text(let text):
            guard let decoded = try? ParticipantProtocol.decode(text, from: .fromGateway) else { return }
            lock.withLock {
                switch decoded {
                case .welcome(let welcome):
                    if latencyMode { incoming = IncomingAudio(ownSenderIndex: UInt64(welcome.senderIndex.rawValue)) }
                    do { keys = try MeetingKeys(identity: identity, welcome: welcome, role: .guest) } catch {
                        refusal = "keys: \(error)"
                    }
                case .epoch(let announcement):
                    do { try keys?.install(announcement) } catch { refusal = "epoch \(announcement.epoch): \(error)" }
                case .error(let code, let reason): refusal = "\(code): \(reason)"
                default: break
                }
            }
        }
    }

    var hasKeys: Bool { lock.withLock { keys?.hasKeys ?? false } }
    var failure: String? { lock.withLock { refusal } }

    /// One Opus frame of the loop, SFrame-protected under the current epoch's own sender (bare when
    /// `plain`). `frame`: the loop frame to send (--latency: the pacer's frame count), or the next.
    func sendFrame(allocator: ByteBufferAllocator, frame: Int? = nil) {
        let bytes: [UInt8]? = lock.withLock {
            if plain { return opusFrames[(frame ?? 0) % loopFrames] }
            guard let sender = keys?.ring.ownSender else { return nil }
            sent += 1
            return try? sender.protect(opusFrames[(frame ?? (sent + index * 37)) % loopFrames])
        }
        guard let bytes else { return }
        var buffer = allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        if let frame, let offset = appMarkerOffsets[frame % loopFrames] {
            latencyLog.sent(.appToPhone, leg: index, at: nanosecondsNow() + offset)
        }
        session.outbox.send(frame: buffer)
    }

    func resetStreams() { lock.withLock { streams = [:] } }

    /// The figures of the phone's frames in the window, over its key ids.
    func figures(minimum: Int) -> Figures {
        lock.withLock {
            guard !streams.isEmpty else { return Figures(expected: minimum, lost: minimum) }
            var total = Figures()
            // One KID in a steady window; should an epoch change inside it, each KID counts apart.
            for stream in streams.values { total.add(stream.figures(minimum: streams.count == 1 ? minimum : 0)) }
            return total
        }
    }
}

final class Apps: @unchecked Sendable {
    private let lock = NIOLock()
    private var apps: [App] = []
    /// --latency: the baseline's app, paced with the others but not one of the gateway's legs.
    private var baseline: [App] = []
    func append(_ app: App) { lock.withLock { apps.append(app) } }
    func appendBaseline(_ app: App) { lock.withLock { baseline.append(app) } }
    var all: [App] { lock.withLock { apps } }
    var paced: [App] { lock.withLock { apps + baseline } }
}

// MARK: - The pacer: every 2 ms, the phones and apps of one slot send their 20 ms frame

final class Pacer: @unchecked Sendable {
    let phones: Phones
    let apps: Apps
    init(phones: Phones, apps: Apps) {
        self.phones = phones
        self.apps = apps
    }

    func run() {
        struct Sender {
            var sequence: UInt16
            var timestamp: UInt32
            let ssrc: UInt32
            var frame: Int
        }
        var senders: [Int: Sender] = [:]
        var packet = [UInt8](repeating: 0, count: 12 + 160)
        let allocator = ByteBufferAllocator()
        let slotNanoseconds = frameNanoseconds / UInt64(slots)
        var next = nanosecondsNow()
        var slot = 0
        // --latency: every sender sends loop frame `frameCount` in the current 20 ms, so markers stay
        // on the schedule Latency.swift describes.
        var frameCount = 0
        while phones.isRunning {
            for leg in phones.liveLegs where leg.index % slots == slot {
                var sender =
                    senders[leg.index]
                    ?? Sender(
                        sequence: UInt16.random(in: 0...UInt16.max), timestamp: UInt32.random(in: 0...UInt32.max),
                        ssrc: UInt32.random(in: 1...UInt32.max),
                        frame: leg.index * 13)
                packet[0] = 0x80
                packet[1] = 0  // PCMU
                packet[2] = UInt8(sender.sequence >> 8)
                packet[3] = UInt8(sender.sequence & 0xFF)
                for byte in 0..<4 {
                    packet[4 + byte] = UInt8((sender.timestamp >> (24 - 8 * UInt32(byte))) & 0xFF)
                    packet[8 + byte] = UInt8((sender.ssrc >> (24 - 8 * UInt32(byte))) & 0xFF)
                }
                let loopFrame = (latencyMode ? frameCount : sender.frame) % loopFrames
                let payload = muLawFrames[loopFrame]
                for offset in 0..<160 { packet[12 + offset] = payload[offset] }
                if latencyMode, let offset = phoneMarkerOffsets[loopFrame] {
                    latencyLog.sent(.phoneToApp, leg: leg.index, at: nanosecondsNow() + offset)
                }
                packet.withUnsafeBytes { send(phones.rtp.descriptor, $0, to: leg.port) }
                sender.sequence &+= 1
                sender.timestamp &+= 160
                sender.frame += 1
                senders[leg.index] = sender
            }
            for app in apps.paced where app.index % slots == slot {
                app.sendFrame(allocator: allocator, frame: latencyMode ? frameCount : nil)
            }
            slot = (slot + 1) % slots
            if slot == 0 { frameCount += 1 }
            next += slotNanoseconds
            let now = nanosecondsNow()
            if next > now {
                var pause = timespec(tv_sec: Int((next - now) / 1_000_000_000), tv_nsec: Int((next - now) % 1_000_000_000))
                nanosleep(&pause, nil)
            } else if now - next > 100_000_000 {
                next = now  // more than 100 ms behind: do not burst to catch up
            }
        }
    }
}

// MARK: - Process figures from /proc

/// utime + stime of `pid`, in clock ticks.
func cpuTicks(_ pid: Int32) -> Int {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return 0 }
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    // After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    guard fields.count > 13 else { return 0 }
    return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
}

/// (busy, total) jiffies of the whole machine.
func machineTicks() -> (busy: Int, total: Int) {
    guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = stat.split(separator: "\n").first else {
        return (0, 0)
    }
    let values = line.split(separator: " ").dropFirst().compactMap { Int($0) }
    let total = values.reduce(0, +)
    let idle = (values.count > 3 ? values[3] : 0) + (values.count > 4 ? values[4] : 0)
    return (total - idle, total)
}

/// The machine's UDP datagrams dropped for a full receive buffer (/proc/net/snmp, every socket's).
func udpReceiveBufferErrors() -> Int {
    guard let snmp = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
    let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
    guard lines.count >= 2, let column = lines[0].split(separator: " ").firstIndex(of: "RcvbufErrors") else { return 0 }
    let values = lines[1].split(separator: " ")
    return column < values.count ? Int(values[column]) ?? 0 : 0
}

func rssKilobytes(_ pid: Int32) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return Int(line.split(separator: " ")[1]) ?? 0
}

// MARK: - The sweep

func createMeeting(ctl: String, socket: String, id: String, passcode: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ctl)
    process.arguments = ["--socket", socket, "meeting", "create", "--id", id, "--passcode", passcode, "--mode", "standard"]
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch { fail("dialgatectl: \(error)") }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { fail("dialgatectl meeting create --id \(id) exited \(process.terminationStatus)") }
}

func sweep() async throws {
    guard let sipAddress = option("--sip"), let sipPort = sipAddress.split(separator: ":").last.flatMap({ UInt16($0) }),
        let server = option("--server"), let ctl = option("--ctl"), let socket = option("--socket"),
        let pid = option("--pid").flatMap({ Int32($0) })
    else {
        fail("usage: LegsLoad --sip 127.0.0.1:PORT --server ws://127.0.0.1:PORT/v1 --ctl PATH --socket PATH --pid PID --steps \"N ...\"")
    }
    let steps = (option("--steps") ?? "10 20").split(separator: " ").compactMap { Int($0) }
    let seconds = Double(option("--seconds") ?? "10") ?? 10
    let settle = Double(option("--settle") ?? "3") ?? 3
    let maxBusy = Double(option("--max-busy") ?? "95") ?? 95
    let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    let passcode = "2468"

    _ = muLawFrames.count + opusFrames.count + phoneMarkerOffsets.count + appMarkerOffsets.count  // prepared before any timing
    let phones = Phones(gatewaySIPPort: sipPort)
    let apps = Apps()
    let pacer = Pacer(phones: phones, apps: apps)
    Thread { phones.serveSIP() }.start()
    Thread { phones.serveRTP() }.start()
    Thread { pacer.run() }.start()
    let idleRSS = rssKilobytes(pid)
    // The daemon's own CPU with no leg, over 2 s.
    let idleBefore = cpuTicks(pid)
    let idleStarted = nanosecondsNow()
    try await Task.sleep(for: .seconds(2))
    let idleCPU = Double(cpuTicks(pid) - idleBefore) / ticksPerSecond / (Double(nanosecondsNow() - idleStarted) / 1e9) * 100
    emit("daemon idle rss \(idleRSS) cpu \(String(format: "%.1f", idleCPU))")
    let limits = WebSocketOutbox.Limits(frames: 1024)
    var runs: [Task<Void, Never>] = []
    if latencyMode {
        let codec = codecChainDelays(phonePCM: phonePCM8k, appPCM: appPCM48k)
        emit("codec phone-to-app \(String(format: "%.3f", codec.phoneToApp)) app-to-phone \(String(format: "%.3f", codec.appToPhone))")
        // The baseline: one more phone and app through a bare transcoding relay in this process.
        let relay = TranscodingRelay(phonePort: phones.rtp.port)
        Thread { relay.serveUDP { phones.isRunning } }.start()
        let server = try await ParticipantWebSocketServer.bind(host: "127.0.0.1", port: 0, settings: ParticipantWebSocketServer.Settings())
        runs.append(Task { try? await server.run { session in await relay.serve(session) } })
        let session = try await ParticipantWebSocketClient.connect("ws://127.0.0.1:\(server.port)/v1", outboxLimits: limits)
        let app = App(index: baselineLeg, session: session, identity: try ParticipantIdentity.generate(), plain: true)
        runs.append(Task { await session.run { message in app.handle(message) } })
        apps.appendBaseline(app)
        phones.addLive(index: baselineLeg, port: relay.udp.port)
    }
    var legs = 0
    for target in steps where target > legs {
        // Meetings and their app participants first (keyed), then the phones.
        let range = legs..<target
        for index in range {
            let meeting = String(5_000_000_000 + index)
            createMeeting(ctl: ctl, socket: socket, id: meeting, passcode: passcode)
            let session = try await ParticipantWebSocketClient.connect(server, outboxLimits: limits)
            let identity = try ParticipantIdentity.generate()
            let app = App(index: index, session: session, identity: identity)
            runs.append(Task { await session.run { message in app.handle(message) } })
            session.outbox.send(
                text: ParticipantProtocol.encode(
                    .hello(
                        Hello(
                            meeting: meeting, passcode: passcode, name: "app \(index)", role: .guest,
                            identity: IdentityKeys(identity.publicIdentity))))
            )
            apps.append(app)
        }
        let keyDeadline = nanosecondsNow() + 20_000_000_000
        while apps.all[range].contains(where: { !$0.hasKeys }) {
            if let why = apps.all[range].lazy.compactMap(\.failure).first { fail("app participant: \(why)") }
            if nanosecondsNow() > keyDeadline { fail("app participants without keys after 20 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Phones at about 50 calls a second.
        for index in range {
            phones.dial(index: index, meeting: String(5_000_000_000 + index), passcode: passcode)
            try await Task.sleep(for: .milliseconds(20))
            phones.retransmit()
        }
        while phones.states(range).calling > 0 {
            phones.retransmit()
            try await Task.sleep(for: .milliseconds(50))
        }
        legs = target
        try await Task.sleep(for: .milliseconds(Int64(settle * 1000)))

        // The window.
        phones.resetStreams()
        for app in apps.all { app.resetStreams() }
        latencyLog.reset()
        let cpuBefore = cpuTicks(pid)
        let selfBefore = cpuTicks(getpid())
        let machineBefore = machineTicks()
        let dropsBefore = udpReceiveBufferErrors()
        let started = nanosecondsNow()
        window.set(true)
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        window.set(false)
        let elapsed = Double(nanosecondsNow() - started) / 1e9
        let cpu = Double(cpuTicks(pid) - cpuBefore) / ticksPerSecond / elapsed * 100
        let selfCPU = Double(cpuTicks(getpid()) - selfBefore) / ticksPerSecond / elapsed * 100
        let machineAfter = machineTicks()
        let busy = Double(machineAfter.busy - machineBefore.busy) / Double(max(1, machineAfter.total - machineBefore.total)) * 100
        let rss = rssKilobytes(pid)
        let drops = udpReceiveBufferErrors() - dropsBefore
        try await Task.sleep(for: .milliseconds(100))
        let states = phones.states(0..<legs)
        // At least the frames of the window less the two at its edges, per leg.
        let minimum = Int(seconds * 50) - 2
        let phone = phones.figures(legs: legs, minimum: minimum)
        var app = Figures()
        for each in apps.all { app.add(each.figures(minimum: minimum)) }
        emit(
            "step \(target) legs \(states.established) cpu \(String(format: "%.1f", cpu)) self \(String(format: "%.1f", selfCPU)) busy \(String(format: "%.1f", busy)) rss \(rss) phone \(phone.line) app \(app.line) failed \(states.failed) idle \(String(format: "%.1f", idleCPU)) udpdrops \(drops)"
        )
        if latencyMode {
            let gateway = Array(0..<legs)
            emit(
                "latency \(target) legs \(states.established) gateway p2a \(latencyLog.summary(.phoneToApp, legs: gateway)) a2p \(latencyLog.summary(.appToPhone, legs: gateway)) baseline p2a \(latencyLog.summary(.phoneToApp, legs: [baselineLeg])) a2p \(latencyLog.summary(.appToPhone, legs: [baselineLeg]))"
            )
        }
        if let reason = states.reason { emit("LegsLoad: a leg failed: \(reason)", to: 2) }
        // --latency measures every step (late or lost frames are told, not a criterion).
        if states.failed > 0 || (!latencyMode && (phone.failed || app.failed || busy >= maxBusy)) { break }
    }
    phones.hangUpAll()
    for app in apps.all { app.session.outbox.close(WebSocketClose(code: WebSocketClose.normal, reason: "done")) }
    try await Task.sleep(for: .milliseconds(500))
    phones.stop()
    for run in runs { run.cancel() }
}

signal(SIGPIPE, SIG_IGN)
try await sweep()
exit(0)
