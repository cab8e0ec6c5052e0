import Dialplan
import Testing

@Suite struct BuiltinDialplanTests {
    let plan = BuiltinDialplan()

    func route(_ called: String) -> RouteDecision {
        plan.route(CallRequestFacts(called: called, caller: "+15551230000", trunk: "loopback"))
    }

    @Test func bundledNumbersAnswer() {
        #expect(route("1000") == .answer(.meetingEntry, route: "default/1000 meeting-entry"))
        #expect(route("1001") == .answer(.echo, route: "default/1001 echo"))
        #expect(route("1002") == .answer(.toneTest, route: "default/1002 tone-test"))
    }

    @Test func meetingIDAndPasscodeInTheURI() {
        #expect(route("123456789*4321") == .joinMeeting(meetingID: "123456789", passcode: "4321", route: "default/direct-meeting"))
        #expect(
            route("12345678901*1234567890")
                == .joinMeeting(meetingID: "12345678901", passcode: "1234567890", route: "default/direct-meeting"))
    }

    @Test(arguments: [
        "999", "", "12345678*4321", "123456789*123", "123456789*12345678901", "12345678a*4321", "123456789*4321*1", "*", "１２３４５６７８９*4321",
    ])
    func everythingElseIsNotFound(_ called: String) {
        #expect(route(called) == .reject(status: 404, reason: "Not Found", route: nil))
    }

    @Test func ringTimeIsCarried() {
        let ringing = BuiltinDialplan(ringTime: .seconds(2))
        #expect(
            ringing.route(CallRequestFacts(called: "1000", caller: "x", trunk: "t"))
                == .answer(.meetingEntry, route: "default/1000 meeting-entry", ringFor: .seconds(2)))
    }
}
