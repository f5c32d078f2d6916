#ifndef FIVEHOURS_CFASTBYTES_H
#define FIVEHOURS_CFASTBYTES_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when this CPU runs the AVX2 code below (checked once, at run time).
int fh_has_avx2(void);

/// 1 when the `n` bytes at `p` are valid UTF-8 (no overlong forms, no surrogates, nothing above
/// U+10FFFF, no sequence cut off at the end), else 0. AVX2 only: call when fh_has_avx2().
/// The caller finds where a file goes wrong with its own scalar check; this only answers yes/no,
/// 32 bytes at a time.
int fh_utf8_valid_avx2(const uint8_t *p, size_t n);

/// 1 when the bytes are valid UTF-8 (as fh_utf8_valid_avx2) and hold no zero byte, else 0: the
/// one pass that tells a part of a large file is plain text. AVX2 only.
int fh_text_valid_avx2(const uint8_t *p, size_t n);

/// For the 64 bytes at `p` (which must all be readable): bit i set when p[i] is a comma; and in
/// `*others`, when it is a double quote, CR or LF. The row splitter takes a row's cells from the
/// first mask up to the first bit of the second. AVX2 only.
uint64_t fh_csv_commas_avx2(const uint8_t *p, uint64_t *others);

#endif
