/// The answer to one accepted offered stream and what it settles.
struct SDPStreamPlan {
    var answerMedia: MediaDescription
    var media: NegotiatedMedia
}

/// Why an offered stream cannot be served (goes into the 488 reason).
struct SDPStreamRefusal: Error {
    var text: String
}

/// Decides whether one offered `m=` section can be served and, if so, builds its answer.
enum SDPStreamPlanner {
    /// Packet times echoed from an offer; others are treated as absent. 10 ms is the smallest
    /// G.711 packet in use, and 120 ms the longest Opus packet (RFC 6716 §3.2.1, the RFC 7587 §7
    /// maxptime default); a ptime outside that is a broken offer, not a wish to honour.
    static let acceptedPtime = 10...120

    static func plan(
        _ offered: MediaDescription,
        in offer: SessionDescription,
        policy: SDPAnswerPolicy,
        previousCodec: NegotiatedCodec?
    ) -> Result<SDPStreamPlan, SDPStreamRefusal> {
        func refuse(_ text: String) -> Result<SDPStreamPlan, SDPStreamRefusal> {
            .failure(SDPStreamRefusal(text: text))
        }
        guard offered.media.lowercased() == "audio" else { return refuse("not audio") }
        // RFC 3264 §6: a stream offered with port 0 is answered with port 0.
        guard offered.port != 0 else { return refuse("offered with port 0") }

        // Transport profile. RTP/AVPF (RFC 4585 §3.2) is AVP with feedback rules an endpoint
        // may simply not use, so it is served like AVP; DTLS-SRTP (UDP/TLS/...) is not.
        let secure: Bool
        switch offered.proto.uppercased() {
        case "RTP/AVP", "RTP/AVPF":
            guard policy.srtp.allowsPlainRTP else { return refuse("plain RTP offered but SRTP is required") }
            secure = false
        case "RTP/SAVP", "RTP/SAVPF":
            secure = true
        default:
            return refuse("unsupported transport \(offered.proto)")
        }

        guard let connection = offer.effectiveConnection(of: offered) else {
            return refuse("no c= line (RFC 8866 §5.7)")
        }
        let localType = SDPAddressType(forAddress: policy.connectionAddress)
        // RFC 6157 §3.1: the answer's c= uses the offer's address family.
        guard connection.addrType == localType || connection.isHoldAddress else {
            return refuse("address type \(connection.addrType) but the gateway advertises \(localType)")
        }

        // Codec: the previous one first if still offered, then the policy's order.
        var preferences = policy.codecs
        if let previousCodec,
            let position = preferences.firstIndex(where: {
                $0.isSameEncoding(
                    as: SDPCodec(
                        encodingName: previousCodec.encodingName, clockRate: previousCodec.clockRate,
                        channels: previousCodec.channels))
            })
        {
            preferences.insert(preferences.remove(at: position), at: 0)
        }
        let offeredMaps: [(format: String, map: SDPRtpMap)] = offered.formats.compactMap { format in
            guard let payloadType: UInt8 = SDPNumber.parse(format[...]),
                let map = offered.rtpMap(forPayloadType: payloadType)
            else { return nil }
            return (format, map)
        }
        var chosen: (codec: SDPCodec, format: String, map: SDPRtpMap)? = nil
        for codec in preferences where chosen == nil {
            if let match = offeredMaps.first(where: { codec.matches($0.map) }) {
                chosen = (codec, match.format, match.map)
            }
        }
        guard let chosen else {
            let names = offeredMaps.map { "\($0.map.encodingName)/\($0.map.clockRate)" }
            return refuse("no common codec (offered \(names.isEmpty ? "none known" : names.joined(separator: ", ")))")
        }

        // SDES: the first offered crypto line the gateway has a key for (RFC 4568 §5.1.2:
        // offer order is preference).
        var srtp: NegotiatedSRTP? = nil
        if secure {
            let keys = policy.srtp.localKeys
            guard !keys.isEmpty else {
                return refuse("SRTP offered but no SDES keys are available on this signalling path (RFC 4568 §8)")
            }
            for line in offered.crypto where srtp == nil && isServable(line) {
                if let key = keys.first(where: { $0.suite == line.suite }) {
                    srtp = NegotiatedSRTP(
                        remote: line, local: SDPCrypto(tag: line.tag, suite: line.suite, keyParams: key.keyParams))
                }
            }
            guard srtp != nil else { return refuse("no acceptable a=crypto line (RFC 4568 §5.1.2)") }
        }

        // telephone-event at the codec's clock rate (RFC 4733 §2.1: events share the audio
        // stream's timestamps).
        var telephoneEvent: (format: String, map: SDPRtpMap)? = nil
        if policy.acceptsTelephoneEvent {
            telephoneEvent = offeredMaps.first {
                SDPCodec.isTelephoneEvent($0.map) && $0.map.clockRate == chosen.codec.clockRate
            }
        }

        // Direction. RFC 3264 §8.4: c=0.0.0.0 is the old way to say "do not send to me"; read it
        // as the offerer not receiving.
        let offeredDirection = offer.effectiveDirection(of: offered)
        let effective =
            connection.isHoldAddress
            ? SDPDirection(sends: offeredDirection.sends, receives: false) : offeredDirection
        let localDirection = effective.reversed
        let ptime = offered.ptime.flatMap { acceptedPtime.contains($0) ? $0 : nil } ?? policy.preferredPtime

        // The answer's m= section.
        var answer = MediaDescription(
            media: offered.media, port: policy.rtpPort, proto: offered.proto,
            formats: [chosen.format] + (telephoneEvent.map { [$0.format] } ?? []))
        // RFC 3264 §6.1: same payload type numbers and mappings as the offer.
        answer.attributes.append(chosen.map.attribute)
        if let parameters = chosen.codec.answerParameters {
            answer.attributes.append(SDPFormatParameters(format: chosen.format, parameters: parameters).attribute)
        }
        let events = telephoneEvent.flatMap { offered.formatParameters(for: $0.format)?.parameters }
        if let telephoneEvent {
            answer.attributes.append(telephoneEvent.map.attribute)
            if let events {
                answer.attributes.append(
                    SDPFormatParameters(format: telephoneEvent.format, parameters: events).attribute)
            }
        }
        answer.attributes.append(SDPAttribute(name: "ptime", value: "\(ptime)"))
        // RFC 5761 §5.1.1: the answerer that supports rtcp-mux echoes it.
        let rtcpMux = offered.rtcpMux
        if rtcpMux { answer.attributes.append(SDPAttribute(name: "rtcp-mux")) }
        if let srtp { answer.attributes.append(srtp.local.attribute) }
        answer.attributes.append(localDirection.attribute)

        // Where to send.
        let remoteRTP = SDPTransportAddress(address: connection.address, port: offered.port)
        let remoteRTCP: SDPTransportAddress?
        if rtcpMux {
            remoteRTCP = remoteRTP
        } else if let rtcp = offered.rtcp {
            remoteRTCP = SDPTransportAddress(address: rtcp.connection?.address ?? connection.address, port: rtcp.port)
        } else {
            // RFC 3550 §11: RTCP on the next higher (odd) port.
            let (next, overflow) = offered.port.addingReportingOverflow(1)
            remoteRTCP = overflow ? nil : SDPTransportAddress(address: connection.address, port: next)
        }

        let media = NegotiatedMedia(
            mediaIndex: 0,
            codec: NegotiatedCodec(
                encodingName: chosen.map.encodingName,
                payloadType: chosen.map.payloadType,
                clockRate: chosen.map.clockRate,
                channels: chosen.map.channels ?? 1,
                remoteParameters: offered.formatParameters(for: chosen.format)),
            telephoneEventPayloadType: telephoneEvent?.map.payloadType,
            telephoneEvents: events,
            remoteRTP: remoteRTP,
            remoteRTCP: remoteRTCP,
            rtcpMux: rtcpMux,
            direction: localDirection,
            isOnHold: !effective.receives,
            ptime: ptime,
            srtp: srtp)
        return .success(SDPStreamPlan(answerMedia: answer, media: media))
    }

    /// RFC 4568 §5.1.2: a line with a session parameter the answerer does not support is not
    /// acceptable. Only the default FEC order (§6.3.2) is understood; the rest is left to the
    /// media layer's later SRTP work.
    private static func isServable(_ crypto: SDPCrypto) -> Bool {
        crypto.sessionParams.allSatisfy { $0 == "FEC_ORDER=FEC_SRTP" }
            && crypto.keyParams.allSatisfy { $0.method == "inline" }
    }
}
