import Media
import RTP

extension PhoneLegMedia {
    /// One packet time (20 ms) of the leg: play out what the phone sent, run the application,
    /// and return what to send. The same as `playOut(now:)` then `send(now:send:)`.
    public func tick(now: Duration, send: (OutboundDatagram) -> Void) -> [LegMediaEvent] {
        var events = playOut(now: now)
        events += self.send(now: now, send: send)
        return events
    }

    /// The first half of a tick: the phone's next 20 ms out of the jitter buffer, decoded, checked
    /// for in-band digits and, in a conference, handed to the meeting's bridge. A media clock that
    /// steps bridges runs every leg's first half, then the bridges, then every leg's `send`: the
    /// phone's audio then reaches the meeting, and the meeting's mix the phone, in the same tick.
    public func playOut(now: Duration) -> [LegMediaEvent] {
        var events: [LegMediaEvent] = []
        heard = playOutFrame(now: now)
        if heard, configuration.detectInBandDTMF {
            inboundPCM.withUnsafeBufferPointer { pcm in
                if let digit = toneDetector.process(pcm) {
                    statistics.digits += 1
                    if configuration.bargeIn { player.stop() }
                    events.append(.digit(digit.character, via: .inBand))
                }
            }
        }
        if heard, case .conference(let port) = configuration.application {
            inboundPCM.withUnsafeBufferPointer { port.depositFromLeg($0) }
        }
        return events
    }

    /// The second half of a tick: what the application has for the phone (the echo of what was
    /// heard, a prompt, the meeting's mix) is sent, with RTCP and the leg's periodic events.
    public func send(now: Duration, send: (OutboundDatagram) -> Void) -> [LegMediaEvent] {
        var events: [LegMediaEvent] = []
        // The application runs even while the phone holds the call, so prompts end on time.
        let produced = produceOutbound()
        if configuration.sends, let event = digitSender.nextPacket(mediaTimestamp: timestamp) {
            // RFC 4733 §2.5.1: while an event plays, its packets replace the audio.
            sendEventPacket(event, send: send)
        } else if configuration.sends, produced {
            sendRTPPacket(send: send)
        }
        if case .playback(let id, _) = configuration.application, !playbackReported, !player.isPlaying {
            playbackReported = true
            events.append(.playbackFinished(id: id))
        }
        // The RTP timestamp advances with the media clock whether or not we sent (RFC 3550 §5.1).
        timestamp &+= UInt32(codec.samplesPerFrame * configuration.codec.clockRate / 8000)
        if now >= nextRTCPAt {
            nextRTCPAt = now + Self.rtcpInterval
            if var report = makeRTCPReport(now: now) {
                let to = configuration.rtcpMux ? sendTo : configuration.remoteRTCP
                report.withUnsafeMutableBytes {
                    send(OutboundDatagram(bytes: UnsafeRawBufferPointer($0), to: to, fromRTCPPort: !configuration.rtcpMux))
                }
            }
        }
        if now >= nextQualityAt {
            nextQualityAt = now + Self.qualityInterval
            refreshReceptionFigures()
            events.append(.quality(statistics))
        }
        if configuration.receives, !reportedNoMedia, now - lastMediaAt >= configuration.noMediaTimeout {
            reportedNoMedia = true
            events.append(.noMedia(now - lastMediaAt))
        }
        return events
    }

    /// Ends the playback (barge-in: a digit interrupts a prompt).
    public func stopPlayback() { player.stop() }

    /// Sends digits to the phone as RFC 4733 events (100 ms each, with a pause between). False
    /// when the phone did not negotiate telephone-event, so events cannot be sent to it.
    public func sendDigits(_ digits: String) throws(RTPError) -> Bool {
        guard configuration.telephoneEventPayloadType != nil else { return false }
        try digitSender.enqueue(digits: digits, duration: UInt32(configuration.codec.clockRate / 10))
        return true
    }

    private func sendEventPacket(_ event: TelephoneEventSender.Packet, send: (OutboundDatagram) -> Void) {
        guard let payloadType = configuration.telephoneEventPayloadType, let body = try? event.payload.serialized() else { return }
        let header = RTPHeader(
            marker: event.marker, payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: event.timestamp, ssrc: ssrc)
        sequenceNumber &+= 1
        protectAndSend(header: header, payload: body[...], send: send)
    }

    /// Pops the jitter buffer into `inboundPCM`; true when there is audio from the phone.
    private func playOutFrame(now: Duration) -> Bool {
        switch jitterBuffer.pop(at: now) {
        case .frame(let payload, _, _):
            let decoded = inboundPCM.withUnsafeMutableBufferPointer { codec.decode(payload, into: $0) }
            if !decoded {
                statistics.malformedPackets += 1
                inboundPCM.withUnsafeMutableBufferPointer { codec.conceal(into: $0) }
            }
            return true
        case .conceal(.missing):
            statistics.concealedFrames += 1
            let next = jitterBuffer.nextFrame
            inboundPCM.withUnsafeMutableBufferPointer { codec.conceal(into: $0, next: next) }
            return true
        case .conceal(.underrun), .conceal(.waiting), .empty:
            return false
        }
    }

    /// Fills `outboundPCM` from the application; false when there is nothing to send.
    private func produceOutbound() -> Bool {
        switch configuration.application {
        case .echo:
            guard heard else { return false }
            // Copy in place: assigning the array would share it, and the next decode would copy it.
            outboundPCM.withUnsafeMutableBufferPointer { out in
                inboundPCM.withUnsafeBufferPointer { heard in _ = out.update(fromContentsOf: heard) }
            }
            return true
        case .playback:
            return outboundPCM.withUnsafeMutableBufferPointer { player.nextFrame(into: $0) }
        case .conference(let port):
            // What the phone said went to the bridge in `playOut`.
            return outboundPCM.withUnsafeMutableBufferPointer { port.takeForLeg(into: $0) }
        case .silence:
            return false
        }
    }

    private func sendRTPPacket(send: (OutboundDatagram) -> Void) {
        let encoded = outboundPCM.withUnsafeBufferPointer { codec.encode($0, into: &payload) }
        guard encoded else { return }
        let header = RTPHeader(
            marker: statistics.packetsSent == 0, payloadType: configuration.payloadType, sequenceNumber: sequenceNumber,
            timestamp: timestamp, ssrc: ssrc)
        sequenceNumber &+= 1
        protectAndSend(header: header, payload: payload[...], send: send)
    }

    /// Serialises into the reused send buffer, protects in place, and lends it to `send`.
    private func protectAndSend(header: RTPHeader, payload: ArraySlice<UInt8>, send: (OutboundDatagram) -> Void) {
        sendBuffer.removeAll(keepingCapacity: true)
        // Our own header never exceeds RTP's limits (no CSRCs, no extension), so this cannot fail.
        guard (try? RTPPacket(header: header, payload: payload).serialize(into: &sendBuffer)) != nil else { return }
        if let outboundSRTP {
            do {
                try outboundSRTP.protectRTP(&sendBuffer)
            } catch {
                statistics.srtpFailures += 1
                return
            }
        }
        statistics.packetsSent += 1
        statistics.octetsSent += payload.count
        let to = sendTo
        sendBuffer.withUnsafeBytes { send(OutboundDatagram(bytes: $0, to: to, fromRTCPPort: false)) }
    }

    /// Loss (cumulative, of all expected so far), jitter and late frames from the reception
    /// statistics and the jitter buffer.
    private func refreshReceptionFigures() {
        statistics.cumulativeLost = Int(reception.cumulativeLost)
        let expected = reception.expected
        statistics.lossRatio = expected > 0 ? Double(max(0, reception.cumulativeLost)) / Double(expected) : 0
        statistics.jitter = reception.jitterDuration
        statistics.lateFrames = jitterBuffer.statistics.late
    }

    /// A sender report (we send) or receiver report, with SDES CNAME (RFC 3550 §6.1: every
    /// compound packet carries a CNAME).
    private func makeRTCPReport(now: Duration) -> [UInt8]? {
        let ntp = clock.ntp(at: now)
        var blocks: [RTCPReportBlock] = []
        if statistics.packetsReceived > 0 {
            blocks.append(reception.makeReportBlock(at: ntp))
        }
        refreshReceptionFigures()
        let first: RTCPPacket
        if statistics.packetsSent > 0 {
            first = .senderReport(
                RTCPSenderReport(
                    ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: timestamp, packetCount: UInt32(truncatingIfNeeded: statistics.packetsSent),
                    octetCount: UInt32(truncatingIfNeeded: statistics.octetsSent), reportBlocks: blocks))
            lastSenderReport = (ntp, now)
        } else {
            first = .receiverReport(RTCPReceiverReport(ssrc: ssrc, reportBlocks: blocks))
        }
        let compound = RTCPCompoundPacket(packets: [
            first, .sourceDescription(RTCPSourceDescription(source: ssrc, cname: "dialgate@\(ssrc)")),
        ])
        guard var bytes = try? compound.serialized() else { return nil }
        if let outboundSRTP {
            bytes.reserveCapacity(bytes.count + SRTPCryptoSuite.maximumOverhead)
            guard (try? outboundSRTP.protectRTCP(&bytes)) != nil else {
                statistics.srtpFailures += 1
                return nil
            }
        }
        return bytes
    }
}
