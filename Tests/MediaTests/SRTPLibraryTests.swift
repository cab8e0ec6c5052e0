import Media
import Testing

@Suite struct SRTPLibraryTests {
    @Test func initialisesOnceAndReportsItsVersion() throws {
        try SRTPLibrary.ensureInitialized()
        try SRTPLibrary.ensureInitialized()  // a second srtp_init() would fail; the wrapper must not call it
        #expect(SRTPLibrary.version.contains("libsrtp2"))
    }
}
