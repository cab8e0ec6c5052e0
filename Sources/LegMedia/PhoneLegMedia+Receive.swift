import Media
import RTP

extension PhoneLegMedia {
    /// One datagram from the leg's socket. `bytes` is the adapter's copy; SRTP unprotects it in place.
    public func receive(_ bytes: inout [UInt8], from source: LegMediaConfiguration.Address, now: Duration) -> [LegMediaEvent] {
        switch RTPDemultiplexer.classify(bytes) {
        case .rtcp:
            receiveRTCP(&bytes, now: now)
            return []
        case .rtp:
            return receiveRTP(&bytes, from: source, now: now)
        case .stun, .other:
            // No ICE here: STUN and anything else is counted and dropped.
            statistics.malformedPackets += 1
            return []
        }
    }

    private func receiveRTP(_ bytes: inout [UInt8], from source: LegMediaConfiguration.Address, now: Duration) -> [LegMediaEvent] {
        if let inboundSRTP {
            do {
                try inboundSRTP.unprotectRTP(&bytes)
            } catch {
                // RFC 3711 §3.3: failed authentication drops the packet; the call goes on.
                statistics.srtpFailures += 1
                return []
            }
        }
        let packet: RTPPacket
        do {
            packet = try RTPPacket(parsing: bytes)
        } catch {
            statistics.malformedPackets += 1
            return []
        }
        var events: [LegMediaEvent] = []
        // Symmetric RTP with strict source learning: after a few in-sequence packets the source is
        // locked, and packets from anywhere else are dropped (RTP bleed and injection).
        switch latch.receive(packet.header, from: source) {
        case .drop:
            statistics.droppedFromOtherSources += 1
            return []
        case .locked(let address):
            if address != sendTo {
                sendTo = address
            }
            events.append(.sourceLocked(address))
        case .learning, .accept:
            break
        }
        statistics.packetsReceived += 1
        lastMediaAt = now
        reportedNoMedia = false
        let payloadType = packet.header.payloadType
        if payloadType == configuration.telephoneEventPayloadType {
            _ = reception.receive(packet.header, arrival: now, updatesJitter: false)
            let actions = (try? self.events.receive(packet)) ?? []
            for case .began(let event) in actions {
                if let digit = event.digit {
                    statistics.digits += 1
                    if configuration.bargeIn { player.stop() }
                    events.append(.digit(digit, via: .rfc4733))
                }
            }
        } else if payloadType == configuration.payloadType {
            _ = reception.receive(packet.header, arrival: now)
            jitterBuffer.insert(
                sequence: packet.header.sequenceNumber, timestamp: packet.header.timestamp, frame: packet.payload, arrival: now)
        } else if payloadType == 13 {
            // RFC 3389 comfort noise: the phone is in silence; it still counts as media.
            statistics.comfortNoisePackets += 1
        } else {
            statistics.unexpectedPayloadTypes += 1
        }
        return events
    }

    private func receiveRTCP(_ bytes: inout [UInt8], now: Duration) {
        if let inboundSRTP {
            do {
                try inboundSRTP.unprotectRTCP(&bytes)
            } catch {
                statistics.srtpFailures += 1
                return
            }
        }
        guard let compound = try? RTCPCompoundPacket(parsing: bytes) else {
            statistics.malformedPackets += 1
            return
        }
        let arrival = clock.ntp(at: now)
        for packet in compound.packets {
            let blocks: [RTCPReportBlock]
            switch packet {
            case .senderReport(let report):
                reception.receivedSenderReport(report, at: arrival)
                blocks = report.reportBlocks
            case .receiverReport(let report):
                blocks = report.reportBlocks
            case .sourceDescription, .goodbye, .application, .unknown:
                continue
            }
            // RFC 3550 §6.4.1: round-trip time from the phone's report on our stream.
            if let ours = blocks.first(where: { $0.ssrc == ssrc }), let sent = lastSenderReport,
                let rtt = ours.roundTripTime(arrivedAt: arrival, forSenderReportSentAt: sent.ntp)
            {
                statistics.roundTripTime = rtt
            }
        }
    }
}
