#ifndef DIALGATE_CSRTP_SHIM_H
#define DIALGATE_CSRTP_SHIM_H
#include <srtp2/srtp.h>
#endif
