import CSRTP

/// libsrtp2's process-wide state. `srtp_init()` must run exactly once per process (a second call
/// fails), so it is done lazily, once, the first time any SRTP session needs it.
public enum SRTPLibrary {
    private static let initialization: Result<Void, MediaError> = {
        let status = srtp_init()
        return status == srtp_err_status_ok ? .success(()) : .failure(.srtp(operation: "init", status: status.rawValue))
    }()

    /// Initialises libsrtp2 if that has not happened yet.
    public static func ensureInitialized() throws(MediaError) {
        try initialization.get()
    }

    /// The linked library's version, e.g. "libsrtp2 2.5.0".
    public static var version: String {
        String(cString: srtp_get_version_string())
    }

    /// The suites the linked libsrtp2 can run, found once per process by creating a session
    /// with each one (GCM is only there when libsrtp2 was built with a crypto backend, and the
    /// library offers no other public way to ask).
    static let supportedSuites: Set<SRTPCryptoSuite> = {
        guard (try? ensureInitialized()) != nil else { return [] }
        return Set(
            SRTPCryptoSuite.allCases.filter { suite in
                let probeKey = [UInt8](repeating: 0, count: suite.masterKeyAndSaltLength)
                guard
                    let context = try? createContext(
                        suite: suite, inbound: false, masterKeyAndSalt: probeKey, replayWindow: SRTPSession.defaultReplayWindow)
                else { return false }
                srtp_dealloc(context)
                return true
            })
    }()

    /// Creates an `srtp_t` with one wildcard-SSRC stream template for the suite. The key is
    /// only read during the call: libsrtp derives the session keys at once (RFC 3711 §4.3)
    /// and keeps no pointer to the master key.
    static func createContext(
        suite: SRTPCryptoSuite, inbound: Bool, masterKeyAndSalt: [UInt8], replayWindow: Int
    ) throws(MediaError) -> srtp_t {
        var policy = srtp_policy_t()
        (policy.rtp, policy.rtcp) = suite.libsrtpPolicies
        policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = 0
        policy.next = nil
        // libsrtp's API takes a non-const key pointer but only reads it; copy so it never
        // points into caller storage.
        var key = masterKeyAndSalt
        var context: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { keyBuffer in
            policy.key = keyBuffer.baseAddress
            return srtp_create(&context, &policy)
        }
        // Overwrite the copy; the caller owns (and should drop) the original.
        for index in key.indices { key[index] = 0 }
        guard status == srtp_err_status_ok, let context else {
            throw .srtp(operation: "create", status: status.rawValue)
        }
        return context
    }
}
