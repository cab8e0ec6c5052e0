import Calls
import Foundation
import LegMedia
import Logging
import NIOCore
import NIOPosix

/// The legs on one event loop, their sockets, and the loop's media clock. Everything here runs
/// on `loop` (checked), so the legs' codec and SRTP state need no locks.
final class MediaLoop: @unchecked Sendable {
    let loop: any EventLoop
    private let logger: Logger
    private var legs: [GatewayCallID: Leg] = [:]
    /// Legs whose sockets are still being bound: instructions reach them already, and a close
    /// before the bind completes is remembered (the bind then closes what it opened).
    private var opening: [GatewayCallID: PhoneLegMedia] = [:]
    /// Meetings' phone bridges stepped by this loop's clock, between the legs' playout and their sends.
    private var bridges: [ObjectIdentifier: MediaLoopBridge] = [:]
    private var clock: Scheduled<Void>?
    /// The ideal time of the next tick: ticks are `packetTime` apart on the monotonic clock, not
    /// `packetTime` after the previous tick finished, so the media clock never drifts against
    /// the phones' (a drifting clock makes the jitter buffer drop or conceal a frame every few).
    private var nextTick: NIODeadline = .now()

    /// RFC 3551 §4.2: 20 ms is the default packet time for G.711 and what phones use.
    static let packetTime: TimeAmount = .milliseconds(20)

    struct Leg {
        let media: PhoneLegMedia
        let rtp: any Channel
        let rtcp: (any Channel)?
        let events: @Sendable (LegMediaEvent) -> Void
    }

    init(loop: any EventLoop, logger: Logger) {
        self.loop = loop
        self.logger = logger
    }

    static var now: Duration { .nanoseconds(Int64(clamping: NIODeadline.now().uptimeNanoseconds)) }

    func open(
        _ call: GatewayCallID, port: Int, host: String, configuration: LegMediaConfiguration,
        events: @escaping @Sendable (LegMediaEvent) -> Void
    ) {
        loop.preconditionInEventLoop()
        let media: PhoneLegMedia
        do {
            var random = SystemRandomNumberGenerator()
            let wallClock = Date().timeIntervalSince1970
            let clock = LegClock(now: Self.now, ntpTime: LegClock.unixToNTP + .nanoseconds(Int64(wallClock * 1e9)))
            media = try PhoneLegMedia(configuration: configuration, clock: clock, random: &random)
        } catch {
            logger.error("media: cannot set up the leg", metadata: ["call": "\(call)", "error": "\(error)"])
            events(.failed("cannot set up the media: \(error)"))
            return
        }
        // RFC 3550 §11: RTP on the even port, RTCP on the next one unless rtcp-mux (RFC 5761).
        let rtpBind = bind(host: host, port: port, call: call)
        let rtcpBind =
            configuration.rtcpMux ? loop.makeSucceededFuture(nil) : bind(host: host, port: port + 1, call: call).map { Optional($0) }
        // The leg's media stays on this loop: the bind completes here too.
        let boundMedia = NIOLoopBound(media, eventLoop: loop)
        opening[call] = media
        rtpBind.and(rtcpBind).whenComplete { result in
            guard self.opening.removeValue(forKey: call) != nil else {
                // The call ended while its ports were being bound.
                rtpBind.whenSuccess { $0.close(promise: nil) }
                rtcpBind.whenSuccess { $0?.close(promise: nil) }
                return
            }
            switch result {
            case .success(let (rtp, rtcp)):
                self.legs[call] = Leg(media: boundMedia.value, rtp: rtp, rtcp: rtcp, events: events)
                self.startClock()
            case .failure(let error):
                self.logger.error("media: cannot bind RTP", metadata: ["call": "\(call)", "port": "\(port)", "error": "\(error)"])
                rtpBind.whenSuccess { $0.close(promise: nil) }
                rtcpBind.whenSuccess { $0?.close(promise: nil) }
                // A call without media must not go on unnoticed (it would have no no-media timer).
                events(.failed("cannot bind RTP port \(port)"))
            }
        }
    }

    private func bind(host: String, port: Int, call: GatewayCallID) -> EventLoopFuture<any Channel> {
        DatagramBootstrap(group: loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaDatagramHandler(call: call, mediaLoop: self))
                }
            }
            .bind(host: host, port: port)
    }

    private func media(of call: GatewayCallID) -> PhoneLegMedia? { legs[call]?.media ?? opening[call] }

    func update(_ call: GatewayCallID, configuration: LegMediaConfiguration) {
        loop.preconditionInEventLoop()
        guard let media = media(of: call) else { return }
        do {
            try media.update(configuration, now: Self.now)
        } catch {
            logger.error("media: cannot update the leg", metadata: ["call": "\(call)", "error": "\(error)"])
        }
    }

    func stopPlayback(_ call: GatewayCallID) {
        loop.preconditionInEventLoop()
        media(of: call)?.stopPlayback()
    }

    func setApplication(_ call: GatewayCallID, _ application: LegMediaConfiguration.Application) {
        loop.preconditionInEventLoop()
        media(of: call)?.setApplication(application)
    }

    func close(_ call: GatewayCallID) {
        loop.preconditionInEventLoop()
        opening.removeValue(forKey: call)
        guard let leg = legs.removeValue(forKey: call) else { return }
        leg.rtp.close(promise: nil)
        leg.rtcp?.close(promise: nil)
        stopClockIfIdle()
    }

    func attach(_ bridge: MediaLoopBridge) {
        loop.preconditionInEventLoop()
        bridges[ObjectIdentifier(bridge)] = bridge
        startClock()
    }

    func detach(_ bridge: MediaLoopBridge) {
        loop.preconditionInEventLoop()
        bridges[ObjectIdentifier(bridge)] = nil
        stopClockIfIdle()
    }

    private func stopClockIfIdle() {
        guard legs.isEmpty, bridges.isEmpty else { return }
        clock?.cancel()
        clock = nil
    }

    func receive(_ call: GatewayCallID, bytes: inout [UInt8], from address: SocketAddress) {
        guard let leg = legs[call], let host = address.ipAddress, let port = address.port else { return }
        let events = leg.media.receive(&bytes, from: LegMediaConfiguration.Address(host: host, port: port), now: Self.now)
        for event in events { leg.events(event) }
    }

    /// One clock for all legs on this loop, not a timer per leg.
    private func startClock() {
        guard clock == nil else { return }
        nextTick = .now() + Self.packetTime
        scheduleTick()
    }

    private func scheduleTick() {
        clock = loop.scheduleTask(deadline: nextTick) { [self] in
            let ideal = nextTick
            tick(at: ideal)
            nextTick = ideal + Self.packetTime
            // Far behind (a stalled machine): skip ahead rather than burst out a backlog of ticks.
            if nextTick + Self.packetTime * 5 < .now() { nextTick = .now() + Self.packetTime }
            guard !legs.isEmpty || !bridges.isEmpty else {
                clock = nil
                return
            }
            scheduleTick()
        }
    }

    /// Runs every leg for the packet time starting at `deadline` (the ideal tick time, so playout
    /// is regular even when the loop wakes a little late), in three steps: every leg plays out
    /// what its phone sent (a phone in a meeting hands it to the bridge), every bridge mixes, and
    /// every leg sends (a phone in a meeting gets the mix just made). So a phone's audio reaches
    /// the meeting, and the meeting's the phone, in the tick it is played or mixed.
    private func tick(at deadline: NIODeadline) {
        let now = Duration.nanoseconds(Int64(clamping: deadline.uptimeNanoseconds))
        for leg in legs.values {
            for event in leg.media.playOut(now: now) { leg.events(event) }
        }
        for bridge in bridges.values { bridge.tick() }
        var written: [ObjectIdentifier: any Channel] = [:]
        for leg in legs.values {
            let events = leg.media.send(now: now) { datagram in
                let channel = datagram.fromRTCPPort ? (leg.rtcp ?? leg.rtp) : leg.rtp
                guard let address = try? SocketAddress(ipAddress: datagram.to.host, port: datagram.to.port) else { return }
                channel.write(
                    AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: datagram.bytes)), promise: nil)
                written[ObjectIdentifier(channel)] = channel
            }
            for event in events { leg.events(event) }
        }
        // One flush per socket per tick: NIO turns the queued datagrams into one sendmmsg.
        for channel in written.values { channel.flush() }
    }
}

/// Reads a leg's RTP (and RTCP) datagrams and hands them to its media loop.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let call: GatewayCallID
    private let mediaLoop: MediaLoop

    init(call: GatewayCallID, mediaLoop: MediaLoop) {
        self.call = call
        self.mediaLoop = mediaLoop
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var bytes = Array(envelope.data.readableBytesView)
        mediaLoop.receive(call, bytes: &bytes, from: envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like: the leg goes on; the no-media timer ends dead calls.
    }
}
