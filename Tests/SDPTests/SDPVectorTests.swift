import Testing

@testable import SDP

/// Every RFC body parses, and serializing and parsing again gives an equal value.
@Suite struct SDPVectorTests {
    static let names: [String] = (try? Vectors.names()) ?? []

    @Test func allVectorFilesArePresent() throws {
        #expect(Self.names.count == 22)
    }

    @Test(arguments: names)
    func parsesAndRoundTrips(name: String) throws {
        let parsed = try Vectors.parse(name)
        let text = parsed.serialized()
        let reparsed = try SessionDescription(parsing: text)
        #expect(reparsed == parsed)
        #expect(!parsed.media.isEmpty)
        #expect(text.hasSuffix("\r\n"))
    }

    /// The RFC bodies are already in RFC 8866 §5 order, except RFC 3264 §9 which puts t= before
    /// c=; the serializer reproduces them byte for byte.
    @Test(arguments: names.filter { $0 != "rfc3264-s9-capabilities.sdp" })
    func serializesToTheSameBytes(name: String) throws {
        let body = try Vectors.completeBody(name)
        let parsed = try SessionDescription(parsing: body)
        #expect(parsed.serialized() == String(decoding: body, as: UTF8.self))
    }

    @Test func capabilityListIsReorderedCanonically() throws {
        let parsed = try Vectors.parse("rfc3264-s9-capabilities.sdp")
        let lines = parsed.serialized().split(separator: "\r\n").map(String.init)
        #expect(
            lines.prefix(5) == [
                "v=0", "o=carol 28908764872 28908764872 IN IP4 100.3.6.6", "s=-", "c=IN IP4 192.0.2.4", "t=0 0",
            ])
        #expect(parsed.media.map(\.port) == [0, 0])
        #expect(parsed.media[0].formats == ["0", "1", "3"])
        #expect(parsed.media[1].rtpMaps.map(\.encodingName) == ["H261", "H263"])
    }

    @Test func rfc3264BasicOfferFields() throws {
        let offer = try Vectors.parse("rfc3264-s10.1-offer-alice.sdp")
        #expect(
            offer.origin
                == SDPOrigin(
                    username: "alice", sessionID: 2_890_844_526, sessionVersion: 2_890_844_526,
                    addrType: .ip4, address: "host.anywhere.com"))
        #expect(offer.sessionName == "")
        #expect(offer.connection == SDPConnection(addrType: .ip4, address: "host.anywhere.com"))
        #expect(offer.timings == [SDPTiming(start: 0, stop: 0)])
        #expect(offer.media.map(\.media) == ["audio", "video", "video"])
        #expect(offer.media.map(\.port) == [49170, 51372, 53000])
        #expect(
            offer.media[2].rtpMap(forPayloadType: 32)
                == SDPRtpMap(payloadType: 32, encodingName: "MPV", clockRate: 90000))
    }

    @Test func rfc3264TypoTelephoneEventsIsRead() throws {
        let offer = try Vectors.parse("rfc3264-s10.1-reoffer-bob.sdp")
        let events = try #require(offer.media.last)
        #expect(events.rtpMaps == [SDPRtpMap(payloadType: 110, encodingName: "telephone-events", clockRate: 8000)])
        #expect(events.direction == .recvonly)
        #expect(offer.origin.sessionVersion == 2_890_844_731)
    }

    @Test func rfc4568SessionFields() throws {
        let sdp = try Vectors.parse("rfc4568-s4.5-example.sdp")
        #expect(sdp.information == "A Seminar on the session description protocol")
        #expect(sdp.uri == "http://www.example.com/seminars/sdp.pdf")
        #expect(sdp.emails == ["j.doe@example.com (Jane Doe)"])
        #expect(sdp.connection == SDPConnection(addrType: .ip4, address: "161.44.17.12", ttl: 127))
        #expect(sdp.timings == [SDPTiming(start: 2_873_397_496, stop: 2_873_404_696)])
        #expect(sdp.media.map(\.proto) == ["RTP/SAVP", "RTP/SAVP", "udp"])
        #expect(sdp.media[2].formats == ["wb"])
        #expect(sdp.media[2].attributes == [SDPAttribute(name: "orient", value: "portrait")])
    }

    @Test func rfc4733PtimePerStream() throws {
        let sdp = try Vectors.parse("rfc4733-s2.5.1.1-ptime-per-stream.fragment.sdp")
        #expect(sdp.media.map(\.ptime) == [50, 30])
        #expect(sdp.media.map { $0.formatParameters.first?.parameters } == ["0-15", "32-49,52-60"])
    }

    @Test func rfc4733RedAndEvents() throws {
        let sdp = try Vectors.parse("rfc4733-s5-fig5-red-tone-events.fragment.sdp")
        let stream = sdp.media[1]
        #expect(stream.formats == ["102", "101", "100"])
        #expect(
            stream.rtpMap(forPayloadType: 102)
                == SDPRtpMap(payloadType: 102, encodingName: "red", clockRate: 8000, channels: 1))
        #expect(stream.formatParameters(for: "102")?.parameters == "101/100")
        #expect(stream.rtpMap(forPayloadType: 101)?.encodingName == "tone")
        #expect(stream.formatParameters(for: "100")?.parameters == "0-15")
    }

    @Test func rfc7587OpusParameters() throws {
        let sdp = try Vectors.parse("rfc7587-s7-example2.fragment.sdp")
        let stream = sdp.media[0]
        #expect(
            stream.rtpMap(forPayloadType: 101)
                == SDPRtpMap(payloadType: 101, encodingName: "opus", clockRate: 48000, channels: 2))
        let fmtp = try #require(stream.formatParameters(for: "101"))
        #expect(
            fmtp.keyValuePairs.map(\.key) == [
                "maxplaybackrate", "sprop-maxcapturerate", "maxaveragebitrate", "stereo", "useinbandfec", "usedtx",
            ])
        #expect(fmtp.value(for: "maxplaybackrate") == "16000")
        #expect(fmtp.value(for: "MAXAVERAGEBITRATE") == "20000")
        #expect(fmtp.value(for: "usedtx") == "0")
        #expect(fmtp.value(for: "cbr") == nil)
        #expect(stream.ptime == 40)
        #expect(stream.maxptime == 40)
    }
}
