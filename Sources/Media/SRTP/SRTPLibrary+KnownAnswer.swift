import CSRTP

extension SRTPLibrary {
    /// RFC 3711 §4.1.1: `length` octets of AES-128 counter-mode keystream from libsrtp's own
    /// AES-ICM cipher, with the counter starting at `salt XOR iv` (salt = the 14 octets after
    /// the key). This is the PRF of libsrtp's key derivation (RFC 3711 §4.3.3), which libsrtp
    /// does not expose otherwise; only tests use it, to check RFC 3711 B.2 and B.3.
    static func aesCM128Keystream(keyAndSalt: [UInt8], iv: [UInt8], length: Int) throws(MediaError) -> [UInt8] {
        try ensureInitialized()
        guard keyAndSalt.count == 30, iv.count == 16, let count = UInt32(exactly: length) else {
            throw .srtpBadParameter("AES-CM needs a 30-octet key and salt and a 16-octet IV")
        }
        var iv = iv
        var output = [UInt8](repeating: 0, count: length)
        let status = keyAndSalt.withUnsafeBufferPointer { key in
            iv.withUnsafeMutableBufferPointer { iv in
                output.withUnsafeMutableBufferPointer { output in
                    dialgate_srtp_aes_cm_128_keystream(key.baseAddress, iv.baseAddress, output.baseAddress, count)
                }
            }
        }
        guard status == srtp_err_status_ok else { throw .srtp(operation: "AES-CM keystream", status: status.rawValue) }
        return output
    }
}
