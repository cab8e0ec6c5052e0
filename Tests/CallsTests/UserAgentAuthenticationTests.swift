import Dialplan
import Foundation
import SIP
import TestSupport
import Testing

@testable import Calls

/// Digest authentication of INVITEs for trunks with an `auth` block (RFC 3261 §22.2, RFC 7616,
/// RFC 8760): the client side of each exchange is computed here from the challenge the gateway sent.
@Suite struct UserAgentAuthenticationTests {
    static let plan = """
        trunk office {
            from 127.0.0.1
            auth {
                realm "dialgate.test"
                algorithms sha-256, md5
                user "pbx" password "s3cret-pass"
            }
        }
        trunk phones {
            auth {
                user "phone-101" password "phone-pass"
            }
        }
        route echo {
            match called 1001
            answer
            echo
        }
        """

    static let remotePhone = SIPPeer(transport: .udp, host: "192.0.2.50", port: 5060)

    func harness() throws -> UserAgentHarness { UserAgentHarness(plan: Self.plan, seed: 7) }

    /// The nonce and algorithm of each `WWW-Authenticate` challenge, in order.
    func challenges(_ actions: [UserAgentAction]) -> [(algorithm: String, nonce: String, stale: Bool)] {
        let values = actions.responses.last?.headers.values("WWW-Authenticate") ?? []
        return values.map { value in
            let nonce = value.firstMatch(of: /nonce="([^"]*)"/).map { String($0.1) } ?? ""
            let algorithm = value.firstMatch(of: /algorithm=([A-Za-z0-9-]+)/).map { String($0.1) } ?? ""
            return (algorithm, nonce, value.contains("stale=true"))
        }
    }

    /// What a client with `password` sends for the challenge `nonce`.
    func authorization(
        user: String, password: String, realm: String, nonce: String, algorithm: DigestAlgorithm = .sha256,
        uri: String = "sip:1001@127.0.0.1:5060", qop: Bool = true
    ) -> String {
        var credentials = DigestCredentials(
            username: user, realm: realm, nonce: nonce, uri: uri, response: "", algorithm: algorithm,
            cnonce: qop ? "0a4f113b" : nil, qop: qop ? .auth : nil, nonceCount: qop ? "00000001" : nil)
        credentials.response = credentials.expectedResponse(password: password, method: "INVITE")
        return "Authorization: \(credentials)\n"
    }

    func invite(_ branch: String, cseq: Int, authorization: String = "") -> String {
        Messages.invite(to: "1001", branch: branch, cseq: cseq, extraHeaders: authorization)
    }

    func notices(_ actions: [UserAgentAction]) -> [String] {
        actions.compactMap { if case .notice(let notice) = $0 { notice.reason } else { nil } }
    }

    /// The usual exchange: 401 with SHA-256 offered before MD5, then the answer with the
    /// password gets the call. The first 401 is no failure: no record, no security line.
    @Test func challengeThenAnswer() throws {
        var harness = try harness()
        let first = harness.receive(invite("z9hG4bK-a1", cseq: 1))
        #expect(first.statuses == [100, 401])
        #expect(first.callEvents.isEmpty && notices(first).isEmpty)
        let offered = challenges(first)
        #expect(offered.map(\.algorithm) == ["SHA-256", "MD5"])
        #expect(Set(offered.map(\.nonce)).count == 1, "one nonce shared by both challenges")
        #expect(first.responses.last?.headers.values("WWW-Authenticate").first?.contains("realm=\"dialgate.test\"") == true)
        let toTag = try #require(try first.responses.last?.headers.to().tag)
        let ack = Messages.inDialog("ACK", branch: "z9hG4bK-a1", cseq: 1, toTag: toTag)
            .replacingOccurrences(of: "sip:dialgate@127.0.0.1:5060", with: "sip:1001@127.0.0.1:5060")
        _ = harness.receive(ack)

        let answer = authorization(user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: offered[0].nonce)
        let second = harness.receive(invite("z9hG4bK-a2", cseq: 2, authorization: answer))
        #expect(second.statuses == [100, 200])
        #expect(harness.userAgent.activeCalls.count == 1)
    }

    /// Old PBXs answer MD5 without qop (RFC 2069 form); accepted when the trunk offers MD5.
    @Test func md5WithoutQopFromAnOldPBX() throws {
        var harness = try harness()
        let nonce = try #require(challenges(harness.receive(invite("z9hG4bK-m1", cseq: 1))).first?.nonce)
        let answer = authorization(
            user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: nonce, algorithm: .md5, qop: false)
        #expect(harness.receive(invite("z9hG4bK-m2", cseq: 2, authorization: answer)).statuses == [100, 200])
    }

    /// A wrong password and an unknown user get the same 403, a record and one security line
    /// that tells the operator which it was.
    @Test func wrongPasswordAndUnknownUserAre403() throws {
        var harness = try harness()
        let nonce = try #require(challenges(harness.receive(invite("z9hG4bK-w1", cseq: 1))).first?.nonce)
        let wrong = harness.receive(
            invite(
                "z9hG4bK-w2", cseq: 2, authorization: authorization(user: "pbx", password: "guess", realm: "dialgate.test", nonce: nonce)))
        #expect(wrong.statuses == [100, 403])
        #expect(wrong.callEvents.map(\.call.outcome) == [.rejected])
        #expect(notices(wrong).count == 1 && notices(wrong)[0].contains("wrong response for user \"pbx\""))
        let unknown = harness.receive(
            invite(
                "z9hG4bK-w3", cseq: 3, authorization: authorization(user: "root", password: "x", realm: "dialgate.test", nonce: nonce)))
        #expect(unknown.statuses == [100, 403])
        #expect(wrong.responses.last?.reasonPhrase == unknown.responses.last?.reasonPhrase)
        #expect(notices(unknown).first?.contains("unknown user") == true)
    }

    /// A nonce past its lifetime with the right password: 401 `stale=true`, so the phone retries
    /// without asking its user again (RFC 7616 §3.3).
    @Test func expiredNonceIsStale() throws {
        var harness = try harness()
        let nonce = try #require(challenges(harness.receive(invite("z9hG4bK-s1", cseq: 1))).first?.nonce)
        harness.now = harness.now + .seconds(301)
        let late = harness.receive(
            invite(
                "z9hG4bK-s2", cseq: 2,
                authorization: authorization(user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: nonce)
            ))
        #expect(late.statuses == [100, 401])
        #expect(challenges(late).allSatisfy(\.stale) && !challenges(late).isEmpty)
        #expect(notices(late).isEmpty)
    }

    /// Credentials computed for another Request-URI are not reused against this one (RFC 7616
    /// §3.4.6); the gateway's own address without a user (what sipp sends) is accepted.
    @Test func digestURIMustNameThisRequest() throws {
        var harness = try harness()
        let nonce = try #require(challenges(harness.receive(invite("z9hG4bK-u1", cseq: 1))).first?.nonce)
        let elsewhere = harness.receive(
            invite(
                "z9hG4bK-u2", cseq: 2,
                authorization: authorization(
                    user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: nonce, uri: "sip:2000@127.0.0.1:5060")))
        #expect(elsewhere.statuses == [100, 401])
        #expect(notices(elsewhere).first?.contains("differs from the Request-URI") == true)
        let sameURI = harness.receive(
            invite(
                "z9hG4bK-u3", cseq: 3,
                authorization: authorization(
                    user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: nonce, uri: "sip:127.0.0.1:5060"
                )))
        #expect(sameURI.statuses == [100, 200])
    }

    /// sipp (and some SBCs) put the server's address without a user in the digest `uri`; the
    /// response hash still covers it, so the same host and port is accepted, another is not.
    @Test func digestURIWithoutUserPart() {
        let requestURI = try! SIPURI(parsing: "sip:1001@127.0.0.1:5060")
        #expect(UserAgent.digestURI("sip:127.0.0.1:5060", names: requestURI))
        #expect(UserAgent.digestURI("sip:1001@127.0.0.1:5060", names: requestURI))
        // RFC 3261 §19.1.4: a transport parameter in one URI only makes them differ.
        #expect(!UserAgent.digestURI("sip:1001@127.0.0.1:5060;transport=udp", names: requestURI))
        #expect(!UserAgent.digestURI("sip:127.0.0.1:5070", names: requestURI))
        #expect(!UserAgent.digestURI("sip:2000@127.0.0.1:5060", names: requestURI))
        #expect(!UserAgent.digestURI("sips:127.0.0.1:5060", names: requestURI))
        #expect(!UserAgent.digestURI("not a uri", names: requestURI))
    }

    /// A phone trunk (`auth` without `from`) takes calls from any address once they
    /// authenticate; its realm defaults to the gateway's advertised host.
    @Test func phoneTrunkFromAnywhere() throws {
        var harness = try harness()
        let first = harness.receive(invite("z9hG4bK-p1", cseq: 1), from: Self.remotePhone)
        #expect(first.statuses == [100, 401])
        #expect(first.responses.last?.headers.values("WWW-Authenticate").first?.contains("realm=\"127.0.0.1\"") == true)
        let nonce = try #require(challenges(first).first?.nonce)
        let answer = authorization(user: "phone-101", password: "phone-pass", realm: "127.0.0.1", nonce: nonce)
        let second = harness.receive(invite("z9hG4bK-p2", cseq: 2, authorization: answer), from: Self.remotePhone)
        #expect(second.statuses == [100, 200])
        #expect(harness.userAgent.activeCalls.first?.trunk == "phones")
    }

    /// Password guessing meets the entry guard: after ten wrong answers the source is locked out,
    /// and even the right password gets 403 until the lock-out ends.
    @Test func guessingLocksTheSourceOut() throws {
        var harness = try harness()
        let nonce = try #require(challenges(harness.receive(invite("z9hG4bK-g0", cseq: 1))).first?.nonce)
        for attempt in 1...10 {
            let guess = authorization(user: "pbx", password: "guess\(attempt)", realm: "dialgate.test", nonce: nonce)
            #expect(harness.receive(invite("z9hG4bK-g\(attempt)", cseq: attempt + 1, authorization: guess)).statuses == [100, 403])
        }
        let right = authorization(user: "pbx", password: "s3cret-pass", realm: "dialgate.test", nonce: nonce)
        let locked = harness.receive(invite("z9hG4bK-g11", cseq: 20, authorization: right))
        #expect(locked.statuses == [100, 403])
        #expect(notices(locked).first?.contains("locked out") == true)
    }

    /// Garbage in Authorization is a 400 with a record and a security line, never a crash.
    @Test func malformedCredentialsAre400() throws {
        var harness = try harness()
        let actions = harness.receive(invite("z9hG4bK-x1", cseq: 1, authorization: "Authorization: Digest username=\"pbx, realm=\n"))
        #expect(actions.statuses == [100, 400])
        #expect(notices(actions).first?.contains("malformed") == true)
        let basic = harness.receive(invite("z9hG4bK-x2", cseq: 2, authorization: "Authorization: Basic cGJ4OnB3\n"))
        #expect(basic.statuses == [100, 401])
    }
}

/// Mutual TLS per trunk (`tls-client-cert required`, RFC 5630 §3.2) decided by the user agent:
/// the trunk's calls need TLS and a connection whose client certificate the handshake verified;
/// a refusal is a 403 with a Warning saying which, and a record.
@Suite struct UserAgentClientCertificateTests {
    static let plan = MutualTLSPlan.text

    func harness() -> UserAgentHarness { UserAgentHarness(plan: Self.plan, seed: 11) }

    @Test func aCallOnTheTrunkNeedsTLSAndAVerifiedCertificate() throws {
        var harness = harness()
        for (index, transport) in [SIPTransport.udp, .tcp].enumerated() {
            let peer = SIPPeer(transport: transport, host: "192.0.2.7", port: 5060, connection: transport == .tcp ? 9 : nil)
            let actions = harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-m\(index)", callID: "m\(index)"), from: peer)
            let refusal = try #require(actions.responses.last)
            #expect(refusal.statusCode == 403)
            #expect(
                refusal.headers["Warning"]
                    == "399 dialgate \"trunk carrier requires TLS with a client certificate, not \(transport.rawValue)\"")
            // The refused call has a record that says why.
            let record = try #require(actions.callEvents.last?.call)
            #expect(record.outcome == .rejected && record.trunk == "carrier")
            #expect(record.endReason?.contains("requires TLS with a client certificate") == true)
        }
        // Over TLS, without a verified certificate on the connection: refused.
        let tls = SIPPeer(transport: .tls, host: "192.0.2.7", port: 5061, connection: 1)
        let bare = harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-t1", callID: "t1"), from: tls)
        #expect(
            bare.responses.last?.headers["Warning"]
                == "399 dialgate \"trunk carrier requires a client certificate and the TLS client sent none\"")
        // The handshake verified the certificate of connection 2: its calls go on.
        harness.userAgent.connectionVerified(2, certificate: "<NIOSSLCertificate;common_name=sbc>")
        let verified = SIPPeer(transport: .tls, host: "192.0.2.7", port: 5062, connection: 2)
        #expect(harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-t2", callID: "t2"), from: verified).statuses.last == 200)
        // Once the connection closes, its verification is gone.
        harness.userAgent.connectionClosed(2)
        #expect(harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-t3", callID: "t3"), from: verified).statuses.last == 403)
        // Another trunk's calls are not concerned, over any transport.
        let office = SIPPeer(transport: .udp, host: "198.51.100.7", port: 5060)
        #expect(harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-o1", callID: "o1"), from: office).statuses.last == 200)
    }
}
