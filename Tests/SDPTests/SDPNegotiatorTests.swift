import Foundation
import Testing

@testable import SDP

@Suite struct SDPNegotiatorTests {
    /// A typical phone offer (sipp / baresip / linphone style), LF line ends as some send them.
    static let phoneOffer = """
        v=0
        o=user1 53655765 2353687637 IN IP4 192.168.1.50
        s=-
        c=IN IP4 192.168.1.50
        t=0 0
        m=audio 6000 RTP/AVP 0 8 101
        a=rtpmap:0 PCMU/8000
        a=rtpmap:8 PCMA/8000
        a=rtpmap:101 telephone-event/8000
        a=fmtp:101 0-16
        a=ptime:20
        a=sendrecv

        """

    func offer(_ text: String) throws -> SessionDescription {
        try SessionDescription(parsing: text)
    }

    /// The phone offer with its media attributes' direction (and optionally c=) replaced.
    func phoneOffer(direction: String, address: String = "192.168.1.50", version: Int = 2_353_687_637) throws
        -> SessionDescription
    {
        try offer(
            Self.phoneOffer
                .replacingOccurrences(of: "a=sendrecv", with: "a=\(direction)")
                .replacingOccurrences(of: "c=IN IP4 192.168.1.50", with: "c=IN IP4 \(address)")
                .replacingOccurrences(of: "2353687637", with: "\(version)"))
    }

    // MARK: - A real phone

    @Test func typicalPhoneOffer() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let (answer, media) = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(
            answer.serialized() == """
                v=0\r
                o=dialgate 7000 1 IN IP4 203.0.113.10\r
                s=dialgate\r
                c=IN IP4 203.0.113.10\r
                t=0 0\r
                m=audio 40000 RTP/AVP 0 101\r
                a=rtpmap:0 PCMU/8000\r
                a=rtpmap:101 telephone-event/8000\r
                a=fmtp:101 0-16\r
                a=ptime:20\r
                a=sendrecv\r

                """)
        #expect(
            media
                == NegotiatedMedia(
                    mediaIndex: 0,
                    codec: NegotiatedCodec(
                        encodingName: "PCMU", payloadType: 0, clockRate: 8000, channels: 1, remoteParameters: nil),
                    telephoneEventPayloadType: 101,
                    telephoneEvents: "0-16",
                    remoteRTP: SDPTransportAddress(address: "192.168.1.50", port: 6000),
                    remoteRTCP: SDPTransportAddress(address: "192.168.1.50", port: 6001),
                    rtcpMux: false,
                    direction: .sendrecv,
                    isOnHold: false,
                    ptime: 20,
                    srtp: nil))
        // The answer is itself valid SDP.
        #expect(try SessionDescription(parsing: answer.serialized()) == answer)
    }

    @Test func policyPreferenceChoosesTheCodec() throws {
        var negotiator = SDPNegotiator(policy: .test(codecs: [.pcma, .pcmu]))
        let (answer, media) = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(media.codec.payloadType == 8)
        #expect(answer.media[0].formats == ["8", "101"])
    }

    @Test func telephoneEventCanBeDeclined() throws {
        var policy = SDPAnswerPolicy.test()
        policy.acceptsTelephoneEvent = false
        var negotiator = SDPNegotiator(policy: policy)
        let (answer, media) = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(answer.media[0].formats == ["0"])
        #expect(media.telephoneEventPayloadType == nil)
    }

    @Test func rtcpMuxIsEchoedAndRtcpPortHonoured() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let muxed = try offer(Self.phoneOffer + "a=rtcp-mux\n")
        let (answer, media) = try #require(negotiator.answer(muxed).answer)
        #expect(answer.media[0].rtcpMux)
        #expect(media.rtcpMux)
        #expect(media.remoteRTCP == media.remoteRTP)

        var other = SDPNegotiator(policy: .test())
        let explicit = try offer(Self.phoneOffer + "a=rtcp:7001 IN IP4 192.168.1.51\n")
        let (plain, rtcpMedia) = try #require(other.answer(explicit).answer)
        #expect(!plain.media[0].rtcpMux)
        #expect(rtcpMedia.remoteRTCP == SDPTransportAddress(address: "192.168.1.51", port: 7001))
    }

    @Test func ptimeEchoedOrDefault() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let thirty = try offer(Self.phoneOffer.replacingOccurrences(of: "a=ptime:20", with: "a=ptime:30"))
        #expect(negotiator.answer(thirty).answer?.1.ptime == 30)
        #expect(negotiator.currentAnswer?.media[0].ptime == 30)
        var fresh = SDPNegotiator(policy: .test())
        let none = try offer(Self.phoneOffer.replacingOccurrences(of: "a=ptime:20\n", with: ""))
        #expect(fresh.answer(none).answer?.1.ptime == 20)
        var absurd = SDPNegotiator(policy: .test())
        let huge = try offer(Self.phoneOffer.replacingOccurrences(of: "a=ptime:20", with: "a=ptime:4000000000"))
        #expect(absurd.answer(huge).answer?.1.ptime == 20)
    }

    // MARK: - Hold and resume

    @Test func sendonlyHoldAndResume() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let first = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(first.0.origin.sessionVersion == 1)

        let hold = try #require(negotiator.answer(phoneOffer(direction: "sendonly", version: 2_353_687_638)).answer)
        #expect(hold.0.media[0].direction == .recvonly)
        #expect(hold.1.direction == .recvonly)
        #expect(hold.1.isOnHold)
        #expect(hold.0.origin.sessionVersion == 2)
        #expect(hold.0.origin.sessionID == 7000)

        let resume = try #require(negotiator.answer(phoneOffer(direction: "sendrecv", version: 2_353_687_639)).answer)
        #expect(resume.0.media[0].direction == .sendrecv)
        #expect(!resume.1.isOnHold)
        #expect(resume.0.origin.sessionVersion == 3)
    }

    @Test func inactiveIsAnsweredInactive() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let (answer, media) = try #require(negotiator.answer(phoneOffer(direction: "inactive")).answer)
        #expect(answer.media[0].direction == .inactive)
        #expect(media.direction == .inactive)
        #expect(media.isOnHold)
    }

    @Test func recvonlyIsAnsweredSendonly() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let (answer, media) = try #require(negotiator.answer(phoneOffer(direction: "recvonly")).answer)
        #expect(answer.media[0].direction == .sendonly)
        #expect(!media.isOnHold)
    }

    /// RFC 3264 §8.4 / RFC 2543: c=0.0.0.0 with sendrecv is a hold; answer recvonly.
    @Test func zeroAddressHold() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let (answer, media) = try #require(
            negotiator.answer(phoneOffer(direction: "sendrecv", address: "0.0.0.0")).answer)
        #expect(answer.media[0].direction == .recvonly)
        #expect(media.isOnHold)
        #expect(media.direction == .recvonly)
    }

    @Test func unchangedReofferKeepsVersion() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let first = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        let again = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(again.0 == first.0)
        #expect(again.0.origin.sessionVersion == 1)
    }

    @Test func reofferKeepsTheNegotiatedCodec() throws {
        var negotiator = SDPNegotiator(policy: .test(codecs: [.pcmu, .pcma]))
        let pcmaOnly = try offer(Self.phoneOffer.replacingOccurrences(of: "RTP/AVP 0 8 101", with: "RTP/AVP 8 101"))
        #expect(negotiator.answer(pcmaOnly).answer?.1.codec.payloadType == 8)
        // PCMU is preferred by policy, but switching codec mid-call is avoided.
        let (answer, media) = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        #expect(media.codec.payloadType == 8)
        #expect(answer.origin.sessionVersion == 1)
    }

    @Test func rejectedReofferLeavesTheSessionInForce() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let first = try #require(negotiator.answer(offer(Self.phoneOffer)).answer)
        let g729 = try offer(Self.phoneOffer.replacingOccurrences(of: "RTP/AVP 0 8 101", with: "RTP/AVP 18"))
        #expect(negotiator.answer(g729).rejectReason != nil)
        #expect(negotiator.currentAnswer == first.0)
        #expect(negotiator.currentMedia == first.1)
    }

    // MARK: - Declined streams and rejection

    @Test func videoIsDeclinedWithPortZero() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let withVideo = try offer(
            Self.phoneOffer + "m=video 6002 RTP/AVP 96 97\na=rtpmap:96 H264/90000\na=rtpmap:97 VP8/90000\n")
        let (answer, media) = try #require(negotiator.answer(withVideo).answer)
        #expect(answer.media.count == 2)
        #expect(answer.media[1].mediaMLine == "video 0 RTP/AVP 96 97")
        #expect(answer.media[1].attributes.isEmpty)
        #expect(media.mediaIndex == 0)
    }

    @Test func onlyTheFirstAcceptableAudioStreamIsServed() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let two = try offer(Self.phoneOffer + "m=audio 6010 RTP/AVP 0\n")
        let (answer, _) = try #require(negotiator.answer(two).answer)
        #expect(answer.media.map(\.port) == [40000, 0])
        #expect(answer.media[1].formats == ["0"])

        // A first stream the gateway cannot serve is declined and the next one served.
        var other = SDPNegotiator(policy: .test())
        let g729First = try offer(SDPParserTests.minimal + "m=audio 5000 RTP/AVP 18\nm=audio 5002 RTP/AVP 8\n")
        let (second, media) = try #require(other.answer(g729First).answer)
        #expect(second.media.map(\.port) == [0, 40000])
        #expect(media.mediaIndex == 1)
        #expect(media.remoteRTP.port == 5002)
    }

    @Test func nothingAcceptableIsRejected() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let g729 = try offer(SDPParserTests.minimal + "m=audio 5000 RTP/AVP 18\nm=video 5002 RTP/AVP 31\n")
        let reason = try #require(negotiator.answer(g729).rejectReason)
        #expect(reason.contains("G729/8000"))
        #expect(reason.contains("not audio"))
        #expect(negotiator.currentAnswer == nil)
        #expect(SDPAnswerResult.rejectStatusCode == 488)
    }

    @Test func telephoneEventAloneIsNotACodec() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let events = try Vectors.parse("rfc4733-s2.4.1-events-0-15-66-70.fragment.sdp")
        #expect(negotiator.answer(events).rejectReason != nil)
    }

    @Test func noMediaIsRejected() throws {
        var negotiator = SDPNegotiator(policy: .test())
        #expect(try negotiator.answer(offer(SDPParserTests.minimal)).rejectReason?.contains("no m= line") == true)
    }

    @Test func dtlsSrtpIsNotServed() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let dtls = try offer(SDPParserTests.minimal + "m=audio 9 UDP/TLS/RTP/SAVPF 111\na=rtpmap:111 opus/48000/2\n")
        #expect(negotiator.answer(dtls).rejectReason?.contains("UDP/TLS/RTP/SAVPF") == true)
    }

    @Test func addressFamilyMustMatch() throws {
        var v6 = SDPNegotiator(policy: .test(address: "2001:db8::10"))
        #expect(v6.answer(try offer(Self.phoneOffer)).rejectReason?.contains("IP4") == true)
        let v6Offer = try offer(
            Self.phoneOffer
                .replacingOccurrences(of: "IN IP4 192.168.1.50", with: "IN IP6 2001:db8::50"))
        let (answer, media) = try #require(v6.answer(v6Offer).answer)
        #expect(answer.connection == SDPConnection(addrType: .ip6, address: "2001:db8::10"))
        #expect(answer.origin.addrType == .ip6)
        #expect(media.remoteRTP == SDPTransportAddress(address: "2001:db8::50", port: 6000))
    }

    // MARK: - Opus (RFC 7587)

    @Test func opusOfferAnswer() throws {
        var negotiator = SDPNegotiator(policy: .test(codecs: [.opus, .pcmu]))
        let (answer, media) = try #require(
            negotiator.answer(Vectors.parse("rfc7587-s7.1-offer-answer.fragment.sdp")).answer)
        #expect(answer.media[0].formats == ["100"])
        #expect(
            answer.media[0].rtpMaps == [
                SDPRtpMap(payloadType: 100, encodingName: "opus", clockRate: 48000, channels: 2)
            ])
        #expect(
            media.codec
                == NegotiatedCodec(
                    encodingName: "opus", payloadType: 100, clockRate: 48000, channels: 2, remoteParameters: nil))
    }

    @Test func opusParametersAreReportedAndPtimeEchoed() throws {
        var negotiator = SDPNegotiator(policy: .test(codecs: [.opus]))
        let (answer, media) = try #require(negotiator.answer(Vectors.parse("rfc7587-s7-example2.fragment.sdp")).answer)
        #expect(media.codec.remoteParameters?.value(for: "maxplaybackrate") == "16000")
        #expect(media.codec.remoteParameters?.value(for: "useinbandfec") == "1")
        #expect(media.ptime == 40)
        // RFC 7587 §7: unknown and offer-only parameters are not echoed.
        #expect(answer.media[0].formatParameters.isEmpty)
    }

    @Test func opusAnswerParametersAndEventsAtItsClock() throws {
        let opus = SDPCodec(encodingName: "opus", clockRate: 48000, channels: 2, answerParameters: "useinbandfec=1")
        var negotiator = SDPNegotiator(policy: .test(codecs: [opus, .pcmu]))
        let webphone = try offer(
            SDPParserTests.minimal + """
                m=audio 5004 RTP/AVP 111 0 101 110
                a=rtpmap:111 opus/48000/2
                a=fmtp:111 minptime=10;useinbandfec=1
                a=rtpmap:101 telephone-event/48000
                a=rtpmap:110 telephone-event/8000

                """)
        let (answer, media) = try #require(negotiator.answer(webphone).answer)
        #expect(answer.media[0].formats == ["111", "101"])
        #expect(answer.media[0].formatParameters(for: "111")?.parameters == "useinbandfec=1")
        #expect(media.telephoneEventPayloadType == 101)
    }

    // MARK: - RFC 3264 §10 examples

    /// §10.1: Bob accepts audio and declines the first video. The gateway serves no video, so it
    /// declines both; the audio answer matches Bob's.
    @Test func rfc3264BasicExchange() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let (answer, media) = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.1-offer-alice.sdp")).answer)
        let bob = try Vectors.parse("rfc3264-s10.1-answer-bob.sdp")
        #expect(answer.media.count == bob.media.count)
        #expect(answer.media[0].formats == bob.media[0].formats)
        #expect(answer.media[0].rtpMaps == bob.media[0].rtpMaps)
        #expect(answer.media[1].mediaMLine == bob.media[1].mediaMLine)  // m=video 0 RTP/AVP 31
        #expect(answer.media[2].mediaMLine == "video 0 RTP/AVP 32")
        #expect(media.remoteRTP == SDPTransportAddress(address: "host.anywhere.com", port: 49170))
    }

    /// §10.1 re-offer (from the gateway's seat as answerer): the existing streams keep their
    /// places, the added events-only stream is declined (telephone-event is never served alone),
    /// and the version goes up by one because the answer changed.
    @Test func rfc3264ReofferAddsStreamAtTheEnd() throws {
        var negotiator = SDPNegotiator(policy: .test())
        _ = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.1-offer-alice.sdp")).answer)
        let (answer, media) = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.1-reoffer-bob.sdp")).answer)
        #expect(answer.media.map(\.media) == ["audio", "video", "video", "audio"])
        #expect(answer.media.map(\.port) == [40000, 0, 0, 0])
        #expect(answer.media[3].formats == ["110"])
        #expect(media.remoteRTP.port == 65422)
        #expect(answer.origin.sessionVersion == 2)
    }

    /// §10.2: an inactive offer is answered inactive; then the offerer locks to G.723 and the
    /// answer follows with sendrecv and a version one higher, as Bob's answers are printed.
    @Test func rfc3264OneOfN() throws {
        let g723 = SDPCodec(encodingName: "G723", clockRate: 8000)
        var negotiator = SDPNegotiator(policy: .test(codecs: [.pcmu, g723]))
        let (first, firstMedia) = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.2-offer-alice.sdp")).answer)
        let bobFirst = try Vectors.parse("rfc3264-s10.2-answer-bob.sdp")
        #expect(first.media[0].direction == bobFirst.media[0].direction)  // inactive
        #expect(first.media[0].formats == ["0"])  // one codec; Bob lists "0 4"
        #expect(firstMedia.codec.encodingName == "PCMU")

        let (second, secondMedia) = try #require(
            negotiator.answer(Vectors.parse("rfc3264-s10.2-reoffer-alice.sdp")).answer)
        let bobSecond = try Vectors.parse("rfc3264-s10.2-reanswer-bob.sdp")
        #expect(second.media[0].formats == bobSecond.media[0].formats)  // 4
        #expect(second.media[0].rtpMaps == bobSecond.media[0].rtpMaps)
        #expect(second.media[0].direction == .sendrecv)
        #expect(second.origin.sessionVersion == first.origin.sessionVersion + 1)
        #expect(secondMedia.codec.payloadType == 4)
    }

    @Test func rfc3264OneOfNWithDefaultPolicyRejectsG723Lock() throws {
        var negotiator = SDPNegotiator(policy: .test())
        _ = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.2-offer-alice.sdp")).answer)
        let reason = try #require(negotiator.answer(Vectors.parse("rfc3264-s10.2-reoffer-alice.sdp")).rejectReason)
        #expect(reason.contains("G723"))
    }

    // MARK: - SRTP (RFC 4568)

    static let localKey = SDESLocalKey(
        suite: "AES_CM_128_HMAC_SHA1_80",
        keyParams: [
            SDPCryptoKeyParam(
                keySalt: "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", lifetime: .powerOfTwo(20),
                mki: SDPCryptoMKI(value: 1, length: 4))
        ])

    @Test func savpWithoutKeysIsRejected() throws {
        var negotiator = SDPNegotiator(policy: .test())
        let reason = try #require(negotiator.answer(Vectors.parse("rfc4568-s7.1.5-offer.sdp")).rejectReason)
        #expect(reason.contains("RFC 4568 §8"))
    }

    /// §7.1.5: the answer accepts tag 1 with the answerer's own key, as the RFC prints it.
    @Test func rfc4568AnswerWithLocalKey() throws {
        var negotiator = SDPNegotiator(policy: .test(srtp: .optional([Self.localKey])))
        let (answer, media) = try #require(negotiator.answer(Vectors.parse("rfc4568-s7.1.5-offer.sdp")).answer)
        let printed = try Vectors.parse("rfc4568-s7.1.5-answer.sdp")
        #expect(answer.media[0].proto == "RTP/SAVP")
        #expect(answer.media[0].formats == printed.media[0].formats)
        #expect(answer.media[0].attributes.values(of: "crypto") == printed.media[0].attributes.values(of: "crypto"))
        #expect(media.srtp?.remote.tag == 1)
        #expect(media.srtp?.remote.keyParams.first?.keySalt == "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")
        #expect(media.srtp?.local.keyParams == Self.localKey.keyParams)
    }

    @Test func savpWithUnsupportedSuiteIsRejected() throws {
        let f8Only = SDESLocalKey(suite: "AES_256_CM_HMAC_SHA1_80", keyParams: Self.localKey.keyParams)
        var negotiator = SDPNegotiator(policy: .test(srtp: .optional([f8Only])))
        #expect(
            try negotiator.answer(Vectors.parse("rfc4568-s7.1.5-offer.sdp")).rejectReason?.contains("a=crypto") == true)
    }

    @Test func requiredSRTPRefusesPlainRTP() throws {
        var negotiator = SDPNegotiator(policy: .test(srtp: .required([Self.localKey])))
        #expect(try negotiator.answer(offer(Self.phoneOffer)).rejectReason?.contains("SRTP is required") == true)
    }
}

extension MediaDescription {
    /// The m= value, for short comparisons.
    var mediaMLine: String { mediaLineText }
}
