import Logging
import NIOConcurrencyHelpers
import NIOSSL
import ServiceLifecycle
import UnixSignals

/// The TLS side of the SIP listener (RFC 3261 §26.2, RFC 5630): the gateway's certificate and key
/// (`--tls-cert`, `--tls-key`), re-read on SIGHUP, and one server context per set of client
/// certificate authorities.
///
/// A connection's context is picked when it opens, from the trunks that could take calls from its
/// source address (`SignallingLoop.clientAuthorities(for:)`): where one of them says
/// `tls-client-cert required`, the server asks for a certificate and checks any it is given
/// against that trunk's `tls-client-ca`; everyone else is never asked, so other trunks and phones
/// are unaffected. A client that sends no certificate still completes the handshake and its INVITE
/// gets a 403 that says why (`UserAgent.clientCertificateRefusal`); one whose certificate does not
/// verify fails the handshake.
///
/// As a TLS client (registration with a provider over TLS) the gateway presents the same identity.
final class SIPTLSContexts: Sendable {
    /// The PEM files of the gateway's identity.
    struct Files: Sendable, Equatable {
        var certificateChain: String
        var privateKey: String
    }

    private struct Identity {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    private struct State {
        var identity: Identity
        /// Built on first use, keyed by the authority files (sorted); emptied when files are re-read.
        var contexts: [[String]: NIOSSLContext] = [:]
    }

    let files: Files
    private let state: NIOLockedValueBox<State>

    /// Reads the certificate chain and key; a file that cannot be read stops the start.
    init(files: Files) throws(SIPTLSError) {
        self.files = files
        let identity = try Self.read(files)
        state = NIOLockedValueBox(State(identity: identity))
        // Fail at start, not on the first connection, when the pair does not make a context.
        _ = try context(clientAuthorities: [])
    }

    /// Re-reads the certificate, the key and (lazily) every authority file: connections opened
    /// from now on use them; open connections keep theirs. On failure the old certificate stays.
    func reload() throws(SIPTLSError) {
        let identity = try Self.read(files)
        // Check the new pair makes a context before putting it in force.
        _ = try Self.makeContext(identity, authorities: [])
        state.withLockedValue { $0 = State(identity: identity) }
    }

    /// The server context for a connection whose trunks require certificates from `clientAuthorities`
    /// (PEM files; empty: no client certificate is asked for).
    func context(clientAuthorities: [String]) throws(SIPTLSError) -> NIOSSLContext {
        let key = Array(Set(clientAuthorities)).sorted()
        let (cached, identity) = state.withLockedValue { ($0.contexts[key], $0.identity) }
        if let cached { return cached }
        let context = try Self.makeContext(identity, authorities: key)
        state.withLockedValue { $0.contexts[key] = context }
        return context
    }

    /// The certificate's subject as NIOSSL describes it (serial number, common name), for logs.
    var certificateDescription: String {
        state.withLockedValue { $0.identity.chain.first.map { "\($0)" } ?? "-" }
    }

    private static func read(_ files: Files) throws(SIPTLSError) -> Identity {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw .unreadable(files.certificateChain, what: "certificate", "\(error)")
        }
        guard !chain.isEmpty else { throw .unreadable(files.certificateChain, what: "certificate", "no certificate in the file") }
        do {
            return Identity(chain: chain, key: try NIOSSLPrivateKey(file: files.privateKey, format: .pem))
        } catch {
            throw .unreadable(files.privateKey, what: "private key", "\(error)")
        }
    }

    /// A client context for a connection the gateway opens (registration over TLS), presenting the
    /// gateway's certificate: the registrar's certificate must verify against `authorityFile`'s
    /// authorities, or the system's trust store when nil.
    func clientContext(authorityFile: String?) throws(SIPTLSError) -> NIOSSLContext {
        try Self.makeClientContext(identity: state.withLockedValue { $0.identity }, authorityFile: authorityFile)
    }

    /// The same without an identity of our own (no `--tls-cert`).
    static func clientContext(authorityFile: String?) throws(SIPTLSError) -> NIOSSLContext {
        try makeClientContext(identity: nil, authorityFile: authorityFile)
    }

    private static func makeClientContext(identity: Identity?, authorityFile: String?) throws(SIPTLSError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let identity {
            configuration.certificateChain = identity.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(identity.key)
        }
        if let authorityFile {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(authorityFile))
            } catch {
                throw .unreadable(authorityFile, what: "registrar certificate authority (tls-ca)", "\(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .noContext("\(error)")
        }
    }

    private static func makeContext(_ identity: Identity, authorities: [String]) throws(SIPTLSError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        // RFC 5630 §3.1 asks for TLS; versions before 1.2 are deprecated (RFC 8996).
        configuration.minimumTLSVersion = .tlsv12
        if !authorities.isEmpty {
            var roots: [NIOSSLCertificate] = []
            for file in authorities {
                do {
                    roots += try NIOSSLCertificate.fromPEMFile(file)
                } catch {
                    throw .unreadable(file, what: "client certificate authority (tls-client-ca)", "\(error)")
                }
            }
            // Ask for a certificate, do not require one: without it the handshake completes and the
            // INVITE is refused with a 403 that says why. A certificate that is sent must verify.
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(roots)
            configuration.sendCANameList = true
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .noContext("\(error)")
        }
    }
}

/// Why SIP over TLS cannot serve, in words that say which file to fix.
enum SIPTLSError: Error, CustomStringConvertible {
    case unreadable(String, what: String, String)
    case noContext(String)

    var description: String {
        switch self {
        case .unreadable(let path, let what, let why): "cannot read the TLS \(what) \(path): \(why)"
        case .noContext(let why): "the TLS certificate and key do not make a server context: \(why)"
        }
    }
}

/// Re-reads the SIP TLS certificate and key on SIGHUP, beside the dialplan reload (DESIGN.md §3).
struct SIPTLSReloadOnHangup: Service {
    let contexts: SIPTLSContexts
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: [.sighup])
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try contexts.reload()
                logger.info(
                    "SIP TLS certificate reloaded: new connections use it",
                    metadata: ["certificate": "\(contexts.files.certificateChain)", "subject": "\(contexts.certificateDescription)"])
            } catch {
                logger.error("SIP TLS certificate reload failed: the previous certificate stays", metadata: ["error": "\(error)"])
            }
        }
    }
}
