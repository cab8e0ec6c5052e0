#ifndef DIALGATE_COPUS_SHIM_H
#define DIALGATE_COPUS_SHIM_H
#include <opus.h>

// Swift cannot call the variadic opus_encoder_ctl/opus_decoder_ctl, so each setting
// the gateway uses gets a static inline wrapper here. Add one per new setting.
static inline int dialgate_opus_set_bitrate(OpusEncoder *enc, opus_int32 bitrate) {
    return opus_encoder_ctl(enc, OPUS_SET_BITRATE(bitrate));
}
static inline int dialgate_opus_set_complexity(OpusEncoder *enc, opus_int32 complexity) {
    return opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(complexity));
}
static inline int dialgate_opus_set_inband_fec(OpusEncoder *enc, opus_int32 on) {
    return opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(on));
}
static inline int dialgate_opus_set_packet_loss_perc(OpusEncoder *enc, opus_int32 percent) {
    return opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(percent));
}
static inline int dialgate_opus_set_dtx(OpusEncoder *enc, opus_int32 on) {
    return opus_encoder_ctl(enc, OPUS_SET_DTX(on));
}
static inline int dialgate_opus_get_bitrate(OpusEncoder *enc, opus_int32 *bitrate) {
    return opus_encoder_ctl(enc, OPUS_GET_BITRATE(bitrate));
}
static inline int dialgate_opus_reset_decoder(OpusDecoder *dec) {
    return opus_decoder_ctl(dec, OPUS_RESET_STATE);
}
#endif
