import Frames
import Testing

@Suite struct SodiumTests {
    @Test func initialisesAndReportsItsVersion() throws {
        try Sodium.ensureInitialized()
        #expect(Sodium.version.split(separator: ".").count == 3)
    }
}
