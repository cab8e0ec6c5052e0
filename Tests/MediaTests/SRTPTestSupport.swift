import Foundation
import Media
import Testing

/// `Vectors/SRTP/srtp_vectors.json` (see its README.md and SOURCE.md).
enum SRTPVectors {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func load() throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: "srtp_vectors", withExtension: "json", subdirectory: "Vectors/SRTP") else {
            throw Missing(description: "Vectors/SRTP/srtp_vectors.json not in the test bundle")
        }
        guard let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw Missing(description: "srtp_vectors.json is not a JSON object")
        }
        return root
    }

    /// One member (`libsrtp_srtp_validate`, ...) of the file.
    static func vector(_ name: String) throws -> [String: Any] {
        guard let member = try load()[name] as? [String: Any] else { throw Missing(description: "no member \(name)") }
        return member
    }

    /// A hex field of a member, as bytes.
    static func bytes(_ member: [String: Any], _ field: String) throws -> [UInt8] {
        guard let text = member[field] as? String, let bytes = hex(text) else {
            throw Missing(description: "no hex field \(field)")
        }
        return bytes
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// RTP and RTCP packets for the round-trip tests.
enum SRTPTestPackets {
    /// A version-2 RTP packet (RFC 3550 §5.1), payload type 0, with a recognisable payload.
    static func rtp(sequence: UInt16, timestamp: UInt32 = 0, ssrc: UInt32 = 0x1234_5678, payloadLength: Int = 160) -> [UInt8] {
        var packet: [UInt8] = [0x80, 0x00, UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence)]
        packet += withUnsafeBytes(of: timestamp.bigEndian, Array.init)
        packet += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
        packet += (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &+ Int(sequence)) }
        return packet
    }

    /// A receiver report with no report blocks (RFC 3550 §6.4.2), 8 octets, plus an SDES-ish tail.
    static func rtcp(ssrc: UInt32 = 0x1234_5678) -> [UInt8] {
        var packet: [UInt8] = [0x80, 201, 0x00, 0x01]
        packet += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
        // An empty SDES packet so the compound packet has some body to encrypt.
        packet += [0x81, 202, 0x00, 0x02]
        packet += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
        packet += [0x00, 0x00, 0x00, 0x00]
        return packet
    }
}

extension SRTPCryptoSuite {
    /// The suites this libsrtp2 build runs, for parameterised tests.
    static var availableForTests: [SRTPCryptoSuite] { allCases.filter(\.isAvailable) }
}
