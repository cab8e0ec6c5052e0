import Foundation
import Media
import Testing

extension LoopbackIntegration {
    /// Proves the softphone harness (`Baresip`, `AudioCheck`) against a peer that already echoes:
    /// sipp's UAS with `-rtp_echo`, which sends every RTP packet back to where it came from. If these
    /// pass, a low correlation against dialgate's echo number is dialgate's fault, not the harness's.
    ///
    /// Serialized: each call is real-time (seconds of audio), and 2 cores are better spent on one.
    @Suite(.serialized)
    struct BaresipHarnessTests {
        /// G.711 round trip through a packet echo is the same waveform quantised twice by the same
        /// law (the echo does not re-encode): measured ≥ 0.99. 0.9 leaves room for a lost packet or a
        /// jitter-buffer adjustment while a wrong codec, wrong lag or silence stays far below (< 0.3).
        static let g711Threshold = 0.9
        /// Opus is perceptual and not waveform-exact, but at 64 kbit/s on speech it stays close.
        static let opusThreshold = 0.8

        @Test func pcmuRoundTripThroughSippEcho() async throws {
            let call = try await SippEchoPeer.call(codec: .pcmu, useBuiltInScenario: true)
            defer { call.cleanUp() }
            try expectEcho(call, threshold: Self.g711Threshold)
        }

        @Test func pcmaRoundTripThroughSippEcho() async throws {
            let call = try await SippEchoPeer.call(codec: .pcma)
            defer { call.cleanUp() }
            try expectEcho(call, threshold: Self.g711Threshold)
            #expect(call.log.contains("Set audio encoder: PCMA"), "PCMA was not negotiated")
        }

        @Test func opusRoundTripThroughSippEcho() async throws {
            let call = try await SippEchoPeer.call(codec: .opus)
            defer { call.cleanUp() }
            try expectEcho(call, threshold: Self.opusThreshold)
            #expect(call.log.contains("Set audio encoder: opus"), "Opus was not negotiated")
        }

        /// SDES: the echo peer answers with the offer's own key (`a=crypto` copied), so the packets it
        /// bounces back decrypt with the key they were encrypted with.
        @Test func srtpRoundTripThroughSippEcho() async throws {
            let call = try await SippEchoPeer.call(codec: .pcmu, srtp: true)
            defer { call.cleanUp() }
            try expectEcho(call, threshold: Self.g711Threshold)
            #expect(call.log.contains("RTP/SAVP"), "the offer was not SRTP (RTP/SAVP)")
        }

        /// RFC 4733 events sent with `/sndcode` come back from the echo once each, in order.
        @Test func rfc4733DigitsComeBackInOrderOnce() async throws {
            let call = try await SippEchoPeer.call(codec: .pcmu, digits: "159#*0", duration: .seconds(1))
            defer { call.cleanUp() }
            #expect(call.established, "\(call.log.suffix(3000))")
            #expect(call.receivedEvents == "159#*0", "\(call.log.suffix(3000))")
        }

        /// The harness can fail: the same call to a peer that answers but does not echo records no
        /// received audio (an empty "dec" dump), which the check refuses to call an echo.
        @Test func peerWithoutEchoFailsTheCheck() async throws {
            let call = try await SippEchoPeer.call(codec: .pcmu, duration: .seconds(2), echo: false)
            defer { call.cleanUp() }
            #expect(call.established, "\(call.log.suffix(3000))")
            #expect(throws: HarnessError.self) { try call.audioCheck() }
        }

        /// The check itself can fail: the sent audio against digital silence, and against itself
        /// reversed in time, correlates poorly; against itself delayed it finds the delay.
        @Test func audioCheckRejectsWhatIsNotAnEcho() throws {
            let sent = try AudioCheck.load(Baresip.fixture(sampleRate: 8000))
            let silence = WAVFile(sampleRate: 8000, samples: [Int16](repeating: 0, count: sent.samples.count + 8000))
            #expect(try AudioCheck.compare(sent: sent, received: silence).correlation == 0)
            let reversed = WAVFile(sampleRate: 8000, samples: sent.samples.reversed())
            #expect(try AudioCheck.compare(sent: sent, received: reversed).correlation < 0.3)
            let delayed = WAVFile(sampleRate: 8000, samples: [Int16](repeating: 0, count: 1234) + sent.samples.map { $0 / 4 })
            let result = try AudioCheck.compare(sent: sent, received: delayed)
            #expect(result.lagSamples == 1234)
            #expect(result.correlation > 0.999)
            // The 48 kHz fixture, brought down by 6-sample averaging (a crude low-pass that lets some
            // of espeak's 4–11 kHz content alias in), against sox's properly filtered 8 kHz: measured
            // 0.91. In a call both sides are decimated the same way, so this loss does not apply there.
            let wideband = try AudioCheck.load(Baresip.fixture(sampleRate: 48000))
            #expect(try AudioCheck.compare(sent: sent, received: wideband).correlation > 0.85)
        }

        func expectEcho(_ call: BaresipCall, threshold: Double) throws {
            #expect(call.established, "baresip did not establish the call:\n\(call.log.suffix(3000))")
            let result = try call.audioCheck()
            print("BaresipHarnessTests: \(call.directory.lastPathComponent): \(result)")
            #expect(result.correlation > threshold, "\(result)\n\(call.log.suffix(2000))")
            #expect(result.lag < .seconds(1), "\(result)")
            #expect(result.receivedLevel > result.sentLevel - 6, "echo much quieter than sent: \(result)")
        }
    }

    /// sipp as an answering echo: its UAS answers one call and `-rtp_echo` returns every RTP packet.
    /// sipp's built-in `uas` scenario answers PCMU only; for other codecs and SDES a scenario written
    /// here answers with the offer's own payload types, rtpmaps and first `a=crypto` line.
    enum SippEchoPeer {
        /// Runs the peer and one baresip call to it.
        static func call(
            codec: Baresip.Codec, srtp: Bool = false, digits: String = "", duration: Duration = .seconds(4),
            useBuiltInScenario: Bool = false, echo: Bool = true
        ) async throws -> BaresipCall {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-sipp-echo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var scenario = ["-sn", "uas"]
            if !useBuiltInScenario {
                let file = folder.appendingPathComponent("echo-uas.xml")
                try scenarioXML(srtp: srtp).write(to: file, atomically: true, encoding: .utf8)
                scenario = ["-sf", file.path]
            }
            let sipPort = try freeLoopbackPort()
            // sipp echoes on the media port and on port + 2 (video): start from an even free port.
            let mediaPort = try freeLoopbackPort() & ~1
            async let peer = ExternalProcess.run(
                "sipp",
                scenario + [
                    "-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", "\(sipPort)", "-mp", "\(mediaPort)", "-m", "1",
                    "-nostdin", "-timeout", "60s", "-timeout_error", "-trace_err",
                ] + (echo ? ["-rtp_echo"] : []),
                timeout: .seconds(70), currentDirectory: folder)
            let call: BaresipCall
            do {
                call = try await Baresip.call(
                    uri: "sip:echo@127.0.0.1:\(sipPort)", codec: codec, srtp: srtp, digits: digits, duration: duration)
            } catch {
                _ = try? await peer
                throw error
            }
            let result = try await peer
            #expect(result.status == 0, "sipp echo peer failed (\(result.status)):\n\(result.standardOutput.suffix(2000))")
            return call
        }

        /// A UAS answering with the offered codec (and key): an offer from baresip carries exactly one
        /// codec plus telephone-event, so answering its own payload list is a valid answer.
        static func scenarioXML(srtp: Bool) -> String {
            let crypto = srtp ? #"<ereg regexp="a=crypto:[[:print:]]*" search_in="body" check_it="true" assign_to="crypto"/>"# : ""
            return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="dialgate echo UAS">
                  <recv request="INVITE" crlf="true">
                    <action>
                      <ereg regexp="RTP/S?AVP [0-9 ]*[0-9]" search_in="body" check_it="true" assign_to="media"/>
                      <ereg regexp="a=rtpmap:.*a=fmtp:[[:print:]]*" search_in="body" check_it="true" assign_to="rtpmaps"/>
                      \(crypto)
                    </action>
                  </recv>
                  <send retrans="500">
                    <![CDATA[

                      SIP/2.0 200 OK
                      [last_Via:]
                      [last_From:]
                      [last_To:];tag=[pid]SIPpTag01[call_number]
                      [last_Call-ID:]
                      [last_CSeq:]
                      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                      Content-Type: application/sdp
                      Content-Length: [len]

                      v=0
                      o=sipp 1 1 IN IP[local_ip_type] [local_ip]
                      s=-
                      c=IN IP[media_ip_type] [media_ip]
                      t=0 0
                      m=audio [media_port] [$media]
                      [$rtpmaps]
                      \(srtp ? "[$crypto]" : "a=sendrecv")
                      a=ptime:20

                    ]]>
                  </send>
                  <recv request="ACK" crlf="true"/>
                  <recv request="BYE"/>
                  <send>
                    <![CDATA[

                      SIP/2.0 200 OK
                      [last_Via:]
                      [last_From:]
                      [last_To:]
                      [last_Call-ID:]
                      [last_CSeq:]
                      Content-Length: 0

                    ]]>
                  </send>
                </scenario>

                """
        }

        /// A UDP port on 127.0.0.1 that was free a moment ago (bound to 0, read back, released).
        static func freeLoopbackPort() throws -> Int {
            try UDPProbe().localPort
        }
    }

    /// The issue's interop calls, pointed at dialgate's echo number 1001: each is one `Baresip.call`
    /// against a daemon on loopback, checked by cross-correlating what baresip sent with what came back.
    @Suite(.serialized)
    struct BaresipDialgateEchoTests {
        func echo(codec: Baresip.Codec, srtp: Bool = false, threshold: Double) async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let call = try await Self.stopping(daemon) {
                try await Baresip.call(uri: "sip:1001@127.0.0.1:\(daemon.sipPort)", codec: codec, srtp: srtp)
            }
            defer { if ProcessInfo.processInfo.environment["DIALGATE_KEEP_BARESIP"] == nil { call.cleanUp() } }
            #expect(call.established, "\(call.log.suffix(3000))\n\(daemon.log.suffix(2000))")
            let result = try call.audioCheck()
            #expect(result.correlation > threshold, "\(result)\n\(daemon.log.suffix(2000))")
        }

        /// Runs `body`, then stops the daemon whether or not it threw.
        static func stopping(_ daemon: Daemon, _ body: () async throws -> BaresipCall) async throws -> BaresipCall {
            do {
                let call = try await body()
                await daemon.stop()
                return call
            } catch {
                await daemon.stop()
                throw error
            }
        }

        @Test func pcmuEcho() async throws { try await echo(codec: .pcmu, threshold: BaresipHarnessTests.g711Threshold) }
        @Test func pcmaEcho() async throws { try await echo(codec: .pcma, threshold: BaresipHarnessTests.g711Threshold) }
        @Test func opusEcho() async throws { try await echo(codec: .opus, threshold: BaresipHarnessTests.opusThreshold) }
        @Test func srtpEcho() async throws { try await echo(codec: .pcmu, srtp: true, threshold: BaresipHarnessTests.g711Threshold) }

        /// RFC 4733 digits reach dialgate once each, in order (the daemon logs one line per digit).
        @Test func rfc4733Digits() async throws {
            let daemon = try await Daemon.start()
            defer { daemon.cleanUp() }
            let call = try await Self.stopping(daemon) {
                try await Baresip.call(uri: "sip:1001@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, digits: "159#*0", duration: .seconds(1))
            }
            defer { call.cleanUp() }
            #expect(call.established)
            let digits = daemon.log.split(separator: "\n").filter { $0.contains("] digit") }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("digit=") }?.dropFirst("digit=".count).first
            }
            #expect(String(digits) == "159#*0", "\(daemon.log.suffix(3000))")
            #expect(daemon.log.split(separator: "\n").filter { $0.contains("] digit") }.allSatisfy { $0.contains("via=rfc4733") })
        }
    }
}
