import Dialplan
import SIP
import TestSupport
import Testing

@testable import Calls

/// The registration state machine event by event on a fake clock (RFC 3261 §10.2, RFC 7616,
/// RFC 5626 §4.5), and the user agent running it: REGISTERs on the wire, the registrar's calls
/// taken by the registered trunk.
@Suite("Outbound registration")
struct OutboundRegistrationTests {
    static let registrar = SIPPeer(transport: .udp, host: "127.0.0.1", port: 5090)

    static func settings(expires: Int = 600) -> TrunkRegistration {
        var settings = TrunkRegistration(
            location: SourceLocation(file: "t.dialplan", line: 1, column: 1), registrarHost: "127.0.0.1", user: "4711",
            password: "s3cret")
        settings.registrarPort = 5090
        settings.expires = .seconds(expires)
        settings.contactUser = "1001"
        return settings
    }

    /// A response to `request` from the registrar: its Via, From, Call-ID and CSeq, a To tag.
    static func response(_ status: Int, _ reason: String, to request: SIPRequest, extra: [(String, String)] = []) -> SIPResponse {
        var headers = SIPHeaders()
        for name in ["Via", "From", "Call-ID", "CSeq"] { headers.add(name, request.headers[name] ?? "") }
        headers.add("To", (request.headers["To"] ?? "") + ";tag=reg")
        for (name, value) in extra { headers.add(name, value) }
        headers.add("Content-Length", "0")
        return SIPResponse(statusCode: status, reasonPhrase: reason, headers: headers)
    }

    static let challenge = [
        ("WWW-Authenticate", "Digest realm=\"provider\", nonce=\"n1\", algorithm=MD5, qop=\"auth\""),
        ("WWW-Authenticate", "Digest realm=\"provider\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\""),
    ]

    @Test func registersAnswersTheChallengeRefreshesAndBacksOff() throws {
        var random = SeededGenerator(seed: 7)
        var registration = OutboundRegistration(trunk: "provider", settings: Self.settings(), registrar: Self.registrar, random: &random)
        var now = SIPInstant(nanoseconds: 1_000_000_000)
        func request(_ attempt: OutboundRegistration.Attempt) -> SIPRequest {
            registration.request(attempt, branch: "z9hG4bK1", sentBy: "127.0.0.1:5060", contactHost: "127.0.0.1:5060", product: "dialgate")
        }

        // Start: a REGISTER without credentials (§10.2).
        let first = try #require(registration.handle(.start, now: now, random: &random))
        #expect(registration.state == .registering)
        #expect(first.expires == 600 && first.sequence == 1 && first.credentials == nil)
        let register = request(first)
        #expect(register.method == .register)
        #expect(register.uri.description == "sip:127.0.0.1:5090")
        #expect(register.headers["To"] == "<sip:4711@127.0.0.1>")
        #expect(register.headers["From"]?.hasPrefix("<sip:4711@127.0.0.1>;tag=") == true)
        #expect(register.headers["Contact"] == "<sip:1001@127.0.0.1:5060>")
        #expect(register.headers["Expires"] == "600")
        #expect(register.headers["CSeq"] == "1 REGISTER")

        // 401 with MD5 first and SHA-256 second: SHA-256 is answered, with the registrar's URI.
        let answered = try #require(
            registration.handle(
                .response(Self.response(401, "Unauthorized", to: register, extra: Self.challenge)), now: now, random: &random))
        #expect(answered.sequence == 2)
        let credentials = try #require(answered.credentials)
        #expect(credentials.header == "Authorization")
        #expect(credentials.value.algorithm == .sha256)
        #expect(credentials.value.uri == "sip:127.0.0.1:5090")
        #expect(credentials.value.username == "4711")
        #expect(credentials.value.nonceCount == "00000001")
        #expect(credentials.value.response == credentials.value.expectedResponse(password: "s3cret", method: "REGISTER"))
        #expect(request(answered).headers["Call-ID"] == register.headers["Call-ID"], "one Call-ID for every REGISTER (§10.2)")

        // 200 granting less than asked, in our Contact's expires: refresh halfway.
        let granted = Self.response(
            200, "OK", to: request(answered),
            extra: [("Contact", "<sip:other@192.0.2.1>;expires=3000, <sip:1001@127.0.0.1:5060>;expires=60")])
        #expect(registration.handle(.response(granted), now: now, random: &random) == nil)
        #expect(registration.state == .registered)
        #expect(registration.expiresAt == now + .seconds(60))
        #expect(registration.deadline == now + .seconds(30))
        #expect(registration.lastResult == "200 OK (granted 60 s)")
        #expect(registration.registeredSince == now)

        // The refresh carries credentials under the same nonce with nc counted up (RFC 7616 §3.4).
        now = now + .seconds(30)
        let refresh = try #require(registration.handle(.timer, now: now, random: &random))
        #expect(registration.state == .refreshing)
        #expect(refresh.sequence == 3 && refresh.credentials?.value.nonceCount == "00000002")

        // The registrar refuses the same nonce without stale: the password is wrong; back off
        // 50–100 % of min(1800 s, 30 s · 2¹) (RFC 5626 §4.5). The binding is still good until it expires.
        #expect(
            registration.handle(
                .response(Self.response(401, "Unauthorized", to: request(refresh), extra: Self.challenge)), now: now, random: &random)
                == nil)
        #expect(registration.state == .failed)
        #expect(registration.lastResult?.contains("credentials refused") == true)
        let wait = try #require(registration.deadline) - now
        #expect(wait >= .seconds(30) && wait <= .seconds(60))
        #expect(registration.expiresAt != nil)

        // The retry after the binding expired starts over as `registering`; a stale nonce is
        // answered again without counting as a refusal.
        now = try #require(registration.deadline)
        let retry = try #require(registration.handle(.timer, now: now, random: &random))
        #expect(registration.state == .registering)
        let stale = [("WWW-Authenticate", "Digest realm=\"provider\", nonce=\"n1\", algorithm=SHA-256, qop=\"auth\", stale=true")]
        let again = try #require(
            registration.handle(.response(Self.response(401, "Unauthorized", to: request(retry), extra: stale)), now: now, random: &random))
        #expect(again.credentials?.value.nonceCount == "00000001")

        // 423: ask again with the registrar's Min-Expires (§10.2.8).
        let longer = try #require(
            registration.handle(
                .response(Self.response(423, "Interval Too Brief", to: request(again), extra: [("Min-Expires", "1200")])), now: now,
                random: &random))
        #expect(longer.expires == 1200)

        // 503 with Retry-After: wait what it says (§21.5.4).
        #expect(
            registration.handle(
                .response(Self.response(503, "Service Unavailable", to: request(longer), extra: [("Retry-After", "120")])), now: now,
                random: &random) == nil)
        #expect(registration.state == .failed && registration.deadline == now + .seconds(120))
        #expect(registration.consecutiveFailures == 2)

        // No answer at all: back off longer (30 s · 2³ at most).
        now = now + .seconds(120)
        _ = try #require(registration.handle(.timer, now: now, random: &random))
        #expect(registration.handle(.noResponse("no response from the registrar"), now: now, random: &random) == nil)
        let longerWait = try #require(registration.deadline) - now
        #expect(longerWait >= .seconds(120) && longerWait <= .seconds(240))
        #expect(registration.lastResult == "no response from the registrar")

        // A late timer before the deadline does nothing.
        #expect(registration.handle(.timer, now: now, random: &random) == nil)
        // Stopping while failed sends nothing (there is no binding to remove).
        #expect(registration.handle(.stop, now: now, random: &random) == nil)
        #expect(registration.state == .unregistered)
    }

    @Test func stopRemovesTheBindingWithExpiresZero() throws {
        var random = SeededGenerator(seed: 9)
        var registration = OutboundRegistration(trunk: "provider", settings: Self.settings(), registrar: Self.registrar, random: &random)
        let now = SIPInstant(nanoseconds: 0)
        let first = try #require(registration.handle(.start, now: now, random: &random))
        let request = registration.request(first, branch: "z9hG4bKa", sentBy: "127.0.0.1:5060", contactHost: "127.0.0.1:5060", product: "d")
        _ = registration.handle(.response(Self.response(200, "OK", to: request, extra: [("Expires", "600")])), now: now, random: &random)
        #expect(registration.expiresAt == now + .seconds(600))
        #expect(registration.deadline == now + .seconds(300), "five minutes ahead at most")

        let bye = try #require(registration.handle(.stop, now: now, random: &random))
        #expect(bye.expires == 0)
        #expect(registration.state == .unregistering)
        // A challenge to the removal is answered once.
        let removal = registration.request(bye, branch: "z9hG4bKb", sentBy: "127.0.0.1:5060", contactHost: "127.0.0.1:5060", product: "d")
        let answered = try #require(
            registration.handle(
                .response(Self.response(401, "Unauthorized", to: removal, extra: Self.challenge)), now: now, random: &random))
        #expect(answered.expires == 0 && answered.credentials != nil)
        _ = registration.handle(.response(Self.response(200, "OK", to: removal)), now: now, random: &random)
        #expect(registration.state == .unregistered && registration.expiresAt == nil && registration.deadline == nil)
    }

    @Test func aRegistrarThatChallengesEveryAnswerIsAFailureNotALoop() throws {
        var random = SeededGenerator(seed: 3)
        var registration = OutboundRegistration(trunk: "provider", settings: Self.settings(), registrar: Self.registrar, random: &random)
        let now = SIPInstant(nanoseconds: 0)
        var attempt = registration.handle(.start, now: now, random: &random)
        var sent = 0
        while let current = attempt, sent < 10 {
            sent += 1
            let request = registration.request(current, branch: "z9hG4bK\(sent)", sentBy: "h:1", contactHost: "h:1", product: "d")
            let fresh = [("WWW-Authenticate", "Digest realm=\"p\", nonce=\"n\(sent)\", algorithm=MD5, qop=\"auth\"")]
            attempt = registration.handle(
                .response(Self.response(401, "Unauthorized", to: request, extra: fresh)), now: now, random: &random)
        }
        #expect(sent == OutboundRegistration.maxChallengesPerAttempt + 1)
        #expect(registration.state == .failed)
    }

    // MARK: - In the user agent

    static let plan = """
        trunk provider {
            register {
                registrar 192.0.2.10:5090
                user "4711" password "s3cret"
                contact-user 1001
                expires 2m
            }
        }
        """

    @Test func theUserAgentRegistersAndTakesTheRegistrarsCalls() throws {
        var harness = UserAgentHarness(planAppendix: Self.plan)
        let document = harness.userAgent.dialplan.document
        let trunk = try #require(document.trunk(named: "provider"))
        let settings = try #require(trunk.registration)
        #expect(settings.expires == .seconds(120) && settings.registrarPort == 5090)

        // Before it registers, the registrar's address is nobody's source.
        // (The bundled plan's loopback trunk takes 127.0.0.0/8, so the provider is elsewhere; the core sends nothing anywhere.)
        let invite = Messages.invite(to: "1001", branch: "z9hG4bK-reg1", callID: "reg-call-1")
        let registrarPeer = SIPPeer(transport: .udp, host: "192.0.2.10", port: 5090)
        #expect(harness.receive(invite, from: registrarPeer).statuses.last == 403)

        let target = RegistrationTarget(trunk: "provider", settings: settings, registrar: registrarPeer)
        let started = harness.userAgent.register([target], now: harness.now)
        // Each change of state is reported once, for the log.
        let reported = started.compactMap { action -> OutboundRegistration.State? in
            guard case .registrationChanged(let facts) = action else { return nil }
            return facts.state
        }
        #expect(reported == [.registering])
        let sent = started.requests
        let register = try #require(sent.first)
        #expect(register.method == .register && sent.count == 1)
        #expect(harness.userAgent.registrationFacts.map(\.state) == [.registering])

        // The 200 arrives over the wire; the user agent's transaction hands it to the registration.
        let ok = Self.response(200, "OK", to: register, extra: [("Expires", "120")])
        var bytes: [UInt8] = []
        SIPMessage.response(ok).serialize(into: &bytes)
        _ = harness.receive(bytes: bytes, from: registrarPeer)
        let facts = try #require(harness.userAgent.registrationFacts.first)
        #expect(facts.state == .registered)
        #expect(facts.expiresAt == harness.now + .seconds(120))
        #expect(facts.addressOfRecord == "sip:4711@192.0.2.10")

        // Now the registrar's calls belong to the trunk.
        let actions = harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-reg2", callID: "reg-call-2"), from: registrarPeer)
        #expect(!actions.statuses.contains(403))
        #expect(actions.callEvents.first?.call.trunk == "provider")

        // The refresh goes at half the 120 s; unanswered, Timer F (64·T1) makes it a failure.
        let refreshes = harness.run(until: .seconds(61)).requests.filter { $0.method == .register }
        #expect(refreshes.first?.headers["CSeq"] == "2 REGISTER")
        _ = harness.run(until: .seconds(40))
        #expect(harness.userAgent.registrationFacts.first?.state == .failed)
        #expect(harness.userAgent.registrationFacts.first?.lastResult == "no response from the registrar")

        // A reload without the trunk removes the registration: the binding may still hold (it
        // expires at 120 s), so Expires 0 goes out; once answered, the registration is gone.
        let removal = try #require(harness.userAgent.register([], now: harness.now).requests.first)
        #expect(removal.headers["Expires"] == "0")
        #expect(harness.userAgent.registrationFacts.isEmpty)
        bytes = []
        SIPMessage.response(Self.response(200, "OK", to: removal)).serialize(into: &bytes)
        _ = harness.receive(bytes: bytes, from: registrarPeer)
        #expect(harness.userAgent.registrations.isEmpty)
        // And the registrar's address is nobody's source again.
        #expect(
            harness.receive(Messages.invite(to: "1001", branch: "z9hG4bK-reg3", callID: "reg-call-3"), from: registrarPeer).statuses.last
                == 403)
    }
}
