import Foundation

/// A throwaway public key infrastructure made with `openssl` in a temporary folder: a CA, and
/// certificates it (or a second, untrusted CA) signs, for SIP over TLS tests on loopback.
struct TestPKI {
    let folder: URL

    /// A certificate and its key, as PEM files; `combined` holds both (what baresip's `sip_certificate` wants).
    struct Pair {
        var certificate: URL
        var key: URL
        var combined: URL
    }

    /// Makes the folder and a CA named `caName`.
    static func make(caName: String = "dialgate test CA") async throws -> TestPKI {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pki = TestPKI(folder: folder)
        try await pki.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=\(caName)",
            "-keyout", pki.url("ca.key").path, "-out", pki.url("ca.pem").path,
        ])
        return pki
    }

    var authority: URL { url("ca.pem") }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// A certificate for `commonName`, signed by this CA (or self-signed when `selfSigned`), for
    /// 127.0.0.1 (server) or as a TLS client (`client`).
    func issue(_ name: String, commonName: String, client: Bool = false, selfSigned: Bool = false) async throws -> Pair {
        let key = url("\(name).key"), certificate = url("\(name).pem"), request = url("\(name).csr"), extensions = url("\(name).ext")
        let usage = client ? "extendedKeyUsage=clientAuth" : "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1"
        try "basicConstraints=CA:FALSE\n\(usage)\n".write(to: extensions, atomically: true, encoding: .utf8)
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=\(commonName)", "-keyout", key.path,
            "-out", request.path,
        ])
        if selfSigned {
            try await openssl([
                "x509", "-req", "-in", request.path, "-signkey", key.path, "-days", "2", "-extfile", extensions.path, "-out",
                certificate.path,
            ])
        } else {
            try await openssl([
                "x509", "-req", "-in", request.path, "-CA", authority.path, "-CAkey", url("ca.key").path, "-CAcreateserial", "-days", "2",
                "-extfile", extensions.path, "-out", certificate.path,
            ])
        }
        let combined = url("\(name)-combined.pem")
        try (try Data(contentsOf: certificate) + Data(contentsOf: key)).write(to: combined)
        return Pair(certificate: certificate, key: key, combined: combined)
    }

    func openssl(_ arguments: [String]) async throws {
        let result = try await ExternalProcess.run("openssl", arguments, timeout: .seconds(20))
        guard result.status == 0 else { throw HarnessError("openssl \(arguments.joined(separator: " ")) failed: \(result.standardError)") }
    }

    func cleanUp() { try? FileManager.default.removeItem(at: folder) }
}

/// `openssl s_client` as a bare SIP-over-TLS client: it sends hand-made messages on one TLS
/// connection, optionally from another loopback address (`-bind`) and with a client certificate,
/// and returns what came back (and the handshake's report, with the server's certificates).
enum TLSClient {
    struct Exchange {
        /// What the server sent (decrypted), SIP messages as text.
        var received: String
        /// s_client's own report: the handshake, the certificate chain (`-showcerts`), errors.
        var report: String
    }

    /// Connects to `127.0.0.1:port`, sends `messages` (CRLF line ends are added), waits `listen`,
    /// then closes.
    static func exchange(
        port: Int, from source: String = "127.0.0.1", certificate: TestPKI.Pair? = nil, authority: URL? = nil, messages: [String],
        listen: Duration = .seconds(2)
    ) async throws -> Exchange {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dialgate-tlsclient-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("input")
        try Data(messages.joined().utf8).write(to: input)
        var command = [
            "openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-bind", "\(source):0", "-showcerts", "-nocommands", "-no_ign_eof",
        ]
        if let certificate { command += ["-cert", certificate.certificate.path, "-key", certificate.key.path] }
        if let authority { command += ["-CAfile", authority.path] }
        // stdin stays open for `listen` after the messages so the answers can arrive; then EOF closes.
        let seconds = String(format: "%.1f", Double(listen.components.seconds) + Double(listen.components.attoseconds) / 1e18)
        let script = "(cat '\(input.path)'; sleep \(seconds)) | \(command.joined(separator: " "))"
        let result = try await ExternalProcess.run("sh", ["-c", script], timeout: listen + .seconds(20))
        return Exchange(received: result.standardOutput, report: result.standardError + result.standardOutput)
    }

    /// An INVITE with a plain RTP PCMU offer from `source`, to `number` at the gateway, over TLS.
    static func invite(number: String, port: Int, from source: String, callID: String = UUID().uuidString) -> String {
        let sdp = [
            "v=0", "o=tester 1 1 IN IP4 \(source)", "s=-", "c=IN IP4 \(source)", "t=0 0", "m=audio 40000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000",
            "",
        ].joined(separator: "\r\n")
        let headers = [
            "INVITE sip:\(number)@127.0.0.1:\(port);transport=tls SIP/2.0",
            "Via: SIP/2.0/TLS \(source):5061;branch=z9hG4bK\(UUID().uuidString.prefix(8));rport",
            "Max-Forwards: 70", "From: <sip:tester@\(source)>;tag=\(UUID().uuidString.prefix(8))", "To: <sip:\(number)@127.0.0.1>",
            "Call-ID: \(callID)", "CSeq: 1 INVITE", "Contact: <sip:tester@\(source):5061;transport=tls>", "Content-Type: application/sdp",
            "Content-Length: \(sdp.utf8.count)", "",
        ]
        return headers.joined(separator: "\r\n") + "\r\n" + sdp
    }
}
