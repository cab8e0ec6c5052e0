import ControlAPI

extension MeetingSnapshot {
    /// The control API's view of a meeting. Listings leave the passcode out (`includingPasscode:
    /// false`); the operator's view of one meeting shows it.
    init(_ record: MeetingRecord, includingPasscode: Bool) {
        self.init(
            id: record.id, passcode: includingPasscode ? record.passcode : nil, mode: MeetingMode(rawValue: record.mode.rawValue),
            tier: record.tier, host: record.host, createdAt: record.createdAt, locked: record.locked,
            phonesWaitForHost: record.phonesWaitForHost)
    }
}

extension MeetingDirectoryError {
    /// The control API's error reply for this failure.
    var controlError: ControlError {
        switch self {
        case .duplicateID(let id): .meetingExists(id)
        case .invalidID, .invalidPasscode, .invalidTier, .invalidHost, .e2eeNotAllowed: .badRequest(description)
        case .database: .internal(description)
        }
    }
}
