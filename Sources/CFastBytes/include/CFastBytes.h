#ifndef FIVEHOURS_CFASTBYTES_H
#define FIVEHOURS_CFASTBYTES_H

#include <stddef.h>
#include <stdint.h>

/// Nonzero when this CPU runs the AVX2 code below, with the POPCNT and BMI1 instructions the
/// separator index also uses (every AVX2 processor has them); checked once, at run time.
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
/// `*others`, when it is a double quote, CR or LF (`SpecialBytes`, the splitter of rows the
/// separator index leaves, reads them as one mask). AVX2 only.
uint64_t fh_csv_commas_avx2(const uint8_t *p, uint64_t *others);

/// The state a text check carries from one stretch of a buffer to the next (zero to begin).
typedef struct fh_scan_state {
    uint8_t previous[32];
    uint8_t error[32];
} fh_scan_state;

/// Where a CSV text's separators are: the offsets of every comma, quote, CR and LF
/// (`separators`), and of the quotes, CRs and LFs alone (`ends`, a row's end or what keeps it from
/// being plain), each in increasing order. The caller owns both arrays, with room for
/// `FH_INDEX_SLACK` entries past what a scan may add.
typedef struct fh_scan_index {
    uint32_t *separators;
    size_t separator_count;
    uint32_t *ends;
    size_t end_count;
} fh_scan_index;

/// Entries past the counts that fh_scan_index_avx2 and fh_scan_index_avx512 may write (they mean
/// nothing).
#define FH_INDEX_SLACK 16

/// One pass over the 64-byte blocks p[0 ..< 64 * blocks] that appends to `index` the offsets,
/// plus `base`, of their separators (at most 64 × blocks entries to each array), and, when
/// `validate` is nonzero, continues the text check of fh_text_valid_avx2 in `state` (valid UTF-8,
/// no zero byte) as if all the stretches given so far were one. `validate` must be the same in
/// every call on one state (the state only advances when it is set). AVX2, BMI1 and POPCNT only
/// (fh_has_avx2).
void fh_scan_index_avx2(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                        fh_scan_index *index);

/// Nonzero when this CPU also runs fh_scan_index_avx512 (AVX-512 F, BW and VBMI2, with the OS
/// saving the wide registers); checked once, at run time.
int fh_has_avx512(void);

/// The offset of the first line of p[0..<n) (lines end after a line feed or a carriage return,
/// as CSV's do: a CRLF makes an empty line between them) whose bytes are valid
/// UTF-8 holding at least `least` bytes E3–E9 (each the lead of a three-byte character
/// U+3000–U+9FFF: Chinese), or -1: a line saved as UTF-8 inside a GB18030 file. Valid as the
/// UTF-8 check (Keiser and Lemire's lookup) finds it on each line alone, as if the line began the
/// file, each error counted against the line of the byte where the check flags it (a line feed
/// that cuts a sequence short: the line it ends); bytes past the end read as spaces. fh_first_utf8_line_avx2 gives the same answer on AVX2 with
/// BMI1 and POPCNT (fh_has_avx2).
long fh_first_utf8_line(const uint8_t *p, size_t n, int least);
long fh_first_utf8_line_avx2(const uint8_t *p, size_t n, int least);


/// fh_scan_index_avx2 on AVX-512: the same entries and the same `state` (either scan's state
/// may be continued or finished by the AVX2 calls), 64 bytes a step. Up to FH_INDEX_SLACK
/// entries past the counts are written. AVX-512 only (fh_has_avx512).
void fh_scan_index_avx512(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                          fh_scan_index *index);

/// Writes at `out` the offsets of the CR and LF bytes among the `n` bytes at `p`, in increasing
/// order, and returns how many there are. `out` needs room for that many and two more (scratch).
/// AVX2, BMI1 and POPCNT only (fh_has_avx2).
size_t fh_line_bytes_avx2(const uint8_t *p, size_t n, uint32_t *out);

/// The attribute guard of the XML reader (`XMLReader.StartTagGuard`): counts the `=` bytes since
/// the last `<` over the `n` bytes at `p`, `*equals` carrying the count from the stretch before
/// and after. Returns an offset near where the count first passes `limit` (the start of its
/// 64-byte block), or -1. AVX2, BMI1 and POPCNT only (fh_has_avx2).
long fh_equals_since_lt_avx2(const uint8_t *p, size_t n, uint32_t *equals, uint32_t limit);

/// Nonzero when the check in `state` has already found an error.
int fh_scan_failed_avx2(const fh_scan_state *state);

/// Ends the check in `state` with the last `n` bytes at `p` (any number, 0 included): 1 when
/// everything given was valid UTF-8 without a zero byte and no sequence is cut off at the end.
int fh_scan_finish_avx2(const uint8_t *p, size_t n, fh_scan_state *state);

/// The fast path of the GB18030 decoder (`GB18030.decode`): decodes from the `n` bytes at `p`
/// into `out` the ASCII bytes and two-byte characters it meets, by `table` (the UTF-8 of each
/// pair `lead << 8 | trail`, its length in the top byte, 0 for a pair that is not a two-byte
/// character), and stops before anything else — a NUL byte, a four-byte code, a pair the table
/// refuses — and when fewer than 96 bytes are left. `p` must start at a character; `out` needs
/// room for 2 × n + 4 bytes (bytes past what it reports are scratch). Returns the bytes consumed
/// and sets `*written`. AVX2 and BMI1 only (fh_has_avx2).
size_t fh_gb18030_avx2(const uint8_t *p, size_t n, uint8_t *out, const uint32_t *table, size_t *written);

/// The fast path of the GB18030 check (`GB18030.isText`, whose exact rule is the decoder's):
/// from a character's start at `p`, the length of the stretch of 64-byte blocks in which every
/// byte is ASCII other than NUL or one of a two-byte character (lead 81–FE, trail 40–7E or
/// 80–FE: every such pair is a character), ending at a character's start. It stops before the
/// first block holding anything else — a NUL, a four-byte code, a byte that is not GB18030 — and
/// when fewer than 64 bytes are left, for the decoder to decide. AVX2 and BMI1 only (fh_has_avx2).
size_t fh_gb18030_pairs_avx2(const uint8_t *p, size_t n);

/// Installs the SIGBUS guard of input mappings (sigbus.c): once, at start-up.
void fh_install_sigbus_guard(void);
/// Watches the mapping `p[0..<n]`: a fault in it (the file was cut short) is answered with zeros.
/// Returns the slot to ask and to release, or -1 when the table is full (then unwatched).
int fh_watch_mapping(const void *p, size_t n);
/// Nonzero when a page of the watched mapping was past the file's end when touched.
int fh_mapping_cut(int slot);
void fh_unwatch_mapping(int slot);

/// Asks for the cache line at `p` ahead of its use (a hint: no fault, no effect on the result).
static inline void fh_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
