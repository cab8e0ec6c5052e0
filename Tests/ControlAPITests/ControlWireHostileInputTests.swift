import ControlAPI
import TestSupport
import Testing

@Suite struct ControlWireHostileInputTests {
    /// Pieces of valid requests, so mutations reach past the JSON parser into command decoding.
    static let tokens = [
        #"{"version":1,"id":1,"command":{"name":"#, #""history""#, #""call""#, #""hangup""#, #""status""#,
        #","limit":"#, "1000", "-1", "9223372036854775807", "1e400", #","since":"#, #""2026-11-26T19:46:19Z""#,
        #""not a date""#, #","call":"#, "null", "true", "[", "]", "{", "}", ",", ":", #"""#, "\\u0000", "\u{ff}",
    ]

    @Test func randomRequestLinesNeverCrashAndAlwaysGetAReply() throws {
        var random = SeededGenerator(seed: 0x5EED)
        for _ in 0..<5_000 {
            var line: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                if Bool.random(using: &random) {
                    line += Array(Self.tokens.randomElement(using: &random)!.utf8)
                } else {
                    line.append(UInt8.random(in: 0...255, using: &random))
                }
            }
            switch ControlWire.decodeRequest(line) {
            case .success(let request):
                // Whatever decoded must encode and decode to itself.
                #expect(try ControlWire.decodeRequest(ControlWire.encode(request).dropLast()).get() == request)
            case .failure(let rejection):
                #expect(try ControlWire.decodeReply(ControlWire.encode(rejection.reply).dropLast()) == rejection.reply)
            }
        }
    }

    @Test func randomReplyLinesNeverCrashTheClientDecoder() {
        var random = SeededGenerator(seed: 0xC11E)
        let pieces = [
            #"{"version":1,"id":1,"ok":{"#, #""calls":["#, #""event":{"kind":"callEnded","call":"#,
            #""error":{"code":"#, #""notFound""#, "}", "]", ",", "null", #""x""#,
        ]
        var decoded = 0
        for _ in 0..<5_000 {
            var line: [UInt8] = []
            for _ in 0..<Int.random(in: 0...8, using: &random) {
                line += Array(pieces.randomElement(using: &random)!.utf8)
            }
            if (try? ControlWire.decodeReply(line)) != nil { decoded += 1 }
        }
        // Most random lines are not replies; the point is that none of them trapped.
        #expect(decoded < 5_000)
    }
}
