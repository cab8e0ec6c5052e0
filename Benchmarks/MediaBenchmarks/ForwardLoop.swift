// Forwarding one SFrame frame to N receivers (issue 10): the meeting hub's frame path next to a
// bare copy of the same bytes N times.
import Frames
import Meetings

/// One meeting of `receivers + 1` app participants; the sender's frame goes through the path the
/// participant server takes for every binary message (MeetingRooms): the received bytes copied
/// into an array (`Array(buffer.readableBytesView)`), `MeetingHub.handle(.frame)`, then for each
/// receiver in the `.forward` action a look-up of its connection and the frame put on its queue.
/// The queues hold the shared array (copy-on-write, as the server shares one ByteBuffer), so
/// the per-receiver work is the look-up and the enqueue, never a copy. Sockets are not included.
final class ForwardLoop {
    let receivers: Int
    let received: [UInt8]
    private var hub: MeetingHub
    private let sender: ParticipantID
    private var queueOf: [ParticipantID: Int] = [:]
    private var queues: [[[UInt8]]]
    private(set) var delivered = 0

    /// A frame of a typical app participant: 20 ms of Opus speech at about 32 kb/s (80 bytes) in
    /// SFrame (header, ciphertext, 16-byte tag).
    init(receivers: Int, payloadBytes: Int = 80) {
        self.receivers = receivers
        let meeting = MeetingDirectoryRecord(id: "123456789", passcode: "4321", hostSigningKey: [UInt8](repeating: 0xA1, count: 32))
        var settings = MeetingHub.Settings()
        settings.maxParticipants = receivers + 1
        var hub = MeetingHub(record: meeting, settings: settings)
        var joined: [(ParticipantID, SenderIndex)] = []
        for index in 0...receivers {
            let signingKey = index == 0 ? [UInt8](repeating: 0xA1, count: 32) : [UInt8](repeating: UInt8(index % 200 + 2), count: 32)
            let identity = IdentityKeys(
                signingKey: signingKey, agreementKey: [UInt8](repeating: 0xB2, count: 32),
                agreementKeySignature: [UInt8](repeating: 0xC3, count: 64))
            let hello = Hello(
                meeting: meeting.id, passcode: meeting.passcode, name: "P\(index)", role: index == 0 ? .host : .guest, identity: identity)
            let actions = hub.handle(.join(ConnectionID(rawValue: UInt64(index + 1)), hello, meeting, now: MeetingInstant(nanoseconds: 0)))
            guard
                let admitted = actions.lazy.compactMap({ action -> (ParticipantID, SenderIndex)? in
                    if case .admit(_, let id, let senderIndex) = action { return (id, senderIndex) }
                    return nil
                }).first
            else { fatalError("participant \(index) was refused: \(actions)") }
            joined.append(admitted)
        }
        self.hub = hub
        self.sender = joined[0].0
        for (position, (id, _)) in joined.dropFirst().enumerated() { queueOf[id] = position }
        queues = Array(repeating: [], count: receivers)
        for index in queues.indices { queues[index].reserveCapacity(batchFrames) }
        let keyID = must("KID") { try SFrameKeyID(senderIndex: UInt64(joined[0].1.rawValue), epoch: 1) }
        received =
            SFrameHeader(keyID: keyID.rawValue, counter: 1).encoded + (0..<payloadBytes).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            + [UInt8](repeating: 0xEE, count: 16)
    }

    /// One frame through the hub to every receiver's queue.
    @inline(never) func forward() {
        // A real copy, as `Array(buffer.readableBytesView)` makes one (an allocation per frame, the
        // adapter's): `Array(received[...])` would share the whole array's storage and copy nothing.
        let bytes = opaque(received).withUnsafeBufferPointer { Array($0) }
        for action in hub.handle(.frame(from: sender, bytes)) {
            guard case .forward(let frame, _, let to) = action else { continue }
            for receiver in to {
                guard let queue = queueOf[receiver] else { continue }
                queues[queue].append(frame)
                delivered += 1
            }
        }
    }

    /// Empties the queues (untimed, between batches), as the sockets would.
    func drain() {
        for index in queues.indices { queues[index].removeAll(keepingCapacity: true) }
    }
}

/// The baseline: the same bytes copied N times into buffers allocated once.
final class BareCopyLoop {
    let source: [UInt8]
    private var copies: [[UInt8]]

    init(source: [UInt8], receivers: Int) {
        self.source = source
        copies = Array(repeating: [UInt8](repeating: 0, count: source.count), count: receivers)
    }

    @inline(never) func copy() {
        let bytes = opaque(source)
        bytes.withUnsafeBufferPointer { from in
            for index in copies.indices {
                copies[index].withUnsafeMutableBufferPointer { to in
                    to.baseAddress!.update(from: from.baseAddress!, count: from.count)
                }
            }
        }
        consume(copies[copies.count - 1][0])
    }
}

/// Nanoseconds per operation over about `duration`, in batches of `batchFrames` (`reset` runs
/// untimed between batches).
func nanosecondsPerOperation(duration: Duration, _ operation: () -> Void, reset: () -> Void = {}) -> Double {
    let clock = ContinuousClock()
    for _ in 0..<batchFrames { operation() }
    reset()
    var operations = 0
    var elapsed = Duration.zero
    while elapsed < duration {
        let start = clock.now
        for _ in 0..<batchFrames { operation() }
        elapsed += clock.now - start
        operations += batchFrames
        reset()
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return seconds * 1e9 / Double(operations)
}

/// The forwarding table: hub and bare copy alternately, `rounds` windows each, best kept; then
/// allocations per frame over `countedBatches` batches after a warm-up one.
func forwardingTable(window: Duration, rounds: Int, countedBatches: Int) {
    let counts = [1, 10, 50]
    var hubBest = Array(repeating: Double.infinity, count: counts.count)
    var bareBest = Array(repeating: Double.infinity, count: counts.count)
    var loops: [ForwardLoop] = []
    for count in counts { loops.append(ForwardLoop(receivers: count)) }
    let bares = loops.map { BareCopyLoop(source: $0.received, receivers: $0.receivers) }
    for _ in 0..<rounds {
        for index in counts.indices {
            hubBest[index] = min(hubBest[index], nanosecondsPerOperation(duration: window, loops[index].forward, reset: loops[index].drain))
            bareBest[index] = min(bareBest[index], nanosecondsPerOperation(duration: window, bares[index].copy))
        }
    }
    let hubAllocations = loops.map { allocationsPerOperation(batches: countedBatches, $0.forward, reset: $0.drain) }
    let bareAllocations = bares.map { allocationsPerOperation(batches: countedBatches, $0.copy) }
    print(
        pad("forward one SFrame frame (\(loops[0].received.count) B)", 40) + pad("ns hub", 12) + pad("ns bare copy", 14) + pad("ratio", 8)
            + pad("allocs hub", 12) + "allocs bare")
    for (index, count) in counts.enumerated() {
        let columns = [
            pad("to \(count) receiver\(count == 1 ? "" : "s")", 40), pad(fixed(hubBest[index], 0), 12), pad(fixed(bareBest[index], 0), 14),
            pad(fixed(hubBest[index] / bareBest[index], 2), 8), pad(allocationFigure(hubAllocations[index]), 12),
            allocationFigure(bareAllocations[index]),
        ]
        print(columns.joined())
    }
    print("  hub: Array(received bytes) + MeetingHub.handle(.frame) + per receiver a look-up and an enqueue of the shared bytes;")
    print("  bare: the same bytes copied once per receiver (memcpy into buffers allocated once)")
    print("  allocs: heap allocations per frame forwarded, \(countedBatches * batchFrames) frames counted after \(batchFrames) of warm-up;")
    print("  the hub's include the one of the adapter's copy of the received bytes (MeetingRooms, not the hub)")
    print("  checks: " + loops.map { "\($0.receivers): \($0.delivered) delivered" }.joined(separator: ", "))
}
