import Foundation
import Testing

extension LoopbackIntegration {
    /// SIP over TLS (RFC 3261 §26, RFC 5630) against real peers on loopback: a throwaway CA made
    /// with `openssl`, baresip calling over TLS with SDES-SRTP, `openssl s_client` as a bare TLS
    /// client (with and without a certificate, from 127.0.0.2), and sipp over UDP for the SRTP
    /// policy (Debian's sipp 3.6.1 is built without TLS, so `-t l1` is not available).
    @Suite(.serialized)
    struct SIPTLSIntegrationTests {
        /// The bundled plan, its loopback trunk made like a carrier's: SRTP mandatory, SDES keys over
        /// TLS only (RFC 4568 §8), and 127.0.0.1 alone, so that 127.0.0.2 can be a mutual-TLS trunk.
        static func carrierLikePlan(extra: String? = nil) throws -> URL {
            try SIPIntegrationTests.dialplanFolder(extra: extra) { plan in
                plan.replacingOccurrences(of: "from 127.0.0.0/8, ::1", with: "from 127.0.0.1, ::1")
                    .replacingOccurrences(of: "    srtp optional\n", with: "    srtp mandatory\n")
                    .replacingOccurrences(of: "    sdes-keys any-transport\n", with: "    sdes-keys tls-only\n")
            }
        }

        static func startDaemon(plan: URL, server: TestPKI.Pair, extra: [String] = []) async throws -> (Daemon, tlsPort: Int) {
            let daemon = try await Daemon.start(
                [
                    "--dialplans", plan.path, "--sip-tls", "127.0.0.1:0", "--tls-cert", server.certificate.path, "--tls-key",
                    server.key.path,
                ] + extra)
            let listeners = try await daemon.ctlJSON(["status"])["status"] as? [String: Any]
            let tls = (listeners?["listeners"] as? [[String: Any]])?.first { $0["kind"] as? String == "sip-tls" }?["address"] as? String
            guard let port = tls?.split(separator: ":").last.flatMap({ Int($0) }), port > 0 else {
                daemon.cleanUp()
                throw HarnessError("dialgatectl status shows no sip-tls listener: \(String(describing: listeners))")
            }
            return (daemon, port)
        }

        /// (a) baresip with TLS and mandatory SDES-SRTP calls the echo number over `;transport=tls`:
        /// the keys travel over TLS, so a `tls-only` trunk takes them, and the audio comes back.
        /// The same phone over UDP is refused: its keys would travel in the clear.
        @Test func baresipOverTLSWithSRTPHearsItsEcho() async throws {
            let pki = try await TestPKI.make()
            defer { pki.cleanUp() }
            let server = try await pki.issue("server", commonName: "dialgate.test")
            let plan = try Self.carrierLikePlan()
            defer { try? FileManager.default.removeItem(at: plan) }
            let (daemon, tlsPort) = try await Self.startDaemon(plan: plan, server: server)
            defer { daemon.cleanUp() }

            let call = try await Baresip.call(
                uri: "sip:1001@127.0.0.1:\(tlsPort);transport=tls", codec: .pcmu, srtp: true, duration: .seconds(4),
                tls: Baresip.TLS(authority: pki.authority))
            defer { call.cleanUp() }
            #expect(call.established, "\(call.log.suffix(3000))\n\(daemon.log.suffix(3000))")
            #expect(call.log.contains("RTP/SAVP"), "the offer was not SRTP")
            // The gateway's Contact names its TLS port, so the phone's in-dialog requests come back over TLS.
            #expect(call.log.contains("ACK sip:dialgate@127.0.0.1:\(tlsPort);transport=tls"), "\(call.log.suffix(3000))")
            #expect(call.log.contains("BYE sip:dialgate@127.0.0.1:\(tlsPort);transport=tls"), "\(call.log.suffix(3000))")
            let check = try call.audioCheck()
            #expect(check.correlation > BaresipHarnessTests.g711Threshold, "correlation \(check.correlation)")

            let overUDP = try await Baresip.call(
                uri: "sip:1001@127.0.0.1:\(daemon.sipPort)", codec: .pcmu, srtp: true, duration: .seconds(1))
            defer { overUDP.cleanUp() }
            #expect(!overUDP.established, "SDES keys over UDP were taken by a tls-only trunk")
            #expect(overUDP.log.contains("488"), "\(overUDP.log.suffix(2000))")

            let history = try await daemon.ctlJSON(["history"])["history"] as? [[String: Any]] ?? []
            await daemon.stop()
            #expect(history.contains { $0["transport"] as? String == "tls" && $0["srtp"] as? Bool == true }, "\(history)")
        }

        /// (b) A plain RTP offer to the SRTP-mandatory trunk gets 488 (sipp over UDP: the point is the
        /// SRTP policy, and this sipp has no TLS).
        @Test func plainRTPOfferToAnSRTPMandatoryTrunkGets488() async throws {
            let plan = try Self.carrierLikePlan()
            defer { try? FileManager.default.removeItem(at: plan) }
            let daemon = try await Daemon.start(["--dialplans", plan.path])
            defer { daemon.cleanUp() }
            let result = try await ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(daemon.sipPort)", "-i", "127.0.0.1", "-nostdin", "-m", "1", "-timeout", "15s", "-timeout_error", "-sf",
                    SIPIntegrationTests.scenarios.appendingPathComponent("rejected-488.xml").path, "-s", "1001",
                ], timeout: .seconds(25), currentDirectory: daemon.state)
            await daemon.stop()
            #expect(result.status == 0, "\(result.standardOutput.suffix(2000))\n\(daemon.log.suffix(2000))")
        }

        /// (c) Mutual TLS on a trunk: from 127.0.0.2 the TLS server asks for a certificate; without
        /// one the INVITE gets 403 with a Warning saying why (and a security line); with one the CA
        /// signed, the call is answered; one from another CA fails the handshake. The loopback trunk
        /// (127.0.0.1) is never asked and still takes calls over TLS without a certificate.
        @Test func mutualTLSTrunkRefusesClientsWithoutACertificate() async throws {
            let pki = try await TestPKI.make()
            defer { pki.cleanUp() }
            let server = try await pki.issue("server", commonName: "dialgate.test")
            let client = try await pki.issue("sbc", commonName: "carrier-sbc", client: true)
            let stranger = try await pki.issue("stranger", commonName: "stranger", client: true, selfSigned: true)
            let plan = try Self.carrierLikePlan(
                extra: """
                    trunk carrier-mtls {
                        from 127.0.0.2
                        tls-client-cert required
                        tls-client-ca "\(pki.authority.path)"
                    }
                    """)
            defer { try? FileManager.default.removeItem(at: plan) }
            let (daemon, port) = try await Self.startDaemon(plan: plan, server: server)
            defer { daemon.cleanUp() }

            let bare = try await TLSClient.exchange(
                port: port, from: "127.0.0.2", messages: [TLSClient.invite(number: "1001", port: port, from: "127.0.0.2")])
            #expect(bare.received.contains("SIP/2.0 403 Forbidden"), "\(bare.report.suffix(2000))")
            #expect(bare.received.contains("requires a client certificate"), "\(bare.received)")
            #expect(daemon.log.contains("trunk carrier-mtls requires a client certificate"))
            // The refusal is the user agent's, so the refused call has a record that says why.
            let refused = try await SIPIntegrationTests().history(daemon).first { $0["trunk"] as? String == "carrier-mtls" }
            #expect(
                (refused?["endReason"] as? String)?.contains("requires a client certificate and the TLS client sent none") == true,
                "\(refused ?? [:])")
            #expect(refused?["outcome"] as? String == "rejected")

            let signed = try await TLSClient.exchange(
                port: port, from: "127.0.0.2", certificate: client,
                messages: [TLSClient.invite(number: "1001", port: port, from: "127.0.0.2")])
            #expect(signed.received.contains("SIP/2.0 200 OK"), "\(signed.report.suffix(2000))\n\(daemon.log.suffix(2000))")
            #expect(daemon.log.contains("TLS client certificate verified"))

            let unknown = try await TLSClient.exchange(
                port: port, from: "127.0.0.2", certificate: stranger,
                messages: [TLSClient.invite(number: "1001", port: port, from: "127.0.0.2")])
            #expect(!unknown.received.contains("SIP/2.0"), "\(unknown.received)")
            #expect(daemon.log.contains("security: TLS handshake failed"), "\(daemon.log.suffix(2000))")

            // The loopback trunk: no certificate asked for, the call goes through over TLS.
            let other = try await TLSClient.exchange(
                port: port, from: "127.0.0.1", messages: [TLSClient.invite(number: "1001", port: port, from: "127.0.0.1")])
            #expect(!other.report.contains("Acceptable client certificate CA names"), "127.0.0.1 was asked for a certificate")
            // SRTP is mandatory on that trunk: the plain offer is refused by policy, not by TLS.
            #expect(other.received.contains("SIP/2.0 488"), "\(other.report.suffix(2000))")
            await daemon.stop()
        }

        /// (d) SIGHUP re-reads the certificate: a new connection sees the new one; a broken file
        /// then keeps the one in force and logs one line.
        @Test func sighupReloadsTheCertificateForNewConnections() async throws {
            let pki = try await TestPKI.make()
            defer { pki.cleanUp() }
            let first = try await pki.issue("first", commonName: "dialgate-first")
            let second = try await pki.issue("second", commonName: "dialgate-second")
            let live = TestPKI.Pair(certificate: pki.url("live.pem"), key: pki.url("live.key"), combined: pki.url("live.pem"))
            try FileManager.default.copyItem(at: first.certificate, to: live.certificate)
            try FileManager.default.copyItem(at: first.key, to: live.key)
            let plan = try Self.carrierLikePlan()
            defer { try? FileManager.default.removeItem(at: plan) }
            let (daemon, port) = try await Self.startDaemon(plan: plan, server: live)
            defer { daemon.cleanUp() }

            let before = try await TLSClient.exchange(port: port, messages: [], listen: .milliseconds(300))
            #expect(before.report.contains("CN = dialgate-first"), "\(before.report.suffix(2000))")

            try Data(contentsOf: second.certificate).write(to: live.certificate)
            try Data(contentsOf: second.key).write(to: live.key)
            kill(daemon.process.processIdentifier, SIGHUP)
            try await waitFor("SIP TLS certificate reloaded", in: daemon)
            let after = try await TLSClient.exchange(port: port, messages: [], listen: .milliseconds(300))
            #expect(after.report.contains("CN = dialgate-second"), "\(after.report.suffix(2000))")

            try Data("not a certificate".utf8).write(to: live.certificate)
            kill(daemon.process.processIdentifier, SIGHUP)
            try await waitFor("SIP TLS certificate reload failed", in: daemon)
            let kept = try await TLSClient.exchange(port: port, messages: [], listen: .milliseconds(300))
            #expect(kept.report.contains("CN = dialgate-second"), "\(kept.report.suffix(2000))")
            await daemon.stop()
        }

        /// `--sip-tls` without a certificate is a one-line startup error.
        @Test func sipTLSWithoutCertificateIsRefusedAtStart() async throws {
            let result = try await ExternalProcess.run(
                Daemon.productsDirectory.appendingPathComponent("dialgate").path,
                ["serve", "--sip-tls", "127.0.0.1:0", "--state", FileManager.default.temporaryDirectory.path], timeout: .seconds(20))
            #expect(result.status != 0)
            #expect(result.standardError.contains("--sip-tls needs --tls-cert and --tls-key"), "\(result.standardError)")
        }

        func waitFor(_ text: String, in daemon: Daemon, timeout: Duration = .seconds(10)) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while clock.now < deadline {
                if daemon.log.contains(text) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw HarnessError("the daemon did not log \"\(text)\":\n\(daemon.log.suffix(2000))")
        }
    }
}
