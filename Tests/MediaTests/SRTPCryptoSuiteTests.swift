import Media
import TestSupport
import Testing

@Suite struct SRTPCryptoSuiteTests {
    @Test func sdesNamesParse() {
        #expect(SRTPCryptoSuite(rawValue: "AES_CM_128_HMAC_SHA1_80") == .aesCM128HMACSHA1Tag80)
        #expect(SRTPCryptoSuite(rawValue: "AES_CM_128_HMAC_SHA1_32") == .aesCM128HMACSHA1Tag32)
        #expect(SRTPCryptoSuite(rawValue: "AES_256_CM_HMAC_SHA1_80") == .aesCM256HMACSHA1Tag80)
        #expect(SRTPCryptoSuite(rawValue: "AES_256_CM_HMAC_SHA1_32") == .aesCM256HMACSHA1Tag32)
        #expect(SRTPCryptoSuite(rawValue: "AEAD_AES_128_GCM") == .aeadAES128GCM)
        #expect(SRTPCryptoSuite(rawValue: "AEAD_AES_256_GCM") == .aeadAES256GCM)
        #expect(SRTPCryptoSuite(rawValue: "F8_128_HMAC_SHA1_80") == nil, "f8 is not supported")
        #expect(SRTPCryptoSuite(rawValue: "aes_cm_128_hmac_sha1_80") == nil, "suite names are case-sensitive")
    }

    /// RFC 4568 §6.2, RFC 6188 §7.1, RFC 7714 §14.2: key, salt and tag sizes.
    @Test func sizesMatchTheRFCs() {
        let table: [(SRTPCryptoSuite, key: Int, salt: Int, rtpTag: Int, rtcpTag: Int)] = [
            (.aesCM128HMACSHA1Tag80, 16, 14, 10, 10),
            (.aesCM128HMACSHA1Tag32, 16, 14, 4, 10),
            (.aesCM256HMACSHA1Tag80, 32, 14, 10, 10),
            (.aesCM256HMACSHA1Tag32, 32, 14, 4, 10),
            (.aeadAES128GCM, 16, 12, 16, 16),
            (.aeadAES256GCM, 32, 12, 16, 16),
        ]
        for row in table {
            #expect(row.0.masterKeyLength == row.key, "\(row.0)")
            #expect(row.0.masterSaltLength == row.salt, "\(row.0)")
            #expect(row.0.masterKeyAndSaltLength == row.key + row.salt, "\(row.0)")
            #expect(row.0.rtpAuthTagLength == row.rtpTag, "\(row.0)")
            #expect(row.0.rtcpAuthTagLength == row.rtcpTag, "\(row.0)")
            #expect(row.0.rtcpOverhead == 4 + row.rtcpTag, "\(row.0)")
            #expect(max(row.0.rtpOverhead, row.0.rtcpOverhead) <= SRTPCryptoSuite.maximumOverhead)
        }
        #expect(SRTPCryptoSuite.allCases.map(\.rtcpOverhead).max() == SRTPCryptoSuite.maximumOverhead)
    }

    /// The counter-mode suites are always in libsrtp2. GCM depends on the build; Debian 12's
    /// libsrtp2 2.5.0 links NSS and has it. If this fails on another build, the GCM vector
    /// tests say so as known issues.
    @Test func availability() {
        for suite in SRTPCryptoSuite.allCases where !suite.isAEAD {
            #expect(suite.isAvailable, "\(suite.sdpName) in \(SRTPLibrary.version)")
        }
        for suite in SRTPCryptoSuite.allCases where suite.isAEAD && !suite.isAvailable {
            withKnownIssue("\(suite.sdpName) unavailable in \(SRTPLibrary.version) (no crypto backend)") {
                #expect(suite.isAvailable)
            }
        }
    }

    @Test(arguments: SRTPCryptoSuite.allCases)
    func generatedKeysHaveTheSuiteLength(suite: SRTPCryptoSuite) throws {
        var generator = SeededGenerator(seed: 42)
        let first = SRTPMasterKey.generate(for: suite, using: &generator)
        let second = SRTPMasterKey.generate(for: suite, using: &generator)
        #expect(first.masterKeyAndSalt.count == suite.masterKeyAndSaltLength)
        #expect(first.masterKey.count == suite.masterKeyLength)
        #expect(first.masterSalt.count == suite.masterSaltLength)
        #expect(first != second, "each call draws fresh bytes")
        var replay = SeededGenerator(seed: 42)
        #expect(SRTPMasterKey.generate(for: suite, using: &replay) == first, "only the generator decides the bytes")
        #expect(try SRTPMasterKey(suite: suite, masterKeyAndSalt: first.masterKeyAndSalt) == first)
    }

    @Test func systemGeneratorWorksAndKeysAreRedacted() throws {
        var generator = SystemRandomNumberGenerator()
        let key = SRTPMasterKey.generate(for: .aesCM128HMACSHA1Tag80, using: &generator)
        #expect(key.masterKeyAndSalt.count == 30)
        #expect(!key.description.contains(key.masterKeyAndSalt.map { String($0, radix: 16) }.joined()))
        #expect(key.description.contains("redacted"))
    }
}
