import Foundation
import Testing

@testable import SIP

/// The RFC 4475 torture messages, read as bytes from the test bundle
/// (`resources: [.copy("Vectors")]` keeps the folder: `Vectors/RFC4475/<name>.dat`).
enum RFC4475 {
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(
            Bundle.module.url(forResource: name, withExtension: "dat", subdirectory: "Vectors/RFC4475"),
            "missing vector \(name).dat")
        return Array(try Data(contentsOf: url))
    }

    static func message(_ name: String) throws -> SIPMessage {
        try SIPMessageParser.parseDatagram(bytes(name))
    }

    static func request(_ name: String) throws -> SIPRequest {
        guard case .request(let request) = try message(name) else {
            Issue.record("\(name) is not a request")
            throw CancellationError()
        }
        return request
    }

    /// Every .dat in the archive (50 files).
    static let allNames = [
        "badaspec", "badbranch", "baddate", "baddn", "badinv01", "badvers", "bcast", "bext01", "bigcode", "clerr",
        "cparam01", "cparam02", "dblreq", "esc01", "esc02", "escnull", "escruri", "insuf", "intmeth", "inv2543",
        "invut", "longreq", "ltgtruri", "lwsdisp", "lwsruri", "lwsstart", "mcl01", "mismatch01", "mismatch02",
        "mpart01", "multi01", "ncl", "noreason", "novelsc", "quotbal", "regaut01", "regbadct", "regescrt",
        "scalar02", "scalarlg", "sdp01", "semiuri", "test", "transports", "trws", "unkscm", "unksm2", "unreason",
        "wsinv", "zeromf",
    ]

    /// Messages that must parse and validate (RFC 4475 §3.1.1, and §3.2/§3.3/§3.4 messages whose
    /// rejection belongs to the application, not the parser).
    static let validNames = [
        "wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri", "transports",
        "mpart01", "unreason", "noreason", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut",
        "regaut01", "bcast", "zeromf", "cparam01", "cparam02", "regescrt", "sdp01", "inv2543", "baddate",
    ]
}

extension Array where Element == UInt8 {
    init(text: String) { self = Array(text.utf8) }
}

/// Builds CRLF-terminated message text from lines.
func crlf(_ lines: String...) -> [UInt8] {
    Array(lines.joined(separator: "\r\n").utf8)
}
