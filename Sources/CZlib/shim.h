#ifndef FIVEHOURS_CZLIB_SHIM_H
#define FIVEHOURS_CZLIB_SHIM_H
// zlib (zlib1g-dev): the workbooks' sheets, deflated in pieces on both cores (WorkbookZip).
#include <zlib.h>

/// deflateInit2 is a macro: a raw deflate stream (no zlib header, as a zip entry holds it).
static inline int fivehours_deflate_init_raw(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

/// inflateInit2 is a macro: a raw inflate stream.
static inline int fivehours_inflate_init_raw(z_streamp stream) {
    return inflateInit2(stream, -MAX_WBITS);
}
#endif
