import CSRTP

extension SRTPCryptoSuite {
    /// libsrtp's crypto policies for this suite: (SRTP, SRTCP).
    var libsrtpPolicies: (rtp: srtp_crypto_policy_t, rtcp: srtp_crypto_policy_t) {
        var rtp = srtp_crypto_policy_t()
        var rtcp = srtp_crypto_policy_t()
        switch self {
        case .aesCM128HMACSHA1Tag80:
            srtp_crypto_policy_set_rtp_default(&rtp)
            srtp_crypto_policy_set_rtcp_default(&rtcp)
        case .aesCM128HMACSHA1Tag32:
            // RFC 4568 §6.2.2: the 32-bit tag is for SRTP only; SRTCP keeps the 80-bit tag.
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&rtp)
            srtp_crypto_policy_set_rtcp_default(&rtcp)
        case .aesCM256HMACSHA1Tag80:
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtp)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtcp)
        case .aesCM256HMACSHA1Tag32:
            // RFC 6188 §7.1: as for the 128-bit suite, SRTCP uses the 80-bit tag.
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&rtp)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&rtcp)
        case .aeadAES128GCM:
            // RFC 7714 §14.2: AEAD_AES_128_GCM has a 16-octet tag on SRTP and SRTCP.
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&rtcp)
        case .aeadAES256GCM:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&rtcp)
        }
        return (rtp, rtcp)
    }
}
