import Foundation
import SDP

/// The RFC bodies under `Vectors/bodies/` (copied as a whole folder by `.copy("Vectors")`).
enum Vectors {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func bodiesDirectory() throws -> URL {
        guard let root = Bundle.module.url(forResource: "Vectors", withExtension: nil) else {
            throw Missing(description: "Vectors folder not in the test bundle")
        }
        return root.appendingPathComponent("bodies")
    }

    /// Every `*.sdp` file name, sorted.
    static func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: bodiesDirectory().path)
            .filter { $0.hasSuffix(".sdp") }
            .sorted()
    }

    /// The file's bytes as stored (CRLF line ends).
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: bodiesDirectory().appendingPathComponent(name)))
    }

    /// A complete body: fragments (`*.fragment.sdp`, only m=/a= lines) get a session header.
    static func completeBody(_ name: String) throws -> [UInt8] {
        let body = try bytes(name)
        guard name.hasSuffix(".fragment.sdp") else { return body }
        return Array(fragmentHeader.utf8) + body
    }

    static let fragmentHeader = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"

    static func parse(_ name: String) throws -> SessionDescription {
        try SessionDescription(parsing: completeBody(name))
    }
}

extension SDPAnswerPolicy {
    /// The policy most tests use: PCMU, PCMA, Opus; advertise 203.0.113.10:40000.
    static func test(
        codecs: [SDPCodec] = [.pcmu, .pcma, .opus],
        address: String = "203.0.113.10",
        srtp: SRTPAnswerMode = .unavailable
    ) -> SDPAnswerPolicy {
        SDPAnswerPolicy(
            codecs: codecs, connectionAddress: address, rtpPort: 40000,
            sessionID: 7000, sessionVersion: 1, srtp: srtp)
    }
}

extension SDPAnswerResult {
    var answer: (SessionDescription, NegotiatedMedia)? {
        if case .answer(let description, let media) = self { (description, media) } else { nil }
    }

    var rejectReason: String? {
        if case .reject(let reason) = self { reason } else { nil }
    }
}
