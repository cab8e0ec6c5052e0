import TestSupport
import Testing

@testable import SDP

@Suite struct SDPAttributeTests {
    // MARK: - rtpmap

    @Test func rtpmapForms() throws {
        #expect(
            try SDPRtpMap(parsing: "101 telephone-event/8000")
                == SDPRtpMap(payloadType: 101, encodingName: "telephone-event", clockRate: 8000))
        #expect(try SDPRtpMap(parsing: "111 opus/48000/2").channels == 2)
        #expect(try SDPRtpMap(parsing: "100 red/8000/1").attributeValue == "100 red/8000/1")
        for bad in [
            "", "101", "101 opus", "128 x/8000", "x opus/48000", "101 opus/0", "101 /8000", "101 opus/48000/0",
            "101 opus/48000/2/1",
        ] {
            #expect(throws: SDPAttributeError.self, "\(bad)") { try SDPRtpMap(parsing: bad) }
        }
    }

    @Test func staticPayloadTypesWithoutRtpmap() throws {
        let sdp = try SessionDescription(parsing: SDPParserTests.minimal + "m=audio 1 RTP/AVP 0 8 18\r\n")
        #expect(
            sdp.media[0].rtpMap(forPayloadType: 0)
                == SDPRtpMap(payloadType: 0, encodingName: "PCMU", clockRate: 8000, channels: 1))
        #expect(sdp.media[0].rtpMap(forPayloadType: 8)?.encodingName == "PCMA")
        #expect(sdp.media[0].rtpMap(forPayloadType: 18)?.encodingName == "G729")
        #expect(sdp.media[0].rtpMap(forPayloadType: 96) == nil)
    }

    /// The one-format lookups answer as searching the fully parsed lists would, broken lines,
    /// duplicates and odd spacing included.
    @Test func lookupsAgreeWithTheParsedLists() throws {
        let sdp = try SessionDescription(
            parsing: SDPParserTests.minimal + "m=audio 1 RTP/AVP 0 8 96 97 101 111\r\n"
                + "a=rtpmap:96 opus\r\na=rtpmap:96 opus/48000/2\r\na=rtpmap:96 speex/8000\r\na=rtpmap:  97   iLBC/8000\r\n"
                + "a=rtpmap:0 PCMA/8000\r\na=rtpmap:0101 telephone-event/8000\r\na=rtpmap:x1 y/8000\r\n"
                + "a=fmtp:111\r\na=fmtp: 111 x=1\r\na=fmtp:111 useinbandfec=1\r\na=fmtp:111 stereo=1\r\na=fmtp:1111 z=2\r\n")
        let media = sdp.media[0]
        for payloadType: UInt8 in [0, 8, 18, 96, 97, 101, 111, 127] {
            let expected =
                media.rtpMaps.first { $0.payloadType == payloadType } ?? SDPRtpMap.staticAudio(payloadType: payloadType)
            #expect(media.rtpMap(forPayloadType: payloadType) == expected, "\(payloadType)")
        }
        #expect(media.rtpMap(forPayloadType: 96)?.channels == 2)
        #expect(media.rtpMap(forPayloadType: 0)?.encodingName == "PCMA")
        for format in ["111", "1111", "101", "", " 111"] {
            #expect(media.formatParameters(for: format) == media.formatParameters.first { $0.format == format }, "\(format)")
        }
        #expect(media.formatParameters(for: "111")?.parameters == "useinbandfec=1")
    }

    // MARK: - fmtp

    @Test func fmtpRawAndKeyValues() throws {
        let events = try SDPFormatParameters(parsing: "100 0-15,66,70")
        #expect(events.payloadType == 100)
        #expect(events.parameters == "0-15,66,70")
        let opus = try SDPFormatParameters(parsing: "111 minptime=10;useinbandfec=1; stereo")
        #expect(opus.keyValuePairs.map { "\($0.key)=\($0.value)" } == ["minptime=10", "useinbandfec=1", "stereo="])
        #expect(opus.value(for: "useinbandfec") == "1")
        #expect(throws: SDPAttributeError.self) { try SDPFormatParameters(parsing: "101") }
    }

    // MARK: - direction, rtcp

    @Test func mediaDirectionOverridesSession() throws {
        let sdp = try SessionDescription(
            parsing: SDPParserTests.minimal
                + "a=sendonly\r\nm=audio 1 RTP/AVP 0\r\na=recvonly\r\nm=audio 2 RTP/AVP 0\r\n")
        #expect(sdp.direction == .sendonly)
        #expect(sdp.effectiveDirection(of: sdp.media[0]) == .recvonly)
        #expect(sdp.effectiveDirection(of: sdp.media[1]) == .sendonly)
        let plain = try SessionDescription(parsing: SDPParserTests.minimal + "m=audio 1 RTP/AVP 0\r\n")
        #expect(plain.effectiveDirection(of: plain.media[0]) == .sendrecv)
    }

    @Test func directionMirrorsAndSetterReplaces() {
        #expect(SDPDirection.allCases.map(\.reversed) == [.sendrecv, .recvonly, .sendonly, .inactive])
        var media = MediaDescription(
            media: "audio", port: 1, proto: "RTP/AVP", formats: ["0"],
            attributes: [SDPAttribute(name: "ptime", value: "20"), SDPAttribute(name: "sendrecv")])
        media.direction = .inactive
        #expect(media.attributes == [SDPAttribute(name: "ptime", value: "20"), SDPAttribute(name: "inactive")])
        media.direction = nil
        #expect(media.direction == nil)
    }

    @Test func rtcpAttribute() throws {
        #expect(try SDPRtcpAttribute(parsing: "53020") == SDPRtcpAttribute(port: 53020))
        let full = try SDPRtcpAttribute(parsing: "53020 IN IP4 126.16.64.4")
        #expect(full.connection == SDPConnection(addrType: .ip4, address: "126.16.64.4"))
        #expect(full.attributeValue == "53020 IN IP4 126.16.64.4")
        #expect(throws: SDPAttributeError.self) { try SDPRtcpAttribute(parsing: "70000") }
        #expect(throws: SDPAttributeError.self) { try SDPRtcpAttribute(parsing: "5 IN IP4") }
    }

    // MARK: - crypto (RFC 4568)

    @Test func rfc4568OfferCryptoLines() throws {
        let offer = try Vectors.parse("rfc4568-s7.1.5-offer.sdp")
        let lines = offer.media[0].crypto
        #expect(lines.count == 2)
        #expect(
            lines[0]
                == SDPCrypto(
                    tag: 1, suite: "AES_CM_128_HMAC_SHA1_80",
                    keyParams: [
                        SDPCryptoKeyParam(
                            keySalt: "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", lifetime: .powerOfTwo(20),
                            mki: SDPCryptoMKI(value: 1, length: 4))
                    ],
                    sessionParams: ["FEC_ORDER=FEC_SRTP"]))
        #expect(lines[1].tag == 2)
        #expect(lines[1].suite == "F8_128_HMAC_SHA1_80")
        #expect(
            lines[1].keyParams.map(\.mki) == [SDPCryptoMKI(value: 1, length: 4), SDPCryptoMKI(value: 2, length: 4)])
        #expect(lines[1].sessionParams == ["FEC_ORDER=FEC_SRTP"])
        // Serialization gives back the attribute text.
        #expect(lines.map(\.attributeValue) == offer.media[0].attributes.values(of: "crypto"))
    }

    /// examples.md §3: each inline value is a 16-octet master key then a 14-octet salt.
    @Test(arguments: [
        (
            "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", "774466766726542b2978473740666235",
            "6a552c5261417d5c7c7030252a23"
        ),
        (
            "NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj", "37307877504835402f2c4c3a53317759",
            "227e3d27457067542528695f5663"
        ),
        (
            "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "59535f5f5f73656d63746c202829207b",
            "093232303b7d0a7d0a756e6c6573"
        ),
        (
            "MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm", "31323334353637383941424344453031",
            "3233343536373839414263646566"
        ),
        (
            "QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5", "41426364656631323334353637383941",
            "4243444530313233343536373839"
        ),
        (
            "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", "3d2d6e40255e7821426a75667239293f",
            "2c2335685c603d265d7b71695051"
        ),
    ])
    func inlineKeyDecoding(keySalt: String, key: String, salt: String) throws {
        let decoded = try #require(SDPCryptoKeyParam(keySalt: keySalt).masterKeyAndSalt)
        #expect(decoded.count == 30)
        #expect(hex(decoded.prefix(16)) == key)
        #expect(hex(decoded.suffix(14)) == salt)
        #expect(SDPCryptoKeyParam(masterKeyAndSalt: decoded).keySalt == keySalt)
    }

    @Test func everyVectorCryptoLineParses() throws {
        var count = 0
        for name in ["rfc4568-s4.5-example.sdp", "rfc4568-s7.1.5-offer.sdp", "rfc4568-s7.1.5-answer.sdp"] {
            let sdp = try Vectors.parse(name)
            for media in sdp.media {
                let raw = media.attributes.values(of: "crypto")
                for value in raw {
                    let crypto = try SDPCrypto(parsing: value)
                    #expect(crypto.keyParams.allSatisfy { $0.masterKeyAndSalt?.count == 30 })
                    count += 1
                }
            }
        }
        #expect(count == 5)
    }

    @Test func cryptoLifetimeAndMKIForms() throws {
        let noLifetime = try SDPCrypto(
            parsing: "1 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|1:32")
        #expect(noLifetime.keyParams[0].lifetime == nil)
        #expect(noLifetime.keyParams[0].mki == SDPCryptoMKI(value: 1, length: 32))
        let decimal = try SDPCrypto(
            parsing: "7 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|1048576")
        #expect(decimal.keyParams[0].lifetime == .packets(1_048_576))
        #expect(
            decimal.attributeValue
                == "7 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|1048576")
    }

    @Test func malformedCryptoLines() {
        let key = "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj"
        for bad in [
            "", "1 AES_CM_128_HMAC_SHA1_80",
            "1234567890 AES_CM_128_HMAC_SHA1_80 \(key)",  // tag longer than 9 digits
            "x AES_CM_128_HMAC_SHA1_80 \(key)",
            "1 AES-CM \(key)",  // suite is ALPHA / DIGIT / "_"
            "1 AES_CM_128_HMAC_SHA1_80 inline:",
            "1 AES_CM_128_HMAC_SHA1_80 inline:not*base64",
            "1 AES_CM_128_HMAC_SHA1_80 \(key)|2^99",
            "1 AES_CM_128_HMAC_SHA1_80 \(key)|1:0",
            "1 AES_CM_128_HMAC_SHA1_80 \(key)|1:129",
            "1 AES_CM_128_HMAC_SHA1_80 \(key)|1:4|2^20",  // lifetime after MKI
            "1 AES_CM_128_HMAC_SHA1_80 \(key)|2^20|1:4|9",
            "1 AES_CM_128_HMAC_SHA1_80 \(key);",
        ] {
            #expect(throws: SDPAttributeError.self, "\(bad)") { try SDPCrypto(parsing: bad) }
        }
    }

    @Test func malformedCryptoLinesAreSkippedByTheAccessor() throws {
        let sdp = try SessionDescription(
            parsing: SDPParserTests.minimal
                + "m=audio 1 RTP/SAVP 0\r\na=crypto:1 BAD inline:%%%\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
        )
        #expect(sdp.media[0].crypto.map(\.tag) == [2])
    }

    @Test func base64RoundTrip() {
        var random = SeededGenerator(seed: 64)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let text = SDPBase64.encode(bytes)
            #expect(text.count == (length + 2) / 3 * 4)
            if length > 0 { #expect(SDPBase64.decode(text[...]) == bytes) }
        }
        #expect(SDPBase64.decode("A"[...]) == nil)
        #expect(SDPBase64.decode("===="[...]) == nil)
    }

    private func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { byte in
            let digits = Array("0123456789abcdef")
            return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
        }.joined()
    }
}
