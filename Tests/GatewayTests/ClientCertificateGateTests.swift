import Dialplan
import SIP
import TestSupport
import Testing

@testable import Gateway

/// Mutual TLS per trunk (no sockets): the trunk settings as the parser reads them, and the
/// authorities a connection is asked about. The verdict on a call is the user agent's
/// (`Tests/CallsTests/UserAgentAuthenticationTests.swift`).
struct ClientCertificateGateTests {
    static let plan = MutualTLSPlan.text

    static func document(_ text: String = plan) -> DialplanCheckResult {
        DialplanChecker(knownPrompts: []).load([DialplanSource(path: "/etc/dialgate/plans/trunks.dialplan", text: text)]) { _, _ in nil }
    }

    @Test func settingsParseAndTheAuthorityIsFoundBesideThePlan() throws {
        let result = Self.document()
        #expect(result.diagnostics.map(\.description) == [])
        let carrier = try #require(result.document.trunk(named: "carrier"))
        #expect(carrier.clientCertificate?.resolvedAuthorityFile == "/etc/dialgate/plans/carrier-ca.pem")
        #expect(result.document.trunk(named: "office")?.clientCertificate == nil)
    }

    @Test func eachHalfAloneIsAnError() {
        let required = Self.document("trunk t {\n    from 192.0.2.1\n    tls-client-cert required\n}\n")
        #expect(required.diagnostics.map(\.description).contains { $0.contains(":3:5: tls-client-cert required needs tls-client-ca") })
        let authority = Self.document("trunk t {\n    from 192.0.2.1\n    tls-client-ca \"ca.pem\"\n}\n")
        #expect(
            authority.diagnostics.map(\.description).contains { $0.contains("tls-client-ca is only used with tls-client-cert required") })
        let wrong = Self.document("trunk t {\n    from 192.0.2.1\n    tls-client-cert maybe\n}\n")
        #expect(wrong.diagnostics.map(\.description).contains { $0.contains("tls-client-cert must be required or none") })
    }

    @Test func onlySourcesOnAMutualTLSTrunkAreAskedForACertificate() {
        let document = Self.document().document
        #expect(ClientCertificateGate.authorities(for: [192, 0, 2, 7], in: document) == ["/etc/dialgate/plans/carrier-ca.pem"])
        #expect(ClientCertificateGate.authorities(for: [198, 51, 100, 7], in: document) == [])
        #expect(ClientCertificateGate.authorities(for: [203, 0, 113, 1], in: document) == [])
    }
}
