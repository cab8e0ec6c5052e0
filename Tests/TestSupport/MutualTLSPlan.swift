/// A dialplan with one trunk that requires a client certificate (`carrier`, 192.0.2.0/24), one that
/// does not (`office`, 198.51.100.0/24) and the echo route: the fixture of the mutual-TLS tests of
/// the user agent (CallsTests) and of the trunk settings the adapter reads (GatewayTests).
public enum MutualTLSPlan {
    public static let text = """
        trunk carrier {
            from 192.0.2.0/24
            tls-client-cert required
            tls-client-ca "carrier-ca.pem"
        }
        trunk office {
            from 198.51.100.0/24
        }
        route echo {
            match called 1001
            answer
            echo
        }
        """
}
