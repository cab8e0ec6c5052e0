import ControlAPI
import Foundation
import Testing

/// `dialgatectl export --format csv`: RFC 4180 records whose fields a hostile caller name cannot
/// split, and that a spreadsheet will not run as formulas.
@Suite struct CallSnapshotExportTests {
    @Test func aRecordHasOneFieldPerColumnInOrder() {
        var call = Fixtures.ended
        call.quality = CallQualityFigures(
            packetsReceived: 3000, packetsSent: 2990, lossPercent: 0.5, jitterMilliseconds: 4.25, roundTripMilliseconds: nil, mos: 4.31)
        call.policyDecision = "admit"
        let fields = call.csvRecord.split(separator: ",", omittingEmptySubsequences: false)
        #expect(fields.count == CallSnapshot.csvColumns.count)
        #expect(
            call.csvRecord
                == "c7f3a2,a84b4c76e66710@pc33.example.com,2026-11-26T19:46:19Z,2026-11-26T19:46:20Z,2026-11-26T19:47:20Z,60.500,+4930123456,Alice,1000,loopback,1000,4711,udp,127.0.0.1:5070,PCMU,yes,ended,completed,BYE from caller,caller,admit,,3000,2990,0.500,4.250,,4.310"
        )
    }

    @Test(arguments: [
        ("Alice", "Alice"),
        ("Smith, Bob", "\"Smith, Bob\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+15551234567", "+15551234567"),
        ("-12.5", "-12.5"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-", "'-"),
        ("", ""),
    ])
    func hostileFieldsStayOneInertField(name: String, expected: String) {
        var call = Fixtures.ringing
        call.callerName = name
        let record = call.csvRecord
        #expect(record.contains(",\(expected),1000,"), "\(record)")
    }
}
