/// What went wrong in the media cores, with what it means for the leg.
public enum MediaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libopus returned an error code (`OPUS_BAD_ARG`, `OPUS_INVALID_PACKET`, ...).
    case opus(operation: String, code: Int32, message: String)
    /// libsrtp returned an error status.
    case srtp(operation: String, status: UInt32)
    /// A caller handed the codec a frame of the wrong size.
    case badFrameSize(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .opus(let operation, let code, let message): "opus \(operation) failed (\(code)): \(message)"
        case .srtp(let operation, let status): "libsrtp \(operation) failed with status \(status)"
        case .badFrameSize(let expected, let got): "frame has \(got) samples, expected \(expected)"
        }
    }
}
