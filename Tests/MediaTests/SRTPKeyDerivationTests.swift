import Testing

@testable import Media

/// RFC 3711 B.2 (AES-CM keystream) and B.3 (key derivation) against libsrtp's own AES-CM,
/// the PRF its key derivation runs on (`SRTPLibrary.aesCM128Keystream`). libsrtp keeps the
/// KDF itself and the derived keys private, so this recomputes the derivation the way
/// RFC 3711 §4.3.1 defines it (and libsrtp's KDF does it): keystream from IV
/// `label << 48` XOR'd into the master salt, for `kdr = 0`. Whether `SRTPSession` feeds libsrtp
/// the right master key and salt is covered by the packet vectors, which use the B.3 keys.
@Suite struct SRTPKeyDerivationTests {
    /// RFC 3711 §4.3.1: key_id = label || r with r = 0; the label is the octet 7 places from the
    /// end of the 14-octet salt, so it lands in IV octet 7.
    private func derive(label: UInt8, masterKey: [UInt8], masterSalt: [UInt8], length: Int) throws -> [UInt8] {
        var iv = [UInt8](repeating: 0, count: 16)
        iv[7] = label
        return try SRTPLibrary.aesCM128Keystream(keyAndSalt: masterKey + masterSalt, iv: iv, length: length)
    }

    @Test func rfc3711B3SessionKeys() throws {
        let vector = try SRTPVectors.vector("rfc3711_B3_key_derivation")
        let masterKey = try SRTPVectors.bytes(vector, "master_key")
        let masterSalt = try SRTPVectors.bytes(vector, "master_salt")
        func expected(_ part: String, _ field: String) throws -> [UInt8] {
            try SRTPVectors.bytes(try #require(vector[part] as? [String: Any]), field)
        }
        #expect(try derive(label: 0x00, masterKey: masterKey, masterSalt: masterSalt, length: 16) == expected("cipher_key", "output"))
        #expect(try derive(label: 0x02, masterKey: masterKey, masterSalt: masterSalt, length: 14) == expected("cipher_salt", "output"))
        #expect(
            try derive(label: 0x01, masterKey: masterKey, masterSalt: masterSalt, length: 94)
                == expected("auth_key", "output_94_octets"))
    }

    /// The SRTCP labels 3-5 (RFC 3711 §4.3.2) for the same master key, against the session keys
    /// listed with libsrtp's packet vector.
    @Test func srtcpSessionKeysOfThePacketVector() throws {
        let vector = try SRTPVectors.vector("libsrtp_srtp_validate")
        let masterKey = try SRTPVectors.bytes(vector, "master_key")
        let masterSalt = try SRTPVectors.bytes(vector, "master_salt")
        let keys = try #require(vector["derived_session_keys"] as? [String: Any])
        let table: [(UInt8, String, Int)] = [
            (0x00, "srtp_cipher_key", 16), (0x01, "srtp_auth_key", 20), (0x02, "srtp_salt", 14),
            (0x03, "srtcp_cipher_key", 16), (0x04, "srtcp_auth_key", 20), (0x05, "srtcp_salt", 14),
        ]
        for (label, name, length) in table {
            #expect(
                try derive(label: label, masterKey: masterKey, masterSalt: masterSalt, length: length) == SRTPVectors.bytes(keys, name),
                "\(name) (label \(label))")
        }
    }

    /// RFC 3711 B.2: the keystream blocks at counters 0, 1, 2 and FEFF, FF00, FF01.
    @Test func rfc3711B2Keystream() throws {
        let vector = try SRTPVectors.vector("rfc3711_B2_aes_cm")
        let key = try SRTPVectors.bytes(vector, "session_key")
        // The counter's first 14 octets are the (already shifted) session salt.
        let salt = Array(try SRTPVectors.bytes(vector, "session_salt_already_shifted").prefix(14))
        let pairs = try #require(vector["counter_keystream"] as? [[String]])
        for start in [0, 3] {
            let counter = try #require(SRTPVectors.hex(pairs[start][0]))
            var iv = [UInt8](repeating: 0, count: 16)
            iv[14] = counter[14]
            iv[15] = counter[15]
            let keystream = try SRTPLibrary.aesCM128Keystream(keyAndSalt: key + salt, iv: iv, length: 48)
            for block in 0..<3 {
                let expected = try #require(SRTPVectors.hex(pairs[start + block][1]))
                #expect(Array(keystream[(block * 16)..<(block * 16 + 16)]) == expected, "counter \(pairs[start + block][0])")
            }
        }
    }
}
