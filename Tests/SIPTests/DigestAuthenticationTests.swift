import TestSupport
import Testing

@testable import SIP

@Suite("Digest authentication")
struct DigestAuthenticationTests {
    // MARK: RFC 7616 §3.9.1 (the same example with MD5 and with SHA-256)

    static let rfcNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
    static let rfcCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
    static let rfcOpaque = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

    /// The Authorization header field of RFC 7616 §3.9.1, with the RFC's line folding.
    static func rfcAuthorization(algorithm: String, response: String) -> String {
        "Digest username=\"Mufasa\",\r\n     realm=\"http-auth@example.org\",\r\n     uri=\"/dir/index.html\",\r\n"
            + "     algorithm=\(algorithm),\r\n     nonce=\"\(rfcNonce)\",\r\n     nc=00000001,\r\n"
            + "     cnonce=\"\(rfcCnonce)\",\r\n     qop=auth,\r\n     response=\"\(response)\",\r\n"
            + "     opaque=\"\(rfcOpaque)\""
    }

    @Test(arguments: [
        (DigestAlgorithm.md5, "MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        (DigestAlgorithm.sha256, "SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ])
    func rfc7616Example(algorithm: DigestAlgorithm, name: String, response: String) throws {
        let credentials = try DigestCredentials(parsing: Self.rfcAuthorization(algorithm: name, response: response))
        #expect(
            credentials
                == DigestCredentials(
                    username: "Mufasa", realm: "http-auth@example.org", nonce: Self.rfcNonce, uri: "/dir/index.html",
                    response: response, algorithm: algorithm, cnonce: Self.rfcCnonce, qop: .auth, nonceCount: "00000001",
                    opaque: Self.rfcOpaque))
        #expect(credentials.expectedResponse(password: "Circle of Life", method: "GET") == response)
        #expect(credentials.expectedResponse(password: "Circle of life", method: "GET") != response)
        // What the UAC side renders parses back to the same value.
        #expect(try DigestCredentials(parsing: credentials.description) == credentials)
    }

    /// The client's side of the same example: the RFC's challenge (`qop="auth, auth-int"`, one per
    /// algorithm) parsed and answered gives the RFC's response.
    @Test(arguments: [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ])
    func rfc7616ExampleAnswered(name: String, response: String) throws {
        let challenge = try DigestChallenge(
            parsing: "Digest\r\n    realm=\"http-auth@example.org\",\r\n    qop=\"auth, auth-int\",\r\n    algorithm=\(name),\r\n"
                + "    nonce=\"\(Self.rfcNonce)\",\r\n    opaque=\"\(Self.rfcOpaque)\"")
        #expect(challenge.qop == .auth)
        #expect(challenge.algorithm.rawValue == name)
        let answer = challenge.answer(
            username: "Mufasa", password: "Circle of Life", method: "GET", uri: "/dir/index.html", cnonce: Self.rfcCnonce, nonceCount: 1)
        #expect(answer.response == response)
        #expect(answer.nonceCount == "00000001")
        #expect(answer.opaque == Self.rfcOpaque)
        #expect(try DigestCredentials(parsing: answer.description) == answer)
    }

    @Test func clientPrefersTheStrongestChallengeItComputes() throws {
        let values = [
            "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, qop=\"auth\"",
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\"",
            "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\", stale=TRUE",
        ]
        let chosen = try DigestChallenge.preferred(among: values).get()
        #expect(chosen.algorithm == .sha256)
        #expect(chosen.stale)
        // Only what cannot be answered: the first reason comes back.
        #expect(throws: DigestError.unsupportedAlgorithm("SHA-512-256")) {
            try DigestChallenge.preferred(among: [values[1]]).get()
        }
        #expect(throws: DigestError.unsupportedQop("auth-int")) {
            try DigestChallenge(parsing: "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"")
        }
        #expect(throws: DigestError.qopRequired(.sha256)) {
            try DigestChallenge(parsing: "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256")
        }
        #expect(throws: DigestError.missingParameter("nonce")) { try DigestChallenge(parsing: "Digest realm=\"r\"") }
        #expect(throws: DigestError.notDigest(scheme: "Basic")) { try DigestChallenge(parsing: "Basic realm=\"r\"") }
        // The RFC 2069 form (MD5, no qop) is answered without cnonce and nc.
        let legacy = try DigestChallenge(parsing: "Digest realm=\"r\", nonce=\"n\"")
        let answer = legacy.answer(username: "u", password: "p", method: "REGISTER", uri: "sip:r", cnonce: "c", nonceCount: 1)
        #expect(answer.qop == nil && answer.cnonce == nil && answer.nonceCount == nil)
        #expect(answer.response == answer.expectedResponse(password: "p", method: "REGISTER"))
    }

    // MARK: Parsing

    @Test func headerFromARealPhone() throws {
        // A Yealink-style INVITE retry: no spaces after commas, qop and nc unquoted, opaque echoed.
        let value =
            "Digest username=\"2001\",realm=\"dialgate\",nonce=\"AAAAAGVTPEMAAAAAAAAAAQAAAAAAAAACEx6yUoUjdmkHs-S9nhgW8A\","
            + "uri=\"sip:+4930123456@gw.example.com;user=phone\",response=\"5f1c6b2a1e7d4c3b8a9f0e1d2c3b4a59\","
            + "algorithm=MD5,cnonce=\"0a4f113b\",opaque=\"5ccc069c403ebaf9f0171e9517f40e41\",qop=auth,nc=00000001"
        let credentials = try DigestCredentials(parsing: value)
        #expect(credentials.username == "2001")
        #expect(credentials.realm == "dialgate")
        #expect(credentials.uri == "sip:+4930123456@gw.example.com;user=phone")
        #expect(credentials.algorithm == .md5)
        #expect(credentials.qop == .auth)
        #expect(credentials.nonceCount == "00000001")
        #expect(credentials.cnonce == "0a4f113b")
        #expect(credentials.opaque == "5ccc069c403ebaf9f0171e9517f40e41")

        // An older phone: RFC 2069 form, no algorithm (MD5 by default), no qop.
        let legacy = try DigestCredentials(
            parsing: "Digest username=\"1001\", realm=\"dialgate\", nonce=\"n\", uri=\"sip:100@10.0.0.1\", "
                + "response=\"0123456789abcdef0123456789abcdef\"")
        #expect(legacy.algorithm == .md5)
        #expect(legacy.qop == nil && legacy.cnonce == nil && legacy.nonceCount == nil)
    }

    @Test func lenientWhereHarmless() throws {
        // Any case for the scheme, names and algorithm; LWS around '=' and ','; empty list
        // elements; quoted qop and algorithm; unknown parameters ignored; escapes resolved.
        let value =
            "  dIgEsT   USERNAME = \"al\\\"i\\\\ce\" ,, Realm=\"r\",nonce=\"n\" , uri=\"sip:x\",response=abc,"
            + "algorithm=\"sha-256\", qop=\"AUTH\", nc=0000000A, cnonce=c, x-vendor=\"a, b\", foo=bar ,"
        let credentials = try DigestCredentials(parsing: value)
        #expect(credentials.username == "al\"i\\ce")
        #expect(credentials.realm == "r")
        #expect(credentials.response == "abc")
        #expect(credentials.algorithm == .sha256)
        #expect(credentials.qop == .auth)
        #expect(credentials.nonceCount == "0000000A")
        #expect(try DigestCredentials(parsing: credentials.description) == credentials)
    }

    static let valid = "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\""

    static let hostileCases: [(String, DigestError)] = [
        ("", .malformed("empty header value")),
        ("   ", .malformed("empty header value")),
        ("Digest", .malformed("no parameters")),
        ("Digest,username=\"u\"", .malformed("expected a space after Digest")),
        ("=x", .malformed("no authentication scheme")),
        ("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", .notDigest(scheme: "Basic")),
        ("Digest username=\"u", .malformed("unterminated quoted string in parameter username")),
        ("Digest username=\"u\\", .malformed("unterminated quoted string in parameter username")),
        ("Digest username=\"u\\\"", .malformed("unterminated quoted string in parameter username")),
        ("Digest username=\"a\u{0}b\"", .malformed("control character in parameter username")),
        ("Digest username=\"a\r\nb\"", .malformed("control character in parameter username")),
        ("Digest username", .malformed("parameter username has no value")),
        ("Digest username=", .malformed("parameter username has an empty or invalid value")),
        ("Digest username=<x>", .malformed("parameter username has an empty or invalid value")),
        ("Digest username=\"u\" realm=\"r\"", .malformed("expected ',' after parameter username")),
        ("Digest =\"u\"", .malformed("expected a parameter name at octet 7")),
        (Self.valid + ", username=\"v\"", .duplicateParameter("username")),
        (Self.valid + ", NONCE=\"m\"", .duplicateParameter("nonce")),
        (Self.valid + ", foo=1, Foo=2", .duplicateParameter("foo")),
        ("Digest username=\"u\", realm=\"r\", uri=\"sip:x\", response=\"00\"", .missingParameter("nonce")),
        ("Digest ", .missingParameter("username")),
        (Self.valid + ", algorithm=SHA-256-sess", .unsupportedAlgorithm("SHA-256-sess")),
        (Self.valid + ", algorithm=MD5-sess", .unsupportedAlgorithm("MD5-sess")),
        (Self.valid + ", algorithm=SHA-512-256", .unsupportedAlgorithm("SHA-512-256")),
        (Self.valid + ", qop=auth-int", .unsupportedQop("auth-int")),
        (Self.valid + ", userhash=true", .unsupportedUserhash),
        (Self.valid + ", nc=1", .malformed("nc must be 8 hex digits")),
        (Self.valid + ", nc=0000000g", .malformed("nc must be 8 hex digits")),
    ]

    @Test(arguments: hostileCases)
    func hostileInput(value: String, error: DigestError) {
        #expect(throws: error) { try DigestCredentials(parsing: value) }
    }

    @Test func lengthLimits() {
        let huge = Self.valid + ", x=\"" + String(repeating: "a", count: 100 * 1024) + "\""
        #expect(throws: DigestError.headerTooLong(limit: 4096)) { try DigestCredentials(parsing: huge) }
        let long = Self.valid + ", cnonce=\"" + String(repeating: "a", count: 257) + "\""
        #expect(throws: DigestError.valueTooLong(parameter: "cnonce", limit: 256)) { try DigestCredentials(parsing: long) }
        let longToken = Self.valid + ", cnonce=" + String(repeating: "a", count: 257)
        #expect(throws: DigestError.valueTooLong(parameter: "cnonce", limit: 256)) {
            try DigestCredentials(parsing: longToken)
        }
        let atLimit = Self.valid + ", cnonce=\"" + String(repeating: "a", count: 256) + "\""
        #expect((try? DigestCredentials(parsing: atLimit))?.cnonce?.count == 256)
    }

    /// Mutations of a valid header: parsing only ever throws `DigestError` (typed throws) with a
    /// reason, never traps, and whatever parses survives its own rendering. Deterministic.
    @Test func mutatedHeadersNeverTrap() {
        let source = Array(Self.rfcAuthorization(algorithm: "SHA-256", response: "00").utf8)
        var random = SeededGenerator(seed: 7616)
        var parsed = 0
        for _ in 0..<5000 {
            let bytes = GarbageTests.mutate(source, using: &random)
            do throws(DigestError) {
                let credentials = try DigestCredentials(parsing: String(decoding: bytes, as: UTF8.self))
                parsed += 1
                #expect(try DigestCredentials(parsing: credentials.description) == credentials)
            } catch {
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(parsed > 0)
    }

    // MARK: Challenges

    @Test func challengesStrongestFirst() {
        let challenges = DigestChallenge.challenges(
            realm: "dialgate", nonce: "abc", opaque: "o", algorithms: [.md5, .sha256, .md5])
        #expect(
            challenges.map(\.description) == [
                "Digest realm=\"dialgate\", nonce=\"abc\", opaque=\"o\", algorithm=SHA-256, qop=\"auth\"",
                "Digest realm=\"dialgate\", nonce=\"abc\", opaque=\"o\", algorithm=MD5, qop=\"auth\"",
            ])
        let stale = DigestChallenge(realm: "a\"b\\c\r\nX-Injected: 1", nonce: "n", algorithm: .md5, stale: true)
        #expect(stale.description == "Digest realm=\"a\\\"b\\\\cX-Injected: 1\", nonce=\"n\", algorithm=MD5, qop=\"auth\", stale=true")
    }

    // MARK: Nonces

    static let secret = (0..<32).map { UInt8($0) }
    static let t0: Int64 = 1_700_000_000

    @Test func nonceLifetime() throws {
        let issuer = try #require(DigestNonceIssuer(secret: Self.secret))
        var random = SeededGenerator(seed: 1)
        let nonce = issuer.makeNonce(now: Self.t0, random: &random)
        #expect(nonce.utf8.count == 54)
        #expect(nonce.utf8.allSatisfy(SIPLexer.isTokenChar))
        #expect(issuer.validate(nonce, now: Self.t0) == .valid)
        #expect(issuer.validate(nonce, now: Self.t0 + 300) == .valid)
        #expect(issuer.validate(nonce, now: Self.t0 + 301) == .stale)
        #expect(issuer.validate(nonce, now: Self.t0 - 1) == .stale)
        #expect(issuer.validate(nonce, now: .min) == .stale)
        #expect(issuer.validate(nonce, now: .max) == .stale)
        #expect(issuer.makeNonce(now: Self.t0, random: &random) != nonce)
        let short = try #require(DigestNonceIssuer(secret: Self.secret, lifetime: 30))
        #expect(short.validate(nonce, now: Self.t0 + 31) == .stale)
    }

    @Test func tamperedNonces() throws {
        let issuer = try #require(DigestNonceIssuer(secret: Self.secret))
        var random = SeededGenerator(seed: 2)
        let nonce = issuer.makeNonce(now: Self.t0, random: &random)
        var bytes = Array(nonce.utf8)
        for index in bytes.indices {
            let original = bytes[index]
            bytes[index] = original == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(issuer.validate(String(decoding: bytes, as: UTF8.self), now: Self.t0) == .invalid, "octet \(index)")
            bytes[index] = original
        }
        var other = Self.secret
        other[0] ^= 1
        #expect(try #require(DigestNonceIssuer(secret: other)).validate(nonce, now: Self.t0) == .invalid)
        for garbage in [
            "", "x", Self.rfcNonce, nonce + "A", String(nonce.dropLast()), nonce + "==", String(repeating: "A", count: 100_000),
        ] {
            #expect(issuer.validate(garbage, now: Self.t0) == .invalid)
        }
    }

    @Test func issuerConfiguration() {
        #expect(DigestNonceIssuer(secret: Array(Self.secret.dropLast())) == nil)
        #expect(DigestNonceIssuer(secret: Self.secret + [0]) == nil)
        #expect(DigestNonceIssuer(secret: Self.secret, lifetime: 0) == nil)
        let issuer = DigestNonceIssuer(secret: Self.secret)
        #expect(issuer?.description.contains("redacted") == true)
        var dumped = ""
        dump(issuer, to: &dumped)
        #expect(!dumped.contains("31"))
    }

    @Test func base64URL() {
        var random = SeededGenerator(seed: 3)
        for count in 0..<50 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(DigestEncoding.fromBase64URL(DigestEncoding.base64URL(bytes)) == bytes)
        }
        #expect(DigestEncoding.base64URL(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw")
        #expect(DigestEncoding.fromBase64URL("YR") == nil)  // non-zero trailing bits
        #expect(DigestEncoding.fromBase64URL("Y") == nil)
        #expect(DigestEncoding.fromBase64URL("YQ==") == nil)
    }

    // MARK: Verification

    static let passwords = ["2001": "s3cret", "Mufasa": "Circle of Life"]
    static let requestURI = "sip:+4930123456@gw.example.com"

    static func verifier(algorithms: [DigestAlgorithm] = [.sha256, .md5], legacy: Bool = true) -> DigestVerifier {
        DigestVerifier(
            realm: "dialgate", nonces: DigestNonceIssuer(secret: secret)!, algorithms: algorithms,
            acceptsMD5WithoutQop: legacy)
    }

    /// What a UAC answers to `challenge` with `password`.
    static func answer(
        _ challenge: DigestChallenge, username: String = "2001", password: String = "s3cret", qop: DigestQop? = .auth,
        method: String = "INVITE", uri: String = requestURI
    ) -> DigestCredentials {
        var credentials = DigestCredentials(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: "",
            algorithm: challenge.algorithm, cnonce: qop == nil ? nil : "0a4f113b", qop: qop,
            nonceCount: qop == nil ? nil : "00000001", opaque: challenge.opaque)
        credentials.response = credentials.expectedResponse(password: password, method: method)
        return credentials
    }

    static func verify(
        _ credentials: DigestCredentials, at now: Int64 = t0, with verifier: DigestVerifier = DigestAuthenticationTests.verifier()
    )
        -> DigestVerdict
    {
        verifier.verify(
            authorization: credentials.description, method: "INVITE", requestURI: requestURI, now: now,
            password: { passwords[$0] })
    }

    @Test func acceptsBothAlgorithms() {
        var random = SeededGenerator(seed: 4)
        let challenges = Self.verifier().challenges(now: Self.t0, random: &random)
        #expect(challenges.map(\.algorithm) == [.sha256, .md5])
        for challenge in challenges {
            #expect(Self.verify(Self.answer(challenge), at: Self.t0 + 5) == .accepted(username: "2001"))
            // Upper-case hex in the response is accepted.
            var upper = Self.answer(challenge)
            upper.response = upper.response.uppercased()
            #expect(Self.verify(upper) == .accepted(username: "2001"))
        }
    }

    @Test func md5WithoutQop() {
        var random = SeededGenerator(seed: 5)
        let challenges = Self.verifier().challenges(now: Self.t0, random: &random)
        #expect(Self.verify(Self.answer(challenges[1], qop: nil)) == .accepted(username: "2001"))
        #expect(Self.verify(Self.answer(challenges[0], qop: nil)) == .rejected(.qopRequired(.sha256)))
        #expect(
            Self.verify(Self.answer(challenges[1], qop: nil), with: Self.verifier(legacy: false))
                == .rejected(.qopRequired(.md5)))
    }

    @Test func rejections() {
        var random = SeededGenerator(seed: 6)
        let challenge = Self.verifier().challenges(now: Self.t0, random: &random)[0]

        let wrongPassword = Self.verify(Self.answer(challenge, password: "guess"))
        #expect(wrongPassword == .rejected(.wrongResponse(username: "2001")))
        #expect(Self.verify(Self.answer(challenge, username: "mallory")) == .rejected(.unknownUser("mallory")))
        // A wrong password and an unknown user look the same on the wire.
        #expect(DigestError.wrongResponse(username: "2001").statusCode == 403)
        #expect(DigestError.unknownUser("mallory").statusCode == 403)

        var otherRealm = challenge
        otherRealm.realm = "elsewhere"
        #expect(
            Self.verify(Self.answer(otherRealm)) == .rejected(.realmMismatch(received: "elsewhere", expected: "dialgate")))

        #expect(
            Self.verify(Self.answer(challenge, uri: "sip:+4940999@gw.example.com"))
                == .rejected(.uriMismatch(received: "sip:+4940999@gw.example.com", expected: Self.requestURI)))

        // Credentials for another method (a REGISTER's replayed on an INVITE) do not match.
        #expect(Self.verify(Self.answer(challenge, method: "REGISTER")) == .rejected(.wrongResponse(username: "2001")))

        var forged = challenge
        forged.nonce = Self.rfcNonce
        #expect(Self.verify(Self.answer(forged)) == .rejected(.nonceInvalid))

        var noCnonce = Self.answer(challenge)
        noCnonce.cnonce = nil
        #expect(Self.verify(noCnonce) == .rejected(.missingParameter("cnonce")))
        var noCount = Self.answer(challenge)
        noCount.nonceCount = nil
        #expect(Self.verify(noCount) == .rejected(.missingParameter("nc")))

        let sha256Only = Self.verifier(algorithms: [.sha256])
        let md5 = DigestChallenge(realm: "dialgate", nonce: challenge.nonce, algorithm: .md5)
        #expect(Self.verify(Self.answer(md5), with: sha256Only) == .rejected(.unsupportedAlgorithm("MD5")))

        let unknownAlgorithm = Self.answer(challenge).description.replacing(
            "algorithm=SHA-256", with: "algorithm=SHA-512-256")
        #expect(
            Self.verifier().verify(
                authorization: unknownAlgorithm, method: "INVITE", now: Self.t0, password: { Self.passwords[$0] })
                == .rejected(.unsupportedAlgorithm("SHA-512-256")))
        #expect(
            Self.verifier().verify(authorization: "", method: "INVITE", now: Self.t0, password: { _ in nil })
                == .rejected(.malformed("empty header value")))
    }

    @Test func staleOnlyWithTheRightPassword() {
        var random = SeededGenerator(seed: 7)
        let verifier = Self.verifier()
        let challenge = verifier.challenges(now: Self.t0, random: &random)[0]
        let later = Self.t0 + 301
        #expect(Self.verify(Self.answer(challenge), at: later) == .stale)
        // RFC 7616 §3.3: stale=true only for a valid response; a guess on an old nonce is wrong.
        #expect(Self.verify(Self.answer(challenge, password: "guess"), at: later) == .rejected(.wrongResponse(username: "2001")))
        let fresh = verifier.challenges(now: later, stale: true, random: &random)
        #expect(fresh.allSatisfy { $0.stale && $0.description.hasSuffix(", stale=true") })
        #expect(Self.verify(Self.answer(fresh[0]), at: later) == .accepted(username: "2001"))
    }

    @Test func reasonsAreSafeToLog() {
        let error = DigestError.unknownUser("evil\r\nX-Log: forged" + String(repeating: "x", count: 200))
        #expect(!error.reason.contains("\r") && !error.reason.contains("\n"))
        #expect(error.reason.count < 100)
        #expect(error.description.hasPrefix("403 unknown user"))
    }
}
