import Calls
import Dialplan
import SIP

/// Mutual TLS per trunk (`tls-client-cert required`, RFC 5630 §3.2), the part the TLS handshake
/// needs: which certificate authorities a connection from a source is asked about, before any
/// SIP arrives. Whether a call may go on is the user agent's decision
/// (`UserAgent.clientCertificateRefusal`), made with the connections the handshake verified.
enum ClientCertificateGate {
    /// The trunks that could take a call from `source`.
    static func candidateTrunks(from source: [UInt8]?, in document: DialplanDocument) -> [Trunk] {
        if let source, let trunk = document.trunk(forSource: source) { return [trunk] }
        return document.phoneTrunks
    }

    /// The authority files a TLS connection from `source` is checked against; empty when none of
    /// its trunks requires a client certificate (the server then asks for none).
    static func authorities(for source: [UInt8]?, in document: DialplanDocument) -> [String] {
        candidateTrunks(from: source, in: document).compactMap { $0.clientCertificate?.resolvedAuthorityFile }
    }
}
