import Foundation
import Testing

extension LoopbackIntegration {
    /// Issue 9: outbound registration against a real registrar, Kamailio with its registrar and
    /// auth modules, started here on loopback. dialgate registers (answering Kamailio's SHA-256
    /// digest challenge), refreshes, registers again after Kamailio restarts (its bindings live in
    /// memory, so the restart forgets them; the new instance challenges with MD5), takes calls
    /// Kamailio routes to it, and removes its binding when it stops.
    @Suite(.serialized)
    struct RegistrationIntegrationTests {
        static func plan(registrarPort: Int) -> String {
            """
            trunk provider {
                register {
                    registrar 127.0.0.1:\(registrarPort)
                    user "4711" password "s3cret"
                    contact-user 1001
                    expires 10s
                }
            }
            """
        }

        /// The provider trunk's registration as `dialgatectl trunks --json` shows it.
        func registration(_ daemon: Daemon) async throws -> [String: Any] {
            let trunks = try await daemon.ctlJSON(["trunks"])["trunks"] as? [[String: Any]] ?? []
            return trunks.first { $0["name"] as? String == "provider" }?["registration"] as? [String: Any] ?? [:]
        }

        func waitForRegistration(
            _ daemon: Daemon, timeout: Duration = .seconds(20), until condition: ([String: Any]) -> Bool
        ) async throws -> [String: Any] {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while true {
                let current = try await registration(daemon)
                if condition(current) { return current }
                guard clock.now < deadline else { throw HarnessError("registration is still \(current)\n\(daemon.log.suffix(3000))") }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        /// A call placed by sipp to the provider's number 4711 at Kamailio, which routes it to our
        /// binding (sipp's built-in `uac` ignores the route set, so its BYE would not pass the proxy).
        func callThrough(_ kamailio: Kamailio, _ daemon: Daemon) async throws -> ProcessResult {
            try await ExternalProcess.run(
                "sipp",
                [
                    "127.0.0.1:\(kamailio.port)", "-i", "127.0.0.1", "-sf",
                    MediaIntegrationTests.scenarios.appendingPathComponent("call-via-proxy.xml").path, "-s", "4711",
                    "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error",
                ], timeout: .seconds(25), currentDirectory: daemon.state)
        }

        @Test func registersWithKamailioRefreshesSurvivesItsRestartAndTakesItsCalls() async throws {
            let kamailio = try await Kamailio.start(algorithm: "SHA-256")
            defer { kamailio.cleanUp() }
            let plans = try SIPIntegrationTests.dialplanFolder(extra: Self.plan(registrarPort: kamailio.port))
            defer { try? FileManager.default.removeItem(at: plans) }
            let daemon = try await Daemon.start(["--dialplans", plans.path])
            defer { daemon.cleanUp() }

            // Registered, after answering the SHA-256 challenge (Kamailio saves only what authenticated).
            let first = try await waitForRegistration(daemon) { $0["state"] as? String == "registered" }
            #expect(first["addressOfRecord"] as? String == "sip:4711@127.0.0.1")
            #expect(first["registrar"] as? String == "udp:127.0.0.1:\(kamailio.port)")
            #expect((first["lastResult"] as? String)?.hasPrefix("200 OK (granted 10 s)") == true, "\(first)")
            #expect(kamailio.log.contains("challenge REGISTER"))
            #expect(
                kamailio.log.contains("registered sip:4711@127.0.0.1 at <sip:1001@127.0.0.1:\(daemon.sipPort)>"),
                "\(kamailio.log.suffix(2000))")

            // Refreshed halfway through the 10 s: the binding's end moves on, the registration is the same.
            let refreshed = try await waitForRegistration(daemon) {
                $0["state"] as? String == "registered" && ($0["expiresAt"] as? String ?? "") > (first["expiresAt"] as? String ?? "")
            }
            #expect(refreshed["registeredSince"] as? String == first["registeredSince"] as? String)
            #expect(daemon.log.contains("registration registered"), "\(daemon.log.suffix(2000))")

            // Kamailio routes a call for 4711 to us; the registered trunk takes it (not the loopback trunk).
            let call = try await callThrough(kamailio, daemon)
            #expect(call.status == 0, "\(call.standardOutput.suffix(2000))\n\(kamailio.log.suffix(1500))\n\(daemon.log.suffix(1500))")

            // Kamailio restarts and forgets the binding; the next refresh registers again, now answering MD5.
            try await kamailio.restart(algorithm: "MD5")
            try await kamailio.waitForLog("registered sip:4711@127.0.0.1", timeout: .seconds(15))
            // The new instance knew nothing of us: it challenged (with MD5 now), and saved only what authenticated.
            #expect(kamailio.log.contains("challenge REGISTER from 127.0.0.1:\(daemon.sipPort)"), "\(kamailio.log.suffix(1500))")
            let again = try await registration(daemon)
            #expect(again["state"] as? String == "registered" || again["state"] as? String == "refreshing", "\(again)")
            let secondCall = try await callThrough(kamailio, daemon)
            #expect(
                secondCall.status == 0,
                "\(secondCall.standardOutput.suffix(2000))\n\(kamailio.log.suffix(1500))\n\(daemon.log.suffix(1500))")

            let history = try await SIPIntegrationTests().history(daemon)
            let trunks = try await daemon.ctl(["trunks"])
            let status = try await daemon.ctl(["status"])
            #expect(trunks.standardOutput.contains("registered as sip:4711@127.0.0.1"), "\(trunks.standardOutput)")
            #expect(trunks.standardOutput.contains("registrar udp:127.0.0.1:\(kamailio.port)"), "\(trunks.standardOutput)")
            #expect(status.standardOutput.contains("registration:"), "\(status.standardOutput)")

            // Stopping removes the binding (Expires: 0), so Kamailio stops routing calls here at once.
            await daemon.stop()
            try await kamailio.waitForLog("(Expires 0)", timeout: .seconds(5))
            #expect(history.count == 2, "\(history)")
            #expect(history.allSatisfy { $0["trunk"] as? String == "provider" && $0["outcome"] as? String == "completed" }, "\(history)")
        }

        /// Registration over TCP and over TLS (the registrar's certificate checked against the
        /// trunk's `tls-ca`), and the provider's calls back to each Contact over the same transport.
        @Test func registersOverTCPAndTLSAndTakesCallsOverEach() async throws {
            let pki = try await TestPKI.make()
            defer { pki.cleanUp() }
            let registrarCertificate = try await pki.issue("registrar", commonName: "registrar")
            let gatewayCertificate = try await pki.issue("gateway", commonName: "dialgate")
            let kamailio = try await Kamailio.start(algorithm: "SHA-256", tls: registrarCertificate)
            defer { kamailio.cleanUp() }
            let tlsPort = try #require(kamailio.tlsPort)
            let plans = try SIPIntegrationTests.dialplanFolder(
                extra: """
                    trunk provider-tcp {
                        register {
                            registrar 127.0.0.1:\(kamailio.port)
                            transport tcp
                            user "4711" password "s3cret"
                            contact-user 1001
                        }
                    }
                    trunk provider-tls {
                        register {
                            registrar 127.0.0.1:\(tlsPort)
                            transport tls
                            tls-ca "\(pki.authority.path)"
                            user "4712" password "s3cret"
                            contact-user 1002
                        }
                    }
                    """)
            defer { try? FileManager.default.removeItem(at: plans) }
            let daemon = try await Daemon.start([
                "--dialplans", plans.path, "--sip-tls", "127.0.0.1:0", "--tls-cert", gatewayCertificate.certificate.path, "--tls-key",
                gatewayCertificate.key.path,
            ])
            defer { daemon.cleanUp() }

            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(20))
            var trunks: [[String: Any]] = []
            while clock.now < deadline {
                trunks = try await daemon.ctlJSON(["trunks"])["trunks"] as? [[String: Any]] ?? []
                let states = trunks.compactMap { ($0["registration"] as? [String: Any])?["state"] as? String }
                if states == ["registered", "registered"] { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let registrars = trunks.compactMap { ($0["registration"] as? [String: Any])?["registrar"] as? String }
            #expect(registrars == ["tcp:127.0.0.1:\(kamailio.port)", "tls:127.0.0.1:\(tlsPort)"], "\(trunks)\n\(daemon.log.suffix(2000))")
            let states = trunks.compactMap { ($0["registration"] as? [String: Any])?["state"] as? String }
            #expect(states == ["registered", "registered"], "\(trunks)\n\(daemon.log.suffix(2000))\n\(kamailio.log.suffix(1500))")
            #expect(kamailio.log.contains(";transport=tcp> (Expires"), "\(kamailio.log.suffix(1500))")
            #expect(kamailio.log.contains(";transport=tls> (Expires"), "\(kamailio.log.suffix(1500))")

            // 4711's Contact says TCP, 4712's TLS: Kamailio reaches us over each.
            for number in ["4711", "4712"] {
                let call = try await ExternalProcess.run(
                    "sipp",
                    [
                        "127.0.0.1:\(kamailio.port)", "-i", "127.0.0.1", "-sf",
                        MediaIntegrationTests.scenarios.appendingPathComponent("call-via-proxy.xml").path,
                        "-s", number, "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error",
                    ], timeout: .seconds(25), currentDirectory: daemon.state)
                #expect(
                    call.status == 0,
                    "\(number): \(call.standardOutput.suffix(1500))\n\(kamailio.log.suffix(1500))\n\(daemon.log.suffix(1500))")
            }
            let history = try await SIPIntegrationTests().history(daemon)
            await daemon.stop()
            let calls = history.map {
                "\($0["trunk"] as? String ?? "-") \($0["transport"] as? String ?? "-") \($0["outcome"] as? String ?? "-")"
            }
            #expect(calls.sorted() == ["provider-tcp tcp completed", "provider-tls tls completed"], "\(history)")
        }
    }
}
