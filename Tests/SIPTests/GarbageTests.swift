import TestSupport
import Testing

@testable import SIP

/// Mutated RFC 4475 messages: the parser, the validator, the typed views and the stream framer
/// must only ever throw `SIPParseError` (typed throws make anything else a compile error) and
/// never trap. Deterministic: a fixed seed.
@Suite("Garbage input")
struct GarbageTests {
    static let interesting: [UInt8] = Array(" \t\r\n:;,<>\"\\%@=?/[]*0123456789-".utf8) + [0x00, 0x7F, 0xFF, 0xC3]

    static func mutate(_ input: [UInt8], using random: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        let edits = Int.random(in: 1...8, using: &random)
        for _ in 0..<edits where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[index] = interesting.randomElement(using: &random) ?? 0
            case 2: bytes.remove(at: index)
            case 3: bytes.insert(interesting.randomElement(using: &random) ?? 0, at: index)
            case 4: bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...40, using: &random)))
            default:
                let end = min(bytes.count, index + Int.random(in: 1...20, using: &random))
                bytes.insert(contentsOf: bytes[index..<end], at: Int.random(in: 0...bytes.count, using: &random))
            }
        }
        return bytes
    }

    @Test func tenThousandMutations() throws {
        let corpus = try RFC4475.allNames.map(RFC4475.bytes)
        var random = SeededGenerator(seed: 4475)
        var parsed = 0
        var rejected = 0
        for _ in 0..<10_000 {
            let source = corpus.randomElement(using: &random) ?? []
            let bytes = Self.mutate(source, using: &random)
            do throws(SIPParseError) {
                let message = try SIPMessageParser.parseDatagram(bytes)
                parsed += 1
                exerciseViews(message.headers, body: message.body)
                try? message.validate()
                // What parsed must survive its own serialization.
                let again = try SIPMessageParser.parseDatagram(message.serialized)
                #expect(again.body == message.body)
            } catch {
                rejected += 1
                #expect(!error.reason.isEmpty)
                #expect([400, 413, 414, 505, 513].contains(error.statusCode))
            }
            var framer = SIPStreamFramer()
            framer.append(bytes)
            for _ in 0..<4 { _ = try? framer.nextMessage() }
        }
        // Both paths were exercised.
        #expect(parsed > 1000)
        #expect(rejected > 1000)
    }

    private func exerciseViews(_ headers: SIPHeaders, body: [UInt8]) {
        _ = try? headers.vias()
        _ = try? headers.from()
        _ = try? headers.to()
        _ = try? headers.contacts()
        _ = try? headers.cseq()
        _ = try? headers.maxForwards()
        _ = try? headers.expires()
        _ = try? headers.contentType()
        _ = try? headers.optionTags("Require")
        _ = try? headers.addresses("Route")
        if let type = try? headers.contentType(), let boundary = type.parameter("boundary") {
            _ = try? SIPMultipartBody(parsing: body, boundary: boundary)
        }
    }
}
