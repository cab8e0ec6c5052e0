extension DialplanParser {
    static let trunkKeywords = [
        "from", "auth", "srtp", "sdes-keys", "trust-pai", "codecs", "max-calls", "max-duration", "tls-client-cert", "tls-client-ca",
        "register",
    ]
    static let registerKeywords = ["registrar", "transport", "tls-ca", "user", "auth-user", "domain", "expires", "contact-user"]
    /// A registration shorter than this is a refresh storm; longer than a day is never refreshed in time
    /// for a restart of the provider's registrar.
    static let registrationExpiresRange: ClosedRange<Duration> = .seconds(10) ... .seconds(86400)
    static let authKeywords = ["realm", "algorithms", "user"]

    /// Calls longer than two days are not calls (and a limit beyond that is a typo).
    static let maxCallDurationRange: ClosedRange<Duration> = .seconds(60) ... .seconds(48 * 3600)

    mutating func trunk(_ name: String, _ location: SourceLocation, _ block: [SyntaxNode]) -> Trunk {
        var trunk = Trunk(name: name, location: location)
        var seen: [String: SourceLocation] = [:]
        // Only a trunk with no `from` or `auth` lines at all is said to accept no calls; a bad
        // address is reported where it is written.
        let hasSources = block.contains { ["from", "auth", "register"].contains($0.keyword) }
        // Mutual TLS is two lines: whether a client certificate is required, and who must have issued it.
        var clientCertificateRequired: SourceLocation?
        var authorityFile: (path: String, location: SourceLocation)?
        for node in block {
            // `from` may be repeated (one line per range); the other settings are said once.
            if node.keyword != "from", DialplanParser.trunkKeywords.contains(node.keyword) {
                if let first = seen[node.keyword] {
                    sink.error(node.location, "'\(node.keyword)' is already set for trunk '\(name)' at line \(first.line)")
                    continue
                }
                seen[node.keyword] = node.location
            }
            if node.keyword != "auth", node.keyword != "register", !noBlock(node) { continue }
            switch node.keyword {
            case "from":
                guard !node.arguments.isEmpty else {
                    sink.error(node.location, "'from' needs at least one address or range", hint: "from 192.0.2.0/24, 2001:db8::/32")
                    continue
                }
                for argument in node.arguments {
                    guard case .word(let text) = argument.value else {
                        sink.error(argument.location, "expected an address or range, found \(argument.shown)", hint: "from 192.0.2.0/24")
                        continue
                    }
                    do throws(NumberPattern.Problem) {
                        trunk.sources.append(try AddressRange.parse(text, at: argument.location))
                    } catch {
                        sink.error(argument.location.advanced(by: error.offset), error.message, hint: error.hint)
                    }
                }
            case "auth":
                guard let block = node.block else {
                    sink.error(node.location, "'auth' needs a block", hint: "auth { realm \"example\"  user \"pbx\" password \"secret\" }")
                    continue
                }
                if let first = node.arguments.first {
                    sink.error(first.location, "unexpected \(first.shown) after 'auth'", hint: "auth settings go inside its { } block")
                }
                trunk.authentication = authentication(node.location, block)
            case "register":
                guard let block = node.block else {
                    sink.error(
                        node.location, "'register' needs a block",
                        hint: "register { registrar \"sip.example.com\"  user \"4711\" password \"secret\" }")
                    continue
                }
                if let first = node.arguments.first {
                    sink.error(
                        first.location, "unexpected \(first.shown) after 'register'", hint: "register settings go inside its { } block")
                }
                trunk.registration = registration(node.location, block)
            case "srtp":
                guard exactly(1, node, usage: "srtp forbidden|optional|mandatory") else { continue }
                if let value = choice(node.arguments[0], what: "srtp", as: SRTPPolicy.self) { trunk.srtp = value }
            case "sdes-keys":
                guard exactly(1, node, usage: "sdes-keys tls-only|any-transport") else { continue }
                switch node.arguments[0].value {
                case .word("tls-only"): trunk.sdesOverInsecureTransports = false
                case .word("any-transport"): trunk.sdesOverInsecureTransports = true
                default:
                    sink.error(
                        node.arguments[0].location, "sdes-keys must be tls-only or any-transport, not \(node.arguments[0].shown)",
                        hint: "RFC 4568 §8: SDES keys are only safe over TLS; any-transport is for tests on loopback")
                }
            case "trust-pai":
                guard exactly(1, node, usage: "trust-pai yes|no") else { continue }
                if let value = boolean(node.arguments[0], what: "trust-pai") { trunk.trustAssertedIdentity = value }
            case "codecs":
                guard !node.arguments.isEmpty else {
                    sink.error(node.location, "'codecs' needs at least one codec", hint: "codecs opus, pcmu, pcma")
                    continue
                }
                var codecs: [Codec] = []
                for argument in node.arguments {
                    guard let codec = choice(argument, what: "codec", as: Codec.self) else { continue }
                    if codecs.contains(codec) {
                        sink.error(argument.location, "codec '\(codec.rawValue)' is listed twice")
                    } else {
                        codecs.append(codec)
                    }
                }
                if !codecs.isEmpty { trunk.codecs = codecs }
            case "max-calls":
                guard exactly(1, node, usage: "max-calls 100") else { continue }
                trunk.maxCalls = integer(node.arguments[0], what: "max-calls", range: 1...1_000_000)
            case "max-duration":
                guard exactly(1, node, usage: "max-duration 4h") else { continue }
                trunk.maxCallDuration = duration(node.arguments[0], what: "max-duration", range: DialplanParser.maxCallDurationRange)
            case "tls-client-cert":
                guard exactly(1, node, usage: "tls-client-cert required|none") else { continue }
                switch node.arguments[0].value {
                case .word("required"): clientCertificateRequired = node.location
                case .word("none"): clientCertificateRequired = nil
                default:
                    sink.error(
                        node.arguments[0].location, "tls-client-cert must be required or none, not \(node.arguments[0].shown)",
                        hint: "tls-client-cert required  (with tls-client-ca \"PATH\": calls must come over TLS with a certificate)")
                }
            case "tls-client-ca":
                let usage = "tls-client-ca \"/etc/dialgate/carrier-ca.pem\""
                guard exactly(1, node, usage: usage) else { continue }
                guard case .string(let path) = node.arguments[0].value, !path.isEmpty else {
                    sink.error(node.arguments[0].location, "tls-client-ca must be a quoted file name", hint: usage)
                    continue
                }
                authorityFile = (path, node.arguments[0].location)
            default:
                unknown(node, in: "in a trunk", known: DialplanParser.trunkKeywords)
            }
        }
        switch (clientCertificateRequired, authorityFile) {
        case (let required?, nil):
            sink.error(
                required, "tls-client-cert required needs tls-client-ca: the authority the certificates must verify against",
                hint: "tls-client-ca \"carrier-ca.pem\"  (PEM; relative to this file's folder)")
        case (nil, let file?):
            sink.error(
                file.location, "tls-client-ca is only used with tls-client-cert required", hint: "add: tls-client-cert required")
        case (_?, let file?):
            trunk.clientCertificate = CertificateAuthorities(authorityFile: file.path, location: file.location)
        case (nil, nil):
            break
        }
        if !hasSources {
            sink.error(
                location, "trunk '\(name)' accepts no calls: it has neither 'from' addresses, 'auth', nor 'register'",
                hint: "add 'from ADDRESS/PREFIX' lines, an auth { ... } block for phones that call from anywhere, or register { ... }")
        }
        return trunk
    }

    mutating func authentication(_ location: SourceLocation, _ block: [SyntaxNode]) -> DigestAuthentication {
        var auth = DigestAuthentication(location: location)
        for node in block {
            guard noBlock(node) else { continue }
            switch node.keyword {
            case "realm":
                guard exactly(1, node, usage: "realm \"pbx.example.com\"") else { continue }
                guard case .string(let realm) = node.arguments[0].value, !realm.isEmpty else {
                    sink.error(node.arguments[0].location, "realm must be a quoted string", hint: "realm \"pbx.example.com\"")
                    continue
                }
                auth.realm = realm
            case "algorithms":
                guard !node.arguments.isEmpty else {
                    sink.error(node.location, "'algorithms' needs at least one of sha-256, md5")
                    continue
                }
                var list: [DigestAuthentication.Algorithm] = []
                for argument in node.arguments {
                    if let algorithm = choice(argument, what: "digest algorithm", as: DigestAuthentication.Algorithm.self),
                        !list.contains(algorithm)
                    {
                        list.append(algorithm)
                    }
                }
                if !list.isEmpty { auth.algorithms = list }
            case "user":
                let usage = "user \"NAME\" password \"SECRET\""
                guard node.arguments.count == 3, case .word("password") = node.arguments[1].value else {
                    sink.error(node.location, "'user' needs a name and a password", hint: usage)
                    continue
                }
                guard let user = text(node.arguments[0]), !user.isEmpty else {
                    sink.error(node.arguments[0].location, "user name must be a quoted string or a word", hint: usage)
                    continue
                }
                guard case .string(let password) = node.arguments[2].value, !password.isEmpty else {
                    sink.error(node.arguments[2].location, "password must be a non-empty quoted string", hint: usage)
                    continue
                }
                if auth.credentials.contains(where: { $0.user == user }) {
                    sink.error(node.arguments[0].location, "user '\(user)' is listed twice")
                    continue
                }
                auth.credentials.append(.init(user: user, password: password, location: node.location))
            default:
                unknown(node, in: "in an auth block", known: DialplanParser.authKeywords)
            }
        }
        if auth.credentials.isEmpty {
            sink.error(location, "auth block has no 'user' lines", hint: "user \"NAME\" password \"SECRET\"")
        }
        return auth
    }

    /// `register { ... }`: one registration of the trunk with its provider.
    mutating func registration(_ location: SourceLocation, _ block: [SyntaxNode]) -> TrunkRegistration? {
        var registrar: (host: String, port: Int?)?
        var transport: SIPTransportChoice = .udp
        var authority: (path: String, location: SourceLocation)?
        var account: (user: String, password: String)?
        var settings: [String: SyntaxArgument] = [:]
        var seen: [String: SourceLocation] = [:]
        for node in block {
            guard noBlock(node) else { continue }
            if DialplanParser.registerKeywords.contains(node.keyword) {
                if let first = seen[node.keyword] {
                    sink.error(node.location, "'\(node.keyword)' is already set for this registration at line \(first.line)")
                    continue
                }
                seen[node.keyword] = node.location
            }
            switch node.keyword {
            case "registrar":
                let usage = "registrar \"sip.example.com:5060\"  (an address or host name; port 5060 when not given)"
                guard exactly(1, node, usage: usage) else { continue }
                guard let text = text(node.arguments[0]) else {
                    sink.error(node.arguments[0].location, "registrar must be a host name or address", hint: usage)
                    continue
                }
                guard let parsed = DialplanParser.hostPort(text) else {
                    sink.error(
                        node.arguments[0].location, "'\(text)' is not HOST or HOST:PORT (IPv6 in brackets: [2001:db8::1]:5060)", hint: usage
                    )
                    continue
                }
                registrar = parsed
            case "transport":
                guard exactly(1, node, usage: "transport udp|tcp|tls") else { continue }
                if let value = choice(node.arguments[0], what: "transport", as: SIPTransportChoice.self) { transport = value }
            case "tls-ca":
                let usage = "tls-ca \"provider-ca.pem\""
                guard exactly(1, node, usage: usage) else { continue }
                guard case .string(let path) = node.arguments[0].value, !path.isEmpty else {
                    sink.error(node.arguments[0].location, "tls-ca must be a quoted file name", hint: usage)
                    continue
                }
                authority = (path, node.arguments[0].location)
            case "user":
                let usage = "user \"4711\" password \"SECRET\""
                guard node.arguments.count == 3, case .word("password") = node.arguments[1].value else {
                    sink.error(node.location, "'user' needs the account's user and password", hint: usage)
                    continue
                }
                guard let user = text(node.arguments[0]), !user.isEmpty, DialplanParser.isURIUser(user) else {
                    sink.error(
                        node.arguments[0].location, "user must be a SIP user part (letters, digits, - _ . ! ~ * ' ( ) + )", hint: usage)
                    continue
                }
                guard case .string(let password) = node.arguments[2].value, !password.isEmpty else {
                    sink.error(node.arguments[2].location, "password must be a non-empty quoted string", hint: usage)
                    continue
                }
                account = (user, password)
            case "auth-user", "domain", "contact-user", "expires":
                guard exactly(1, node, usage: "\(node.keyword) VALUE") else { continue }
                settings[node.keyword] = node.arguments[0]
            default:
                unknown(node, in: "in a register block", known: DialplanParser.registerKeywords)
            }
        }
        // Every line is checked before a missing one is reported; a line written but wrong is not
        // reported again as missing.
        var expires: Duration?
        if let argument = settings["expires"] {
            expires = duration(argument, what: "expires", range: DialplanParser.registrationExpiresRange)
        }
        var texts: [String: String] = [:]
        for keyword in ["auth-user", "domain", "contact-user"] {
            guard let argument = settings[keyword] else { continue }
            guard let value = text(argument), !value.isEmpty else {
                sink.error(argument.location, "\(keyword) must be a word or a quoted string, not \(argument.shown)")
                continue
            }
            switch keyword {
            case "contact-user" where !DialplanParser.isURIUser(value):
                sink.error(argument.location, "contact-user must be a SIP user part (letters, digits, - _ . ! ~ * ' ( ) + )")
            case "domain":
                // A host alone: what `hostPort` reads back as the whole text (or the bracketed IPv6).
                if let host = DialplanParser.hostPort(value)?.host, host == value || "[\(host)]" == value {
                    texts[keyword] = host
                } else {
                    sink.error(argument.location, "domain must be a host name, without a port", hint: "domain \"example.com\"")
                }
            default:
                texts[keyword] = value
            }
        }
        if registrar == nil, seen["registrar"] == nil {
            sink.error(location, "register block has no 'registrar'", hint: "registrar \"sip.example.com\"")
        }
        if account == nil, seen["user"] == nil {
            sink.error(location, "register block has no 'user'", hint: "user \"4711\" password \"SECRET\"")
        }
        if let authority, transport != .tls {
            sink.error(authority.location, "tls-ca is only used with transport tls", hint: "add: transport tls")
        }
        guard let registrar, let account else { return nil }
        var registration = TrunkRegistration(
            location: location, registrarHost: registrar.host, user: account.user, password: account.password)
        registration.transport = transport
        // RFC 3261 §19.1.2: 5061 for TLS, 5060 otherwise.
        registration.registrarPort = registrar.port ?? (transport == .tls ? 5061 : 5060)
        if let authority, transport == .tls {
            registration.registrarAuthority = CertificateAuthorities(authorityFile: authority.path, location: authority.location)
        }
        if let expires { registration.expires = expires }
        registration.authUser = texts["auth-user"]
        registration.domain = texts["domain"]
        registration.contactUser = texts["contact-user"]
        return registration
    }

    /// `HOST`, `HOST:PORT`, `[IPv6]`, `[IPv6]:PORT`; the port is nil when not given (the caller
    /// picks the transport's default, RFC 3261 §19.1.2).
    static func hostPort(_ text: String) -> (host: String, port: Int?)? {
        var host = Substring(text)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
            guard host.contains(":") else { return nil }
        } else if let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        let hostCharacters = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-.:".contains($0)) }
        guard !host.isEmpty, hostCharacters else { return nil }
        guard let portText else { return (String(host), nil) }
        guard portText.count <= 5, portText.allSatisfy(\.isNumber), let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    /// RFC 3261 §25.1 `user` without escapes: unreserved and user-unreserved characters.
    static func isURIUser(_ text: String) -> Bool {
        text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.!~*'()+&=$,;?/".contains($0)) }
    }

    /// A bare word or a quoted string, as text.
    func text(_ argument: SyntaxArgument) -> String? {
        switch argument.value {
        case .word(let w): w
        case .string(let s): s
        default: nil
        }
    }
}
