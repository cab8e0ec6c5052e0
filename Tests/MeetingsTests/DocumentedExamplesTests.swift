import Foundation
import Testing

@testable import Meetings

/// docs/participant-protocol.md shows an example of every message: each must decode, from the side
/// that sends it, and together they must cover every message type.
@Suite struct DocumentedExamplesTests {
    static func examples() throws -> [String] {
        let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/participant-protocol.md")
        let text = try String(contentsOf: doc, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```json" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everyExampleDecodesAndEveryTypeHasOne() throws {
        let examples = try Self.examples()
        #expect(examples.count >= ParticipantMessage.Kind.allCases.count)
        var kinds: Set<ParticipantMessage.Kind> = []
        for example in examples {
            let message =
                (try? ParticipantProtocol.decode(example, from: .fromClient))
                ?? (try? ParticipantProtocol.decode(example, from: .fromGateway))
            guard let message else {
                Issue.record("the documented example does not decode: \(example)")
                continue
            }
            kinds.insert(message.kind)
        }
        #expect(kinds == Set(ParticipantMessage.Kind.allCases))
    }

    /// The documented refusal is the one the hub gives.
    @Test func documentedRefusalIsTheHubs() throws {
        let refusal = MeetingHub.refusalForUnknownMeeting(1)
        guard case .refuse(_, let message, let close, _) = refusal.first else {
            Issue.record("no refusal")
            return
        }
        #expect(close == .policyViolation)

        #expect(
            try Self.examples().contains { (try? ParticipantProtocol.decode($0, from: .fromGateway)) == message },
            "docs/participant-protocol.md shows the hub's own refusal")
    }
}
