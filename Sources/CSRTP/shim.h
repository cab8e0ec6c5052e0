#ifndef DIALGATE_CSRTP_SHIM_H
#define DIALGATE_CSRTP_SHIM_H
#include <stddef.h>
#include <srtp2/srtp.h>
#include <srtp2/cipher.h>

/*
 * libsrtp2 exports its AES-ICM (RFC 3711 §4.1.1 AES-CM) cipher type but declares it only in a
 * header it does not install. It is used for one thing: producing the AES-CM keystream that
 * libsrtp's own key derivation (RFC 3711 §4.3) is built on, so tests can check libsrtp against
 * RFC 3711 B.2 and B.3. Never on the packet path.
 */
extern const srtp_cipher_type_t srtp_aes_icm_128;

/* Writes `length` octets of AES-128-CM keystream for the 30-octet key||salt and 16-octet IV
 * (counter = salt XOR iv, exactly as libsrtp's KDF and packet path set it). */
static inline srtp_err_status_t dialgate_srtp_aes_cm_128_keystream(
    const uint8_t *key_and_salt, uint8_t *iv, uint8_t *out, uint32_t length)
{
    srtp_cipher_t *cipher = NULL;
    srtp_err_status_t status =
        srtp_cipher_type_alloc(&srtp_aes_icm_128, &cipher, SRTP_AES_ICM_128_KEY_LEN_WSALT, 0);
    if (status != srtp_err_status_ok) {
        return status;
    }
    status = srtp_cipher_init(cipher, key_and_salt);
    if (status == srtp_err_status_ok) {
        status = srtp_cipher_set_iv(cipher, iv, srtp_direction_encrypt);
    }
    if (status == srtp_err_status_ok) {
        status = srtp_cipher_output(cipher, out, &length);
    }
    srtp_cipher_dealloc(cipher);
    return status;
}
#endif
