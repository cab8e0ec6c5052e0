import TestSupport
import Testing

@testable import Meetings

/// Fuzz-style: thousands of random and mutated messages (from a fixed seed, so a failure
/// reproduces). Each must decode to a message or be refused with a typed error; none may trap.
/// A message that decodes must survive encode → decode unchanged, and a hub fed the decoded
/// commands must stay consistent.
@Suite struct ParticipantProtocolFuzzTests {

    /// JSON and protocol tokens the mutations splice in (a fuzzing dictionary).
    static let tokens: [String] = [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u0000", "\\ud800", "\\\"", "null", "true", "false", "0", "-1", "1e999",
        "4294967296", "18446744073709551616", "1.5", "\"type\"", "\"hello\"", "\"mute\"", "\"remove\"", "\"lock\"", "\"end\"",
        "\"leave\"", "\"welcome\"", "\"roster\"", "\"epoch\"", "\"locked\"", "\"ended\"", "\"error\"", "\"version\"", "\"meeting\"",
        "\"passcode\"", "\"participant\"", "\"muted\"", "\"identity\"", "\"signingKey\"", "\"role\"", "\"host\"", "\"guest\"",
        "\"123456789\"", "\"4321\"", "\"AAAA\"", "\"====\"", "\u{202E}", "\u{0}", "\u{FEFF}", "👩‍💻", "é", " ", "\n",
    ]

    static var seeds: [String] {
        (ParticipantProtocolTests.clientMessages + ParticipantProtocolTests.gatewayMessages).map(ParticipantProtocol.encode)
            + [ParticipantProtocolHostileInputTests.hello()]
    }

    static func mutate(_ text: String, _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:  // flip a bit
                if !bytes.isEmpty { bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng) }
            case 1:  // insert a token
                bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: position)
            case 2:  // delete a run
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &rng))
                bytes.removeSubrange(position..<end)
            case 3:  // duplicate a run
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4:  // random byte
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
            default:  // splice another message in
                let other = Array(seeds.randomElement(using: &rng)!.utf8)
                let cut = Int.random(in: 0...other.count, using: &rng)
                bytes = Array(bytes[..<position]) + other[cut...]
            }
        }
        return bytes
    }

    static func randomTokens(_ rng: inout SeededGenerator) -> [UInt8] {
        var text = "{"
        for _ in 0..<Int.random(in: 0...30, using: &rng) { text += tokens.randomElement(using: &rng)! }
        return Array(text.utf8)
    }

    /// Decodes from both sides; checks the outcome's invariants; returns what decoded from a client.
    static func check(_ bytes: [UInt8]) -> (ParticipantMessage?, decoded: Bool) {
        var clientMessage: ParticipantMessage?
        var decodedAny = false
        for direction in [ParticipantProtocol.Direction.fromClient, .fromGateway] {
            do {
                let message = try ParticipantProtocol.decode(bytes, from: direction)
                decodedAny = true
                #expect(message.kind.direction == direction)
                let again = try? ParticipantProtocol.decode(ParticipantProtocol.encode(message), from: direction)
                #expect(again == message, "re-encoding changed \(message)")
                if direction == .fromClient { clientMessage = message }
            } catch {
                #expect(!error.reason.isEmpty && error.reason.utf8.count <= WebSocketCloseCode.maxReasonBytes)
                #expect([1002, 1003, 1007, 1008, 1009].contains(error.closeCode.rawValue))
            }
        }
        return (clientMessage, decodedAny)
    }

    @Test func mutatedAndRandomMessagesNeverTrap() {
        var rng = SeededGenerator(seed: 0x6469_616C_6761_7465)
        var harness = HubHarness()
        let host = harness.admit("Alice", role: .host)
        let guest = harness.admit("Bob")
        var decoded = 0
        var refused = 0
        let seeds = Self.seeds
        for round in 0..<12_000 {
            let bytes = round % 4 == 3 ? Self.randomTokens(&rng) : Self.mutate(seeds[round % seeds.count], &rng)
            let (message, decodedAny) = Self.check(bytes)
            if decodedAny { decoded += 1 } else { refused += 1 }
            guard let message else { continue }
            // Whatever decodes may reach a hub: it must keep its invariants.
            if case .hello(let hello) = message {
                _ = harness.hub.handle(.join(ConnectionID(rawValue: 1000 + UInt64(round)), hello, Fixtures.record(), now: Fixtures.start))
            } else if case .end = message {
                continue  // keep the meeting alive for the rest of the run
            } else {
                _ = harness.hub.handle(.command(from: round % 2 == 0 ? guest : host, message))
            }
            let roster = harness.hub.roster
            #expect(roster.count <= harness.hub.settings.maxParticipants)
            #expect(Set(roster.map(\.senderIndex)).count == roster.count)
            #expect(roster.allSatisfy { $0.name.count <= harness.hub.settings.maxNameCharacters && !$0.name.isEmpty })
        }
        #expect(decoded > 100, "the mutations must also produce valid messages, or they test too little")
        #expect(refused > 5_000)
    }

    /// Byte strings that are not JSON at all.
    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<3_000 {
            let count = Int.random(in: 0...64, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) { bytes.insert(UInt8(ascii: "{"), at: 0) }
            _ = Self.check(bytes)
        }
    }
}
