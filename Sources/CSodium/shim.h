#ifndef DIALGATE_CSODIUM_SHIM_H
#define DIALGATE_CSODIUM_SHIM_H
#include <sodium.h>
#endif
