// The fast path of the GB18030 decoder (`GB18030.decode` in Swift holds the rules and the
// general loop): runs of ASCII and of two-byte characters, decoded without a chain from one
// character's output to the next one's load. What a pair of bytes decodes to — or that it is
// not a character — comes only from the caller's table, which glibc's iconv filled; anything
// the table does not answer (a NUL, a four-byte code, a byte that is not GB18030, the six
// two-byte codes beyond the BMP) stops the
// fast path at that character, for the general loop to decide.
//
// A step reads a window of the input at the current character: its ASCII bytes up to the first
// byte ≥ 0x80 are stored in one vector store; then the run of bytes ≥ 0x80 that follows is taken
// as pairs (a run starts at a lead byte, so its bytes pair up from the start), up to eight of
// them, each looked up in the table independently of the others. When all of them are three
// bytes of UTF-8 (every CJK ideograph of the BMP), they are written at out + 3j with no
// dependency between them; else one by one, each advancing the output by its own length.

#include "CFastBytes.h"
#include <string.h>

static inline void store32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline uint32_t pair_index(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

// An entry the fast path writes: one to three bytes of UTF-8. Not 0 (no character) nor a
// length of 4 (a character beyond the BMP, which the general loop asks iconv for).
static inline int usable(uint32_t e) { return e - 1 < (4u << 24) - 1; }

// `count` pairs at p, one by one (entries of mixed lengths): false at a pair the table refuses,
// with *i and *o at that pair.
static inline int pairs_one_by_one(const uint8_t *p, size_t count, uint8_t *out, const uint32_t *table, size_t *i, size_t *o) {
    for (size_t j = 0; j < count; j++) {
        uint32_t e = table[pair_index(p + *i)];
        if (!usable(e)) return 0;
        store32(out + *o, e);
        *o += e >> 24;
        *i += 2;
    }
    return 1;
}

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,bmi")))

// One step at `*pos` of the 64-byte window `w`, whose bytes ≥ 0x80 are the bits of `high`: the
// ASCII bytes there (at most 32), then the pairs of the run of bytes ≥ 0x80 after them (at most
// eight). False at a pair the table refuses, *pos at its lead.
AVX2 static inline __attribute__((always_inline)) int step(const uint8_t *w, uint64_t high, unsigned *pos, uint8_t *out, size_t *o,
                                                              const uint32_t *table) {
    const __m128i swap = _mm_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                          0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    unsigned at = *pos;
    const uint64_t h = high >> at;                     // at < 64
    unsigned k = (unsigned)_tzcnt_u64(h);              // 64 when none
    const unsigned avail = 64 - at;
    if (k > 32) k = 32;
    if (k > avail) k = avail;
    _mm256_storeu_si256((__m256i *)(out + *o), _mm256_loadu_si256((const __m256i *)(w + at)));
    at += k;
    size_t to = *o + k;
    const unsigned run = (unsigned)_tzcnt_u64(~(h >> k)); // zeros shifted in end it at the window's end
    if (__builtin_expect(run == 1, 0)) {
        uint32_t e = table[pair_index(w + at)];
        if (!usable(e)) { *pos = at; *o = to; return 0; }
        store32(out + to, e);
        *pos = at + 2; *o = to + (e >> 24);
        return 1;
    }
    unsigned pairs = run >> 1;
    if (pairs > 8) pairs = 8;
    const __m128i bytes = _mm_loadu_si128((const __m128i *)(w + at));
    const __m256i index = _mm256_cvtepu16_epi32(_mm_shuffle_epi8(bytes, swap));
    const __m256i e = _mm256_i32gather_epi32((const int *)table, index, 4);
    const unsigned ok = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_srli_epi32(e, 24), _mm256_set1_epi32(3))));
    const unsigned need = (1u << pairs) - 1;
    if (__builtin_expect((ok & need) == need, 1)) {
        const __m256i packed = _mm256_shuffle_epi8(e, pack);
        _mm_storeu_si128((__m128i *)(out + to), _mm256_castsi256_si128(packed));
        _mm_storeu_si128((__m128i *)(out + to + 12), _mm256_extracti128_si256(packed, 1));
        *pos = at + 2 * pairs; *o = to + 3 * pairs;
        return 1;
    }
    size_t ii = at;
    int r = pairs_one_by_one(w, pairs, out, table, &ii, &to);
    *pos = (unsigned)ii; *o = to;
    return r;
}

AVX2 size_t fh_gb18030_avx2(const uint8_t *p, size_t n, uint8_t *out, const uint32_t *table, size_t *written) {
    size_t i = 0, o = 0;
    while (n - i >= 96) {
        const __m256i v0 = _mm256_loadu_si256((const __m256i *)(p + i));
        const __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        const __m256i zero = _mm256_setzero_si256();
        const uint64_t nul = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, zero)) | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, zero)) << 32;
        if (nul) break;
        const uint64_t high = (uint32_t)_mm256_movemask_epi8(v0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32;
        unsigned pos = 0;
        if (!step(p + i, high, &pos, out, &o, table)) { i += pos; break; }
        if (!step(p + i, high, &pos, out, &o, table)) { i += pos; break; }
        i += pos;
    }
    *written = o;
    return i;
}

// Which bytes ≥ 0x80 of a block lead a character: within a run of them, every other one from
// the run's start (a trail byte ≥ 0x80 is inside the run; a lead at a run's end has its trail
// below 0x80). `carry`: the block's byte 0 is the trail of the last block's last byte. The run
// starts at odd places are found by adding them to the run bits (the carry clears the run),
// as simdjson finds its runs of backslashes.
static inline uint64_t pair_leads(uint64_t high, uint64_t carry) {
    const uint64_t even = 0x5555555555555555ULL;
    const uint64_t h = high & ~carry;
    const uint64_t starts = h & ~(h << 1);
    const uint64_t odd_runs = h & ~(h + (starts & ~even));
    return h & ((odd_runs & ~even) | (~odd_runs & even));
}

AVX2 size_t fh_gb18030_pairs_avx2(const uint8_t *p, size_t n) {
    size_t i = 0;
    uint64_t carry = 0;
    while (n - i >= 64) {
        const __m256i v0 = _mm256_loadu_si256((const __m256i *)(p + i));
        const __m256i v1 = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        const __m256i zero = _mm256_setzero_si256();
        const uint64_t nul = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, zero))
                           | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, zero)) << 32;
        const uint64_t high = (uint64_t)(uint32_t)_mm256_movemask_epi8(v0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(v1) << 32;
        if (nul) break;
        if (high == 0 && carry == 0) { i += 64; continue; }
        const uint64_t lead = pair_leads(high, carry);
        const uint64_t trail = lead << 1 | carry;
        // A lead of 80 or FF, a trail below 40 (a four-byte code's digit too: left to the
        // decoder), 7F or FF.
        const __m256i x80 = _mm256_set1_epi8((char)0x80), xff = _mm256_set1_epi8((char)0xFF), x7f = _mm256_set1_epi8(0x7F);
        const __m256i x3f = _mm256_set1_epi8(0x3F);
        const uint64_t is80 = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, x80))
                            | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, x80)) << 32;
        const uint64_t isff = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, xff))
                            | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, xff)) << 32;
        const uint64_t is7f = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, x7f))
                            | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, x7f)) << 32;
        const uint64_t below40 = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(v0, x3f), x3f))
                               | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(v1, x3f), x3f)) << 32;
        if ((lead & (is80 | isff)) | (trail & (below40 | is7f | isff))) break;
        carry = lead >> 63;
        i += 64;
    }
    // Stopped inside a character (the last block's last byte leads one): back to its lead.
    return carry ? i - 1 : i;
}

#else

size_t fh_gb18030_avx2(const uint8_t *p, size_t n, uint8_t *out, const uint32_t *table, size_t *written) {
    (void)p; (void)n; (void)out; (void)table;
    *written = 0;
    return 0;
}

size_t fh_gb18030_pairs_avx2(const uint8_t *p, size_t n) {
    (void)p; (void)n;
    return 0;
}

#endif
