/// The routes of the bundled default dialplan (DESIGN.md §3), compiled in.
///
/// The dialplan language (a later issue) compiles operators' files to the same `RouteDecision`s;
/// these routes are what `dialplans/default.dialplan` will then say in that language.
public struct BuiltinDialplan: Sendable {
    /// How long the gateway rings (180 Ringing) before it answers. Zero answers at once.
    public var ringTime: Duration

    public init(ringTime: Duration = .zero) {
        self.ringTime = ringTime
    }

    /// Meeting IDs are 9 to 11 digits and passcodes 4 to 10 digits (the meeting directory's format).
    public static let meetingIDLength = 9...11
    public static let passcodeLength = 4...10

    public func route(_ call: CallRequestFacts) -> RouteDecision {
        switch call.called {
        case "1000": return .answer(.meetingEntry, route: "default/1000 meeting-entry", ringFor: ringTime)
        case "1001": return .answer(.echo, route: "default/1001 echo", ringFor: ringTime)
        case "1002": return .answer(.toneTest, route: "default/1002 tone-test", ringFor: ringTime)
        default:
            if let (meeting, passcode) = BuiltinDialplan.directMeeting(call.called) {
                return .joinMeeting(meetingID: meeting, passcode: passcode, route: "default/direct-meeting", ringFor: ringTime)
            }
            return .reject(status: 404, reason: "Not Found", route: nil)
        }
    }

    /// `ID*PASSCODE`, both all digits and of the directory's lengths.
    public static func directMeeting(_ user: String) -> (meetingID: String, passcode: String)? {
        let parts = user.split(separator: "*", omittingEmptySubsequences: false)
        guard parts.count == 2,
            meetingIDLength.contains(parts[0].count), passcodeLength.contains(parts[1].count),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
        else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
