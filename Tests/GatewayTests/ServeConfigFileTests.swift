import Testing

@testable import Gateway

/// `dialgate serve --config FILE`: a YAML mapping of the flags' names; every mistake is one
/// `file:line:column:` line, and all of them are reported at once.
@Suite struct ServeConfigFileTests {
    @Test func everyKeyParsesAndAnEmptyFileSetsNothing() throws {
        let text = """
            # dialgate.yaml
            sip: 127.0.0.1:5070
            sip-tls: 127.0.0.1:5071
            participants: "[::1]:8090"
            advertise: gateway.example.net
            rtp-ports: 30000-30999
            control: /run/dialgate.sock
            control-group: dialgate
            dialplans: /etc/dialgate/dialplans
            state: /var/lib/dialgate
            metrics: 127.0.0.1:9464
            ring-time: 500
            drain-grace: 60
            max-calls: 500
            srtp: mandatory
            media-timeout: 45
            log-level: debug
            log-format: json
            retention-days: 90
            tls-cert: /etc/dialgate/cert.pem
            tls-key: /etc/dialgate/key.pem
            """
        let file = try ServeConfigFile.parse(text, path: "dialgate.yaml")
        #expect(file.values.count == ServeConfigFile.keys.count, "every key has an example: \(file.values.keys.sorted())")
        #expect(file.values["participants"] == "[::1]:8090" && file.values["max-calls"] == "500" && file.values["log-format"] == "json")
        #expect(try ServeConfigFile.parse("", path: "e.yaml") == ServeConfigFile())
        #expect(try ServeConfigFile.parse("# only a comment\n", path: "e.yaml") == ServeConfigFile())
    }

    @Test func everyMistakeIsOneLineWithItsPlace() {
        let text = """
            sip: 127.0.0.1:5070
            max-cals: 10
            max-calls: lots
            srtp: sometimes
            rtp-ports: 10-20
            dialplans: [a, b]
            state: ""
            colour: blue
            """
        #expect(throws: ServeConfigFile.Problems.self) { try ServeConfigFile.parse(text, path: "d.yaml") }
        do throws(ServeConfigFile.Problems) {
            _ = try ServeConfigFile.parse(text, path: "d.yaml")
        } catch {
            #expect(
                error.problems.map(\.description) == [
                    "d.yaml:2:1: unknown key 'max-cals' (did you mean 'max-calls'?); known: \(ServeConfigFile.keys.map(\.name).joined(separator: ", "))",
                    "d.yaml:3:12: max-calls must be a whole number from 1 to 1000000, not 'lots'",
                    "d.yaml:4:7: srtp must be one of forbidden, optional, mandatory, not 'sometimes'",
                    "d.yaml:5:12: rtp-ports must be LOW-HIGH, ports 1024 to 65535, not '10-20'",
                    "d.yaml:6:12: 'dialplans' takes one value, not a list or a mapping",
                    "d.yaml:7:8: state must not be empty, not ''",
                    "d.yaml:8:1: unknown key 'colour'; known: \(ServeConfigFile.keys.map(\.name).joined(separator: ", "))",
                ])
        }
    }

    @Test(arguments: [
        ("sip: [unclosed", "d.yaml:1:6: not valid YAML: did not find expected ',' or ']' while parsing a flow sequence (noticed at 2:1)"),
        ("- a list\n- not a mapping", "d.yaml:1:1: the file must be a mapping of settings (key: value)"),
        ("sip: 127.0.0.1:5060\nsip: 127.0.0.1:5061", "set more than once"),
        ("just text", "d.yaml:1:1: the file must be a mapping of settings (key: value)"),
    ])
    func brokenFilesAreOneClearLine(text: String, expected: String) {
        do throws(ServeConfigFile.Problems) {
            _ = try ServeConfigFile.parse(text, path: "d.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.problems.count == 1 && error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
