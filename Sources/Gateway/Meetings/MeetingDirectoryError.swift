/// Why the meeting directory refused or failed a request, in words for the operator. Passcodes are
/// secrets: no message repeats one.
public enum MeetingDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The ID is not 9 to 11 digits.
    case invalidID(String)
    /// The passcode is not 4 to 10 digits.
    case invalidPasscode
    /// The tier is not 1 to 32 of `a-z`, `0-9`, `-`, `_`, `.`.
    case invalidTier(String)
    /// The tier may not have `e2ee` meetings (issue 6: `free` cannot; the policy issue makes it configurable).
    case e2eeNotAllowed(tier: String)
    /// The host name is empty, too long or has control characters.
    case invalidHost(reason: String)
    /// A meeting with this ID exists already (IDs are never reused silently).
    case duplicateID(String)
    /// Reading or writing the database failed.
    case database(reason: String)

    public var description: String {
        switch self {
        case .invalidID(let id):
            "meeting ID must be \(MeetingRecord.idLengths.lowerBound) to \(MeetingRecord.idLengths.upperBound) digits, not '\(id)'"
        case .invalidPasscode:
            "passcode must be \(MeetingRecord.passcodeLengths.lowerBound) to \(MeetingRecord.passcodeLengths.upperBound) digits"
        case .invalidTier(let tier):
            "tier must be 1 to \(MeetingRecord.maxTierLength) characters of a-z, 0-9, '-', '_', '.', not '\(tier)'"
        case .e2eeNotAllowed(let tier):
            "the \(tier) tier cannot create e2ee meetings"
        case .invalidHost(let reason):
            "host name \(reason)"
        case .duplicateID(let id):
            "meeting \(id) already exists"
        case .database(let reason):
            "meeting directory: \(reason)"
        }
    }

    /// True for the errors that are the request's fault (a format or a duplicate), false for
    /// failures of the store itself.
    public var isRequestError: Bool {
        if case .database = self { return false }
        return true
    }
}
