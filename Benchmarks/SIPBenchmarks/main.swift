// SIP message benchmarks (release build: `scripts/bench`).
//
// Figures are printed next to a baseline measured in the same run on the same bytes, because
// these machines are shared and noisy: compare ratios between runs, not raw rates.
// `--quick` measures in short windows (CI: so the benchmarks cannot rot; too short to quote).
import SIP

#if canImport(Glibc)
    import Glibc  // libm for rounding
#endif

let sdp = """
    v=0\r
    o=- 2890844526 2890844526 IN IP4 192.0.2.10\r
    s=-\r
    c=IN IP4 192.0.2.10\r
    t=0 0\r
    m=audio 49170 RTP/AVP 0 8 101\r
    a=rtpmap:0 PCMU/8000\r
    a=rtpmap:8 PCMA/8000\r
    a=rtpmap:101 telephone-event/8000\r
    a=fmtp:101 0-16\r
    a=ptime:20\r
    a=sendrecv\r

    """

/// A typical carrier INVITE with an SDP offer.
let invite = Array(
    """
    INVITE sip:1000@127.0.0.1:5060 SIP/2.0\r
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r
    Max-Forwards: 70\r
    To: <sip:1000@gateway.example.com>\r
    From: "Alice Caller" <sip:+15551230000@carrier.example.net>;tag=1928301774\r
    Call-ID: a84b4c76e66710@pc33.carrier.example.net\r
    CSeq: 314159 INVITE\r
    Contact: <sip:+15551230000@192.0.2.10:5060;transport=udp>\r
    Record-Route: <sip:sbc.carrier.example.net;lr>\r
    Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, INFO, UPDATE\r
    Supported: timer, replaces\r
    User-Agent: CarrierSBC/4.2\r
    Content-Type: application/sdp\r
    Content-Length: \(sdp.utf8.count)\r
    \r
    \(sdp)
    """.utf8)

let ok = Array(
    """
    SIP/2.0 200 OK\r
    Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r
    To: <sip:1000@gateway.example.com>;tag=a6c85cf\r
    From: "Alice Caller" <sip:+15551230000@carrier.example.net>;tag=1928301774\r
    Call-ID: a84b4c76e66710@pc33.carrier.example.net\r
    CSeq: 314159 INVITE\r
    Contact: <sip:dialgate@203.0.113.5:5060>\r
    Content-Length: 0\r
    \r

    """.utf8)

/// Keeps results alive so the optimizer cannot drop the work.
@inline(never) func consume<T>(_ value: T) { withExtendedLifetime(value) {} }

struct Figure {
    let name: String
    let operationsPerSecond: Double
    let baselinePerSecond: Double
}

/// How long each measured window runs.
let window: Duration = CommandLine.arguments.contains("--quick") ? .milliseconds(30) : .milliseconds(700)

/// Runs `body` for about `duration`, in batches, and returns operations per second.
func rate(for duration: Duration = window, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    for _ in 0..<200 { body() }  // warm-up
    var operations = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < duration {
        for _ in 0..<100 { body() }
        operations += 100
        elapsed = clock.now - start
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(operations) / seconds
}

/// Hides a value from the optimizer, so work on it cannot be hoisted out of the timing loop.
@_optimize(none) func opaque<T>(_ value: T) -> T { value }

/// The baseline: one pass over the same bytes looking for CRLF, the least any parser must do.
@inline(never) func scan(_ bytes: [UInt8]) -> Int {
    var lines = 0
    var previous: UInt8 = 0
    for byte in bytes {
        if previous == 0x0D && byte == 0x0A { lines += 1 }
        previous = byte
    }
    return lines
}

guard case .request(let parsedInvite) = try SIPMessageParser.parseDatagram(invite),
    case .response(let parsedOK) = try SIPMessageParser.parseDatagram(ok)
else { fatalError("benchmark messages do not parse") }

func format(_ value: Double) -> String {
    let rounded = Int(value.rounded())
    var text = String(rounded)
    var index = text.count - 3
    while index > 0 {
        text.insert(",", at: text.index(text.startIndex, offsetBy: index))
        index -= 3
    }
    return text
}
func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }

/// `--user-agent-only`: just the user agent's row (for `perf record`).
let userAgentOnly = CommandLine.arguments.contains("--user-agent-only")
if !userAgentOnly {
    var figures: [Figure] = []
    for (name, bytes) in [("INVITE with SDP (\(invite.count) B)", invite), ("200 OK (\(ok.count) B)", ok)] {
        let baseline = rate { consume(scan(opaque(bytes))) }
        let parse = rate { consume(try? SIPMessageParser.parseDatagram(opaque(bytes))) }
        figures.append(Figure(name: "parse \(name)", operationsPerSecond: parse, baselinePerSecond: baseline))
    }
    for (name, message, bytes) in [
        ("INVITE with SDP", SIPMessage.request(parsedInvite), invite), ("200 OK", SIPMessage.response(parsedOK), ok),
    ] {
        let baseline = rate { consume(scan(opaque(bytes))) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(2048)
        let serialize = rate {
            buffer.removeAll(keepingCapacity: true)
            message.serialize(into: &buffer)
            consume(buffer.count)
        }
        figures.append(Figure(name: "serialize \(name)", operationsPerSecond: serialize, baselinePerSecond: baseline))
    }
    let baseline = rate { consume(scan(opaque(invite))) }
    let typed = rate {
        consume(try? parsedInvite.headers.topVia())
        consume(try? parsedInvite.headers.from())
        consume(try? parsedInvite.headers.cseq())
    }
    figures.append(Figure(name: "typed Via+From+CSeq of the INVITE", operationsPerSecond: typed, baselinePerSecond: baseline))

    print(pad("benchmark", 40) + pad("ops/s", 14) + pad("baseline scan/s", 18) + "ratio (op / scan)")
    for figure in figures {
        let ratio = figure.operationsPerSecond / figure.baselinePerSecond
        let ratioText = String(Double(Int((ratio * 10_000).rounded())) / 10_000)
        let columns: [String] = [
            pad(figure.name, 40), pad(format(figure.operationsPerSecond), 14), pad(format(figure.baselinePerSecond), 18), ratioText,
        ]
        print(columns.joined())
    }

}

// The user agent's share of one call (UserAgentCalls.swift), against the message work alone: the
// same call's datagrams parsed and what it sent serialized, nothing else.
let driver = UserAgentCallDriver()
// Past the first `hold` calls, so every step also ends a call.
for _ in 0..<(CommandLine.arguments.contains("--quick") ? 1_050 : 1_500) { driver.step() }
let callsPerSecond = rate { driver.step() }
let firstCall = (
    invite: CallDatagrams.invite(serial: 0), ack: CallDatagrams.ack(serial: 0, localTag: Array("a6c85cf".utf8)),
    bye: CallDatagrams.bye(serial: 0, localTag: Array("a6c85cf".utf8))
)
let sent = driver.sentByOneStep
var sentBuffer: [UInt8] = []
sentBuffer.reserveCapacity(4096)
let messageWork = rate {
    for datagram in [firstCall.invite, firstCall.ack, firstCall.bye] { consume(try? SIPMessageParser.parseDatagram(opaque(datagram))) }
    for message in sent {
        sentBuffer.removeAll(keepingCapacity: true)
        message.serialize(into: &sentBuffer)
        consume(sentBuffer.count)
    }
}
print()
print(pad("benchmark", 40) + pad("calls/s", 14) + pad("baseline calls/s", 18) + "ratio (call / messages only)")
print(
    pad("user agent: whole call, echo route", 40) + pad(format(callsPerSecond), 14) + pad(format(messageWork), 18)
        + String(Double(Int((callsPerSecond / messageWork * 10_000).rounded())) / 10_000))
let sentSummary = sent.map { message in
    switch message {
    case .request(let request): request.method.token
    case .response(let response): String(response.statusCode)
    }
}
print("  (sent per call: \(sentSummary.joined(separator: ", ")); the baseline parses the 3 received and serializes those)")
