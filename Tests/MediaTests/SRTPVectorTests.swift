import Media
import Testing

/// libsrtp's packet vectors (`Vectors/SRTP/srtp_vectors.json`) through `SRTPSession`:
/// byte-exact protect output, and unprotect back to the plaintext.
///
/// The session keys these rely on (RFC 3711 B.3 master key and salt) are checked on their own,
/// against libsrtp's AES-CM, in `SRTPKeyDerivationTests`; these vectors show that
/// `SRTPSession` hands libsrtp the key material and policies the suites need.
/// B.1 (AES-f8) is not an SDES suite and libsrtp2 has no f8 cipher: not tested.
@Suite struct SRTPVectorTests {
    /// Protects `plaintext` with a fresh outbound session and unprotects the result with a
    /// fresh inbound one.
    private func check(
        suite: SRTPCryptoSuite, key: [UInt8], plaintext: [UInt8], protected expected: [UInt8], rtcp: Bool
    ) throws {
        let sender = try SRTPSession(suite: suite, direction: .outbound, masterKeyAndSalt: key)
        var packet = plaintext
        if rtcp { try sender.protectRTCP(&packet) } else { try sender.protectRTP(&packet) }
        #expect(packet == expected, "protect output for \(suite.sdpName)")
        #expect(packet.count == plaintext.count + (rtcp ? suite.rtcpOverhead : suite.rtpOverhead))

        let receiver = try SRTPSession(suite: suite, direction: .inbound, masterKeyAndSalt: key)
        var received = expected
        if rtcp { try receiver.unprotectRTCP(&received) } else { try receiver.unprotectRTP(&received) }
        #expect(received == plaintext, "unprotect output for \(suite.sdpName)")
    }

    @Test func aesCM128HMACSHA1Tag80RTP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        try check(
            suite: .aesCM128HMACSHA1Tag80, key: SRTPVectors.bytes(vector, "master_key_and_salt"),
            plaintext: SRTPVectors.bytes(vector, "rtp_plaintext"), protected: SRTPVectors.bytes(vector, "srtp_protected"), rtcp: false)
    }

    @Test func aesCM128HMACSHA1Tag32RTP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        try check(
            suite: .aesCM128HMACSHA1Tag32, key: SRTPVectors.bytes(vector, "master_key_and_salt"),
            plaintext: SRTPVectors.bytes(vector, "rtp_plaintext"),
            protected: SRTPVectors.bytes(vector, "srtp_protected_hmac_sha1_32"), rtcp: false)
    }

    @Test func aesCM128HMACSHA1Tag80RTCP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        try check(
            suite: .aesCM128HMACSHA1Tag80, key: SRTPVectors.bytes(vector, "master_key_and_salt"),
            plaintext: SRTPVectors.bytes(vector, "rtcp_plaintext"),
            protected: SRTPVectors.bytes(vector, "srtcp_protected_index_1"), rtcp: true)
    }

    /// RFC 4568 §6.2.2: the `_32` suite still puts an 80-bit tag on SRTCP, so its SRTCP output
    /// is the `_80` vector octet for octet.
    @Test func aesCM128HMACSHA1Tag32RTCPUsesThe80BitTag() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        try check(
            suite: .aesCM128HMACSHA1Tag32, key: SRTPVectors.bytes(vector, "master_key_and_salt"),
            plaintext: SRTPVectors.bytes(vector, "rtcp_plaintext"),
            protected: SRTPVectors.bytes(vector, "srtcp_protected_index_1"), rtcp: true)
    }

    /// The SDES `inline:` form in the vector file is the same key material.
    @Test func inlineKeyIsTheMasterKeyThenTheSalt() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        let key = try SRTPMasterKey(suite: .aesCM128HMACSHA1Tag80, masterKeyAndSalt: SRTPVectors.bytes(vector, "master_key_and_salt"))
        #expect(Array(key.masterKey) == (try SRTPVectors.bytes(vector, "master_key")))
        #expect(Array(key.masterSalt) == (try SRTPVectors.bytes(vector, "master_salt")))
    }

    @Test func aesCM256HMACSHA1Tag80RTP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate_aes_256")
        try check(
            suite: .aesCM256HMACSHA1Tag80,
            key: SRTPVectors.bytes(vector, "master_key") + SRTPVectors.bytes(vector, "master_salt"),
            plaintext: SRTPVectors.bytes(vector, "rtp_plaintext"), protected: SRTPVectors.bytes(vector, "srtp_protected"), rtcp: false)
    }

    @Test func aeadAES128GCMRTP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate_gcm")
        let key = try SRTPVectors.bytes(vector, "master_key") + SRTPVectors.bytes(vector, "master_salt")
        try withGCM(.aeadAES128GCM) {
            try check(
                suite: .aeadAES128GCM, key: key, plaintext: SRTPVectors.bytes(vector, "rtp_plaintext"),
                protected: SRTPVectors.bytes(vector, "srtp_protected"), rtcp: false)
        }
    }

    @Test func aeadAES128GCMRTCP() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate_gcm")
        let key = try SRTPVectors.bytes(vector, "master_key") + SRTPVectors.bytes(vector, "master_salt")
        try withGCM(.aeadAES128GCM) {
            try check(
                suite: .aeadAES128GCM, key: key, plaintext: SRTPVectors.bytes(vector, "rtcp_plaintext"),
                protected: SRTPVectors.bytes(vector, "srtcp_protected_index_1"), rtcp: true)
        }
    }

    /// Runs `body` when this libsrtp2 build has GCM; otherwise records a visible known issue
    /// (GCM needs libsrtp2 built with OpenSSL, NSS or mbedTLS), never a silent pass.
    private func withGCM(_ suite: SRTPCryptoSuite, _ body: () throws -> Void) throws {
        if suite.isAvailable {
            try body()
        } else {
            withKnownIssue("\(suite.sdpName) is not available in \(SRTPLibrary.version): built without a crypto backend") {
                try body()
            }
        }
    }
}
