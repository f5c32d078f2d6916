// Byte scans that Swift cannot vectorise by itself here: a UTF-8 validator after Keiser and
// Lemire, "Validating UTF-8 In Less Than One Instruction Per Byte" (2021), the algorithm of
// simdjson and simdutf, and the mask and index of CSV's special bytes. They run on AVX2, which
// every x86-64 server of the last decade has; fh_has_avx2() lets the caller fall back to Swift.
// The index, the import's one pass over every byte, also runs on AVX-512 (fh_has_avx512()).
// No rule of the campaign is here: what a cell means is read in Swift, once (`ValueParser`).

#include "CFastBytes.h"
#include <string.h>

// The rule of the UTF-8 check (Keiser and Lemire's lookup), whose tables the AVX2 code applies to
// 32 bytes at once; fh_first_utf8_line applies it one byte at a time.
enum {
    TOO_SHORT = 1 << 0,      // 11______ 0_______ or 11______ 11______
    TOO_LONG = 1 << 1,       // 0_______ 10______
    OVERLONG_3 = 1 << 2,     // 11100000 100_____
    TOO_LARGE = 1 << 3,      // 11110100 1001____ and above
    SURROGATE = 1 << 4,      // 11101101 101_____
    OVERLONG_2 = 1 << 5,     // 1100000_ 10______
    TOO_LARGE_1000 = 1 << 6, // 11110101 1000____ and above
    OVERLONG_4 = 1 << 6,     // 11110000 1000____
    TWO_CONTS = 1 << 7,      // 10______ 10______
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS,
};

static const uint8_t byte_1_high_table[16] = {
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
    TOO_SHORT | OVERLONG_2,
    TOO_SHORT,
    TOO_SHORT | OVERLONG_3 | SURROGATE,
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,
};

static const uint8_t byte_1_low_table[16] = {
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
    CARRY | OVERLONG_2,
    CARRY,
    CARRY,
    CARRY | TOO_LARGE,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
};

static const uint8_t byte_2_high_table[16] = {
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
};

// The lookup rule at one byte: nonzero when the check flags byte `b`, given the three before it.
static inline uint8_t utf8_error_at(uint8_t b, uint8_t prev1, uint8_t prev2, uint8_t prev3) {
    uint8_t sc = byte_1_high_table[prev1 >> 4] & byte_1_low_table[prev1 & 15] & byte_2_high_table[b >> 4];
    uint8_t must23 = (prev2 >= 0xE0 || prev3 >= 0xF0) ? 0x80 : 0;
    return sc ^ must23;
}

long fh_first_utf8_line(const uint8_t *p, size_t n, int least) {
    uint8_t prev1 = 0, prev2 = 0, prev3 = 0;
    size_t start = 0;
    int bad = 0, cjk = 0;
    for (size_t j = 0; j < n + 3; j++) {
        uint8_t b = j < n ? p[j] : ' ';
        bad |= utf8_error_at(b, prev1, prev2, prev3) != 0;
        cjk += b >= 0xE3 && b <= 0xE9;
        prev3 = prev2;
        prev2 = prev1;
        prev1 = b;
        if ((b == '\n' || b == '\r') && j < n) {
            if (!bad && cjk >= least) return (long)start;
            start = j + 1;
            bad = 0;
            cjk = 0;
            // Each line is checked on its own, as if it began the file: a GBK line's last bytes
            // (F0–FE, common) must not make the next line's first byte an error.
            prev1 = prev2 = prev3 = 0;
        }
    }
    return start < n && !bad && cjk >= least ? (long)start : -1;
}

#if defined(__x86_64__)
#include <immintrin.h>

int fh_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("popcnt");
}

#define AVX2 __attribute__((target("avx2")))
// The separator index also counts and finds bits (POPCNT, BMI1), which every AVX2 processor has.
#define INDEX __attribute__((target("avx2,bmi,popcnt")))

// The 16-entry table `t` applied to each byte's low nibble (`idx` holds 0…15 in every byte).
AVX2 static inline __m256i lookup16(__m256i idx, const uint8_t t[16]) {
    __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
    return _mm256_shuffle_epi8(table, idx);
}

AVX2 static inline __m256i high_nibbles(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

// The input shifted by N bytes, the last N bytes of the previous block coming first.
#define PREV(input, prev, N) _mm256_alignr_epi8((input), _mm256_permute2x128_si256((prev), (input), 0x21), 16 - (N))

// Errors of one 32-byte block (nonzero bytes), given the block before it.
AVX2 static inline __m256i block_errors(__m256i input, __m256i prev_input) {
    __m256i prev1 = PREV(input, prev_input, 1);
    __m256i sc = _mm256_and_si256(
        _mm256_and_si256(lookup16(high_nibbles(prev1), byte_1_high_table),
                         lookup16(_mm256_and_si256(prev1, _mm256_set1_epi8(0x0F)), byte_1_low_table)),
        lookup16(high_nibbles(input), byte_2_high_table));
    // Bytes that must be the second or third continuation of a three- or four-byte sequence.
    __m256i prev2 = PREV(input, prev_input, 2);
    __m256i prev3 = PREV(input, prev_input, 3);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must23_80 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must23_80, sc);
}

// Nonzero when the block ends inside a sequence (its last three bytes start one too long).
AVX2 static inline __m256i block_incomplete(__m256i input) {
    const __m256i max_value = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm256_subs_epu8(input, max_value);
}

// The 32 bytes at p + i, or the last ones padded with ASCII spaces (an open sequence then shows
// as an error; a space, not a zero, which would read as a NUL).
AVX2 static inline __m256i load32(const uint8_t *p, size_t i, size_t n) {
    if (i + 32 <= n) return _mm256_loadu_si256((const __m256i *)(p + i));
    uint8_t tail[32];
    memset(tail, ' ', sizeof tail);
    memcpy(tail, p + i, n - i);
    return _mm256_loadu_si256((const __m256i *)tail);
}

// `nul`: a zero byte counts as an error too (no text file holds one).
AVX2 static inline int valid(const uint8_t *p, size_t n, int nul) {
    __m256i prev_input = _mm256_setzero_si256();
    __m256i prev_incomplete = _mm256_setzero_si256();
    __m256i error = _mm256_setzero_si256();
    size_t i = 0;
    while (i < n) {
        __m256i input = load32(p, i, n);
        if (nul) error = _mm256_or_si256(error, _mm256_cmpeq_epi8(input, _mm256_setzero_si256()));
        if (_mm256_movemask_epi8(input) == 0) {
            error = _mm256_or_si256(error, prev_incomplete);
            prev_incomplete = _mm256_setzero_si256();
        } else {
            error = _mm256_or_si256(error, block_errors(input, prev_input));
            prev_incomplete = block_incomplete(input);
        }
        prev_input = input;
        i += 32;
        // Checked every 1 KB: a file that is not UTF-8 (GB18030) fails in its first lines.
        if ((i & 1023) == 0 && !_mm256_testz_si256(error, error)) return 0;
    }
    error = _mm256_or_si256(error, prev_incomplete);
    return _mm256_testz_si256(error, error);
}

AVX2 int fh_utf8_valid_avx2(const uint8_t *p, size_t n) { return valid(p, n, 0); }

AVX2 int fh_text_valid_avx2(const uint8_t *p, size_t n) { return valid(p, n, 1); }

AVX2 uint64_t fh_csv_commas_avx2(const uint8_t *p, uint64_t *others) {
    __m256i lo = _mm256_loadu_si256((const __m256i *)p);
    __m256i hi = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"');
    __m256i cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');
    __m256i olo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, quote), _mm256_or_si256(_mm256_cmpeq_epi8(lo, cr), _mm256_cmpeq_epi8(lo, lf)));
    __m256i ohi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, quote), _mm256_or_si256(_mm256_cmpeq_epi8(hi, cr), _mm256_cmpeq_epi8(hi, lf)));
    *others = (uint64_t)(uint32_t)_mm256_movemask_epi8(olo) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(ohi) << 32);
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, comma))
         | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, comma)) << 32);
}

// One 32-byte step of the text check: `previous` is the 32 bytes before `input`. Every step goes
// through block_errors, ASCII or not (no branch): an ASCII step after a sequence left open is
// caught there (its first byte is TOO_SHORT after a lead byte), so only the end of the input
// needs block_incomplete.
AVX2 static inline __m256i text_errors(__m256i input, __m256i previous) {
    return _mm256_or_si256(_mm256_cmpeq_epi8(input, _mm256_setzero_si256()), block_errors(input, previous));
}

AVX2 static inline uint64_t movemask64(__m256i lo, __m256i hi) {
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(lo) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32);
}

// Bit positions of `bits`, plus `base`, appended at `out` eight at a time with no branch per bit
// (after simdjson's "flatten"): a block holds a varying number of separators, and a loop per bit
// mispredicts its end. Up to eight entries past the returned end are written (eight when the
// block has none) and mean nothing.
INDEX static inline uint32_t *flatten(uint32_t *out, uint64_t bits, uint32_t base) {
    const int count = __builtin_popcountll(bits);
    uint32_t *w = out;
    do {
        for (int i = 0; i < 8; i++) {
            w[i] = base + (uint32_t)_tzcnt_u64(bits);
            bits = _blsr_u64(bits);
        }
        w += 8;
    } while (bits);
    return out + count;
}

// The same for the line ends and quotes, which a block holds few of (about one row ends in two
// blocks of a typical log): two entries without a branch, a loop for the rare rest.
INDEX static inline uint32_t *flatten_few(uint32_t *out, uint64_t bits, uint32_t base) {
    const int count = __builtin_popcountll(bits);
    out[0] = base + (uint32_t)_tzcnt_u64(bits);
    bits = _blsr_u64(bits);
    out[1] = base + (uint32_t)_tzcnt_u64(bits);
    bits = _blsr_u64(bits);
    for (uint32_t *w = out + 2; bits; w++) {
        *w = base + (uint32_t)_tzcnt_u64(bits);
        bits = _blsr_u64(bits);
    }
    return out + count;
}

INDEX void fh_scan_index_avx2(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                              fh_scan_index *index) {
    __m256i previous = _mm256_loadu_si256((const __m256i *)state->previous);
    __m256i error = _mm256_loadu_si256((const __m256i *)state->error);
    const __m256i comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"');
    const __m256i cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');
    uint32_t *seps = index->separators + index->separator_count;
    uint32_t *ends = index->ends + index->end_count;
    for (size_t k = 0; k < blocks; k++) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(p + 64 * k));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(p + 64 * k + 32));
        if (validate) {
            error = _mm256_or_si256(error, text_errors(lo, previous));
            error = _mm256_or_si256(error, text_errors(hi, lo));
            previous = hi;
        }
        __m256i olo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, quote), _mm256_or_si256(_mm256_cmpeq_epi8(lo, cr), _mm256_cmpeq_epi8(lo, lf)));
        __m256i ohi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, quote), _mm256_or_si256(_mm256_cmpeq_epi8(hi, cr), _mm256_cmpeq_epi8(hi, lf)));
        const uint64_t others = movemask64(olo, ohi);
        const uint64_t commas = movemask64(_mm256_cmpeq_epi8(lo, comma), _mm256_cmpeq_epi8(hi, comma));
        const uint32_t at = base + (uint32_t)(64 * k);
        seps = flatten(seps, commas | others, at);
        ends = flatten_few(ends, others, at);
    }
    index->separator_count = (size_t)(seps - index->separators);
    index->end_count = (size_t)(ends - index->ends);
    _mm256_storeu_si256((__m256i *)state->previous, previous);
    _mm256_storeu_si256((__m256i *)state->error, error);
}

// The separator index on AVX-512 (BW for the byte compares and shuffles, VBMI2 for compress):
// one 64-byte register where AVX2 takes two halves, the compares straight into bit masks, and
// a block's separator offsets written by compressing the block's byte positions under its mask
// (`flatten512`) instead of one bit at a time. The text check is block_errors on the whole
// block; the state it leaves is the AVX2 scan's (the block's last 32 bytes, the error bytes), so
// that fh_scan_failed_avx2 and fh_scan_finish_avx2 read it alike.
int fh_has_avx512(void) {
    __builtin_cpu_init();
    return fh_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vbmi2");
}

#define W512 __attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt")))

W512 static inline __m512i lookup16_512(__m512i idx, const uint8_t t[16]) {
    __m512i table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t));
    return _mm512_shuffle_epi8(table, idx);
}

// The input shifted by N bytes, the last N bytes of the previous block coming first: each
// 16-byte lane shifted in from the lane before it (`alignr_epi64` puts the previous block's
// last lane before the first).
#define PREV512(input, prev, N) _mm512_alignr_epi8((input), _mm512_alignr_epi64((input), (prev), 6), 16 - (N))

// block_errors on a 64-byte block.
W512 static inline __m512i errors512(__m512i input, __m512i prev_input) {
    const __m512i low = _mm512_set1_epi8(0x0F);
    __m512i prev1 = PREV512(input, prev_input, 1);
    __m512i h1 = _mm512_and_si512(_mm512_srli_epi16(prev1, 4), low);
    __m512i l1 = _mm512_and_si512(prev1, low);
    __m512i h2 = _mm512_and_si512(_mm512_srli_epi16(input, 4), low);
    // 0x80: the three lookups and-ed in one instruction.
    __m512i sc = _mm512_ternarylogic_epi32(lookup16_512(h1, byte_1_high_table), lookup16_512(l1, byte_1_low_table),
                                           lookup16_512(h2, byte_2_high_table), 0x80);
    __m512i prev2 = PREV512(input, prev_input, 2);
    __m512i prev3 = PREV512(input, prev_input, 3);
    __m512i third = _mm512_subs_epu8(prev2, _mm512_set1_epi8((char)(0xE0 - 0x80)));
    __m512i fourth = _mm512_subs_epu8(prev3, _mm512_set1_epi8((char)(0xF0 - 0x80)));
    __m512i must23_80 = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8((char)0x80));
    return _mm512_xor_si512(must23_80, sc);
}

// The offsets of `bits`, plus `base`, appended at `out` sixteen at a time: the block's byte
// positions (`iota`) compressed under the mask, widened to 32 bits. Up to fifteen entries past
// the returned end are written (sixteen when there are none) and mean nothing.
W512 static inline uint32_t *flatten512(uint32_t *out, uint64_t bits, uint32_t base, __m512i iota) {
    const int count = __builtin_popcountll(bits);
    __m512i c = _mm512_maskz_compress_epi8(bits, iota);
    __m512i b = _mm512_set1_epi32((int)base);
    _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(c)), b));
    if (count > 16) {
        _mm512_storeu_si512(out + 16, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(c, 1)), b));
        if (count > 32) {
            _mm512_storeu_si512(out + 32, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(c, 2)), b));
            if (count > 48) _mm512_storeu_si512(out + 48, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(c, 3)), b));
        }
    }
    return out + count;
}

W512 void fh_scan_index_avx512(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                              fh_scan_index *index) {
    __m512i previous = _mm512_inserti64x4(_mm512_setzero_si512(), _mm256_loadu_si256((const __m256i *)state->previous), 1);
    __m512i error = _mm512_setzero_si512();
    uint64_t nul = 0;
    const __m512i comma = _mm512_set1_epi8(','), quote = _mm512_set1_epi8('"');
    const __m512i cr = _mm512_set1_epi8('\r'), lf = _mm512_set1_epi8('\n');
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
                                         41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
                                         19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint32_t *seps = index->separators + index->separator_count;
    uint32_t *ends = index->ends + index->end_count;
    for (size_t k = 0; k < blocks; k++) {
        __m512i in = _mm512_loadu_si512((const void *)(p + 64 * k));
        if (validate) {
            error = _mm512_or_si512(error, errors512(in, previous));
            nul |= _mm512_testn_epi8_mask(in, in);
            previous = in;
        }
        const uint64_t others = _mm512_cmpeq_epi8_mask(in, quote) | _mm512_cmpeq_epi8_mask(in, cr)
                              | _mm512_cmpeq_epi8_mask(in, lf);
        const uint64_t commas = _mm512_cmpeq_epi8_mask(in, comma);
        const uint32_t at = base + (uint32_t)(64 * k);
        seps = flatten512(seps, commas | others, at, iota);
        ends = flatten_few(ends, others, at); // one or two: bit by bit is faster here
    }
    index->separator_count = (size_t)(seps - index->separators);
    index->end_count = (size_t)(ends - index->ends);
    if (validate) {
        __m256i e = _mm256_or_si256(_mm512_castsi512_si256(error), _mm512_extracti64x4_epi64(error, 1));
        if (nul) e = _mm256_or_si256(e, _mm256_set1_epi8(1));
        e = _mm256_or_si256(e, _mm256_loadu_si256((const __m256i *)state->error));
        _mm256_storeu_si256((__m256i *)state->error, e);
        _mm256_storeu_si256((__m256i *)state->previous, _mm512_extracti64x4_epi64(previous, 1));
    }
}

// The offsets of the CR and LF bytes of p[0..<n], 64 bytes at a time (`flatten_few`: a row holds
// one or two of them). Up to two entries past the returned count are written and mean nothing.
INDEX size_t fh_line_bytes_avx2(const uint8_t *p, size_t n, uint32_t *out) {
    const __m256i cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');
    uint32_t *w = out;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        const uint64_t bits = movemask64(_mm256_or_si256(_mm256_cmpeq_epi8(lo, cr), _mm256_cmpeq_epi8(lo, lf)),
                                         _mm256_or_si256(_mm256_cmpeq_epi8(hi, cr), _mm256_cmpeq_epi8(hi, lf)));
        if (bits) w = flatten_few(w, bits, (uint32_t)i);
    }
    for (; i < n; i++) {
        if (p[i] == '\n' || p[i] == '\r') *w++ = (uint32_t)i;
    }
    return (size_t)(w - out);
}

// The `=` bytes since the last `<`, 64 bytes at a time: a block without `<` adds its count; one
// with `<` checks the count up to its first `<` and starts again after its last (a stretch
// between two `<` inside one block holds fewer than 64). Returns the block (or byte, at the
// tail) where the count passes `limit`, or -1; `*equals` carries the count on.
INDEX long fh_equals_since_lt_avx2(const uint8_t *p, size_t n, uint32_t *equals, uint32_t limit) {
    const __m256i eq = _mm256_set1_epi8('='), lt = _mm256_set1_epi8('<');
    uint32_t count = *equals;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i lo = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i hi = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        const uint64_t e = movemask64(_mm256_cmpeq_epi8(lo, eq), _mm256_cmpeq_epi8(hi, eq));
        const uint64_t l = movemask64(_mm256_cmpeq_epi8(lo, lt), _mm256_cmpeq_epi8(hi, lt));
        if (!l) {
            count += (uint32_t)_mm_popcnt_u64(e);
        } else {
            const uint64_t first = l & (0 - l);
            count += (uint32_t)_mm_popcnt_u64(e & (first - 1));
            if (count > limit) { *equals = count; return (long)i; }
            const unsigned last = 63 - (unsigned)__builtin_clzll(l);
            count = last == 63 ? 0 : (uint32_t)_mm_popcnt_u64(e >> (last + 1));
        }
        if (count > limit) { *equals = count; return (long)i; }
    }
    for (; i < n; i++) {
        if (p[i] == '<') count = 0;
        else if (p[i] == '=' && ++count > limit) { *equals = count; return (long)i; }
    }
    *equals = count;
    return -1;
}

AVX2 int fh_scan_failed_avx2(const fh_scan_state *state) {
    __m256i error = _mm256_loadu_si256((const __m256i *)state->error);
    return !_mm256_testz_si256(error, error);
}

AVX2 int fh_scan_finish_avx2(const uint8_t *p, size_t n, fh_scan_state *state) {
    __m256i previous = _mm256_loadu_si256((const __m256i *)state->previous);
    __m256i error = _mm256_loadu_si256((const __m256i *)state->error);
    for (size_t i = 0; i < n; i += 32) {
        __m256i input = load32(p, i, n);
        error = _mm256_or_si256(error, text_errors(input, previous));
        previous = input;
    }
    error = _mm256_or_si256(error, block_incomplete(previous));
    _mm256_storeu_si256((__m256i *)state->previous, previous);
    _mm256_storeu_si256((__m256i *)state->error, error);
    return _mm256_testz_si256(error, error);
}

// block_errors with each line checked on its own, as if it began the file: the error a line's
// first two bytes get from the bytes before its line end (LF or CR) (a lead E0–FF two or three bytes back
// asks for a continuation) is taken back. Before a line's start the lookup sees a line feed, which
// answers as the zeros before a file's start do.
AVX2 static inline __m256i line_end(__m256i v) {
    return _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')));
}

AVX2 static inline __m256i line_errors(__m256i input, __m256i prev_input) {
    __m256i prev2 = PREV(input, prev_input, 2), prev3 = PREV(input, prev_input, 3);
    __m256i after1 = line_end(PREV(input, prev_input, 1)), after2 = line_end(prev2);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i spill = _mm256_or_si256(_mm256_and_si256(after1, _mm256_or_si256(third, fourth)), _mm256_and_si256(after2, fourth));
    return _mm256_xor_si256(block_errors(input, prev_input), _mm256_and_si256(spill, _mm256_set1_epi8((char)0x80)));
}

// The first line of a GB18030 file whose bytes are UTF-8 (`fh_first_utf8_line`), 64 bytes at a
// time: the UTF-8 check's error bytes (line_errors), the line ends (LF, CR) and the bytes E3–E9 (the lead
// of a three-byte character U+3000–U+9FFF) as bit masks, each line's share of them taken between
// two line feeds. Bytes past the end read as spaces, so that a sequence left open at the end is
// an error of the last line, as in the scalar function.
INDEX long fh_first_utf8_line_avx2(const uint8_t *p, size_t n, int least) {
    __m256i previous = _mm256_setzero_si256();
    const __m256i span = _mm256_set1_epi8((char)(0xE9 - 0xE3));
    size_t start = 0;      // the current line's first byte
    int bad = 0, cjk = 0;  // its errors and three-byte leads so far
    for (size_t i = 0; i < n + 3; i += 64) {
        __m256i lo = i < n ? load32(p, i, n) : _mm256_set1_epi8(' ');
        __m256i hi = i + 32 < n ? load32(p, i + 32, n) : _mm256_set1_epi8(' ');
        __m256i elo = line_errors(lo, previous), ehi = line_errors(hi, lo);
        uint64_t err = movemask64(_mm256_xor_si256(_mm256_cmpeq_epi8(elo, _mm256_setzero_si256()), _mm256_set1_epi8(-1)),
                                  _mm256_xor_si256(_mm256_cmpeq_epi8(ehi, _mm256_setzero_si256()), _mm256_set1_epi8(-1)));
        uint64_t feeds = movemask64(line_end(lo), line_end(hi));
        // E3–E9: (b - 0xE3) ≤ 6, unsigned.
        __m256i dlo = _mm256_sub_epi8(lo, _mm256_set1_epi8((char)0xE3)), dhi = _mm256_sub_epi8(hi, _mm256_set1_epi8((char)0xE3));
        uint64_t leads = movemask64(_mm256_cmpeq_epi8(_mm256_min_epu8(dlo, span), dlo), _mm256_cmpeq_epi8(_mm256_min_epu8(dhi, span), dhi));
        previous = hi;
        uint64_t taken = 0; // the bits of lines already ended in this block
        while (feeds) {
            int b = __builtin_ctzll(feeds);
            uint64_t upto = b == 63 ? ~0ULL : ((1ULL << (b + 1)) - 1);
            uint64_t mine = upto & ~taken;
            bad |= (err & mine) != 0;
            cjk += __builtin_popcountll(leads & mine);
            if (!bad && cjk >= least) return (long)start;
            start = i + (size_t)b + 1;
            bad = 0;
            cjk = 0;
            taken = upto;
            feeds &= feeds - 1;
        }
        bad |= (err & ~taken) != 0;
        cjk += __builtin_popcountll(leads & ~taken);
    }
    return start < n && !bad && cjk >= least ? (long)start : -1;
}

#else

int fh_has_avx2(void) { return 0; }
uint64_t fh_csv_commas_avx2(const uint8_t *p, uint64_t *others) { (void)p; *others = 0; return 0; }
int fh_utf8_valid_avx2(const uint8_t *p, size_t n) { (void)p; (void)n; return 0; }
int fh_text_valid_avx2(const uint8_t *p, size_t n) { (void)p; (void)n; return 0; }
int fh_has_avx512(void) { return 0; }
void fh_scan_index_avx512(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                          fh_scan_index *index) {
    (void)p; (void)blocks; (void)base; (void)validate; (void)state; (void)index;
}
void fh_scan_index_avx2(const uint8_t *p, size_t blocks, uint32_t base, int validate, fh_scan_state *state,
                        fh_scan_index *index) {
    (void)p; (void)blocks; (void)base; (void)validate; (void)state; (void)index;
}
size_t fh_line_bytes_avx2(const uint8_t *p, size_t n, uint32_t *out) { (void)p; (void)n; (void)out; return 0; }
long fh_equals_since_lt_avx2(const uint8_t *p, size_t n, uint32_t *equals, uint32_t limit) {
    (void)p; (void)n; (void)equals; (void)limit;
    return -1;
}
int fh_scan_failed_avx2(const fh_scan_state *state) { (void)state; return 1; }
int fh_scan_finish_avx2(const uint8_t *p, size_t n, fh_scan_state *state) { (void)p; (void)n; (void)state; return 0; }
long fh_first_utf8_line_avx2(const uint8_t *p, size_t n, int least) { (void)p; (void)n; (void)least; return -1; }

#endif
