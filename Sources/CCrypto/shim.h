#ifndef FIVEHOURS_CCRYPTO_SHIM_H
#define FIVEHOURS_CCRYPTO_SHIM_H
// Only SHA-256 is used, for the manifest's file hashes: OpenSSL's uses the CPU's SHA
// instructions, several times faster than a digest written in Swift.
#include <openssl/evp.h>
#endif
