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
}
