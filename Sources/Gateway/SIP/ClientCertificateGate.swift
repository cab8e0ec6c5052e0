import Calls
import Dialplan
import SIP

/// Mutual TLS per trunk (`tls-client-cert required`, RFC 5630 §3.2): which certificate authorities
/// a connection from a source must be asked about, and whether a new call may go on to the user
/// agent. A decider: it returns a verdict with its reason, `SignallingLoop` carries it out.
///
/// The trunk is the one the user agent chooses (`UserAgent.trunk(forSource:invite:in:)`).
enum ClientCertificateGate {
    enum Verdict: Equatable {
        case admit
        /// Answer 403 with this reason (also the security log line).
        case refuse(trunk: String, reason: String)
    }

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

    /// Whether a new call (an INVITE outside a dialog) may reach the user agent. `certificate` is the
    /// client certificate the TLS handshake verified on the request's connection, if any.
    static func judge(_ invite: SIPRequest, from peer: SIPPeer, certificate: String?, in document: DialplanDocument) -> Verdict {
        guard let trunk = trunk(for: invite, from: peer, in: document), trunk.clientCertificate != nil else { return .admit }
        guard peer.transport == .tls else {
            return .refuse(
                trunk: trunk.name, reason: "trunk \(trunk.name) requires TLS with a client certificate, not \(peer.transport.rawValue)")
        }
        guard certificate != nil else {
            return .refuse(trunk: trunk.name, reason: "trunk \(trunk.name) requires a client certificate and the TLS client sent none")
        }
        return .admit
    }

    static func trunk(for invite: SIPRequest, from peer: SIPPeer, in document: DialplanDocument) -> Trunk? {
        UserAgent.trunk(forSource: AddressRange.addressBytes(peer.host), invite: invite, in: document)
    }
}
