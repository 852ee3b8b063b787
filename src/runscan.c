/* runscan.c — see runscan.h. */
#include "runscan.h"

#include "byteset.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_AVX2 1
#endif

#define BLOCK 64

void runscan_init(ps_runscan *r, const uint64_t alphabet[4], unsigned min_digits, unsigned min_len,
                  unsigned min_group, unsigned min_others)
{
    memset(r, 0, sizeof *r);
    for (unsigned c = 0; c < 256; c++)
        if (byteset_has(alphabet, c)) {
            r->member[c] = 1;
            r->nibbles[c >> 7][c & 15] |= (uint8_t)(1u << ((c >> 4) & 7));
        }
    r->min_digits = min_digits;
    r->min_len = min_len;
    r->min_others = min_others;
    r->min_group = min_group > BLOCK ? BLOCK : min_group;
    unsigned window = min_len > min_digits ? min_len : min_digits;
    r->window = window < 1 ? 1 : window > BLOCK ? BLOCK : window;
#ifdef PS_HAVE_AVX2
    __builtin_cpu_init();
    r->avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
              __builtin_cpu_supports("popcnt");
#endif
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* For the w <= BLOCK bytes at q: *a has bit i set when q[i] is in the alphabet, *d when it is also a digit. */
static void masks_scalar(const ps_runscan *r, const unsigned char *q, size_t w, uint64_t *a, uint64_t *d)
{
    uint64_t am = 0, dm = 0;
    for (size_t i = 0; i < w; i++) {
        am |= (uint64_t)r->member[q[i]] << i;
        dm |= (uint64_t)(r->member[q[i]] & is_digit(q[i])) << i;
    }
    *a = am;
    *d = dm;
}

/* Bits at and above i (i < 64), and below i. */
static inline uint64_t from_bit(unsigned i)
{
    return ~(uint64_t)0 << i;
}

static inline uint64_t below_bit(unsigned i)
{
    return i >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << i) - 1;
}

/* The runs that count, up to cap of them, from the block masks that `masks` gives (see runscan_runs). Only runs as
 * long as r->window are looked at: bits_run_starts finds where they start, a block and the next at a time, so the
 * many short runs of a line (a clock's "09", a pid) cost no step of their own. Inlined into one copy per instruction
 * set: with BMI and POPCNT each of the bit steps below is one instruction. */
#define RUNSCAN_BODY(masks, popcount)                                                                                  \
    do {                                                                                                               \
        size_t start = SIZE_MAX; /* the open run's first byte, or none */                                              \
        size_t k = 0;            /* runs found */                                                                      \
        unsigned digits = 0;     /* its digits so far */                                                               \
        bool grouped = false;    /* a group of min_group digits in a row starts in it */                               \
        uint64_t a, d, next_a = 0, next_d = 0;                                                                         \
        if (from < n)                                                                                                  \
            masks(r, u, n, from, n - from < BLOCK ? n - from : BLOCK, &next_a, &next_d);                               \
        for (size_t i = from; i < n; i += BLOCK) {                                                                     \
            if (start == SIZE_MAX && i > limit) /* line mode: the runs after the line are not asked for */            \
                return k;                                                                                              \
            size_t w = n - i < BLOCK ? n - i : BLOCK;                                                                  \
            bool more = i + w < n;                                                                                     \
            a = next_a;                                                                                                \
            d = next_d;                                                                                                \
            next_a = next_d = 0;                                                                                       \
            if (more)                                                                                                  \
                masks(r, u, n, i + BLOCK, n - i - BLOCK < BLOCK ? n - i - BLOCK : BLOCK, &next_a, &next_d);            \
            uint64_t starts = bits_run_starts(a, next_a, r->window);                                                   \
            if (!starts && start == SIZE_MAX) /* no run open or starting here: its digit groups are not needed */     \
                continue;                                                                                              \
            uint64_t groups = r->min_group > 1 ? bits_run_starts(d, next_d, r->min_group) : 0;                         \
            /* Runs are taken in order; starts loses the bits of each one done, so its lowest is the next run. */     \
            for (;;) {                                                                                                 \
                unsigned b = 0; /* the run's first bit in the block, or 0 for the run open at the block's start */     \
                if (start == SIZE_MAX) {                                                                               \
                    if (!starts)                                                                                       \
                        break;                                                                                         \
                    b = (unsigned)__builtin_ctzll(starts);                                                             \
                    start = i + b;                                                                                     \
                    digits = 0;                                                                                        \
                    grouped = r->min_group <= 1;                                                                       \
                    if (start > limit)                                                                                 \
                        return k;                                                                                      \
                }                                                                                                      \
                uint64_t ends = ~a & from_bit(b) & below_bit((unsigned)w);                                             \
                if (!ends && more) { /* it goes on into the next block */                                             \
                    digits += popcount(d & from_bit(b));                                                               \
                    grouped = grouped || (groups & from_bit(b));                                                       \
                    break;                                                                                             \
                }                                                                                                      \
                unsigned e = ends ? (unsigned)__builtin_ctzll(ends) : (unsigned)w;                                     \
                digits += popcount(d & from_bit(b) & below_bit(e));                                                    \
                grouped = grouped || (groups & from_bit(b) & below_bit(e));                                            \
                size_t len = i + e - start; /* its other bytes: len - digits */                                        \
                if (digits >= r->min_digits && len >= r->min_len && grouped && len - digits >= r->min_others) {        \
                    rs[k] = start;                                                                                     \
                    re[k] = i + e;                                                                                     \
                    if (++k == cap)                                                                                    \
                        return k;                                                                                      \
                }                                                                                                      \
                starts &= ~below_bit(e);                                                                               \
                start = SIZE_MAX;                                                                                      \
            }                                                                                                          \
        }                                                                                                              \
        return k;                                                                                                      \
    } while (0)

static inline void block_scalar(const ps_runscan *r, const unsigned char *u, size_t n, size_t i, size_t w,
                                uint64_t *a, uint64_t *d)
{
    (void)n;
    masks_scalar(r, u + i, w, a, d);
}

static size_t runs_scalar(const ps_runscan *r, const unsigned char *u, size_t n, size_t from, size_t limit,
                          size_t *rs, size_t *re, size_t cap)
{
    RUNSCAN_BODY(block_scalar, popcount64);
}

#ifdef PS_HAVE_AVX2
#define AVX2_TARGET __attribute__((target("avx2,bmi,bmi2,popcnt,lzcnt")))

/* 32 bytes at q: alphabet and digit masks. */
AVX2_TARGET static inline __attribute__((always_inline)) void masks32(const ps_runscan *r, const unsigned char *q,
                                                                      uint32_t *a, uint32_t *d)
{
    const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)q);
    const __m256i low = _mm256_set1_epi8(0x0F);
    const __m256i lo_nib = _mm256_and_si256(x, low), hi_nib = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
    const __m256i tab_ascii = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)r->nibbles[0]));
    const __m256i tab_high = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)r->nibbles[1]));
    const __m256i bit_of = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16,
                                            32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
    /* The row of the byte's half of the table (its top bit chooses), and the bit of its high nibble in it. */
    __m256i row = _mm256_blendv_epi8(_mm256_shuffle_epi8(tab_ascii, lo_nib), _mm256_shuffle_epi8(tab_high, lo_nib), x);
    __m256i out = _mm256_cmpeq_epi8(_mm256_and_si256(row, _mm256_shuffle_epi8(bit_of, hi_nib)), _mm256_setzero_si256());
    __m256i k = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
    __m256i digit = _mm256_cmpeq_epi8(_mm256_min_epu8(k, _mm256_set1_epi8(9)), k);
    *a = ~(uint32_t)_mm256_movemask_epi8(out);
    *d = (uint32_t)_mm256_movemask_epi8(digit) & *a;
}

/* The block of w bytes at u + i. A short last block is read as the 64 bytes that end the text, shifted down; a text
 * shorter than that is copied: never a read past the text. Inlined into the loop, as masks32 is (a call per block,
 * its masks passed back through memory, cost 2 % of the instructions on log lines). */
AVX2_TARGET static inline __attribute__((always_inline)) void block_avx2(const ps_runscan *r, const unsigned char *u,
                                                                         size_t n, size_t i, size_t w, uint64_t *a,
                                                                         uint64_t *d)
{
    unsigned char pad[BLOCK];
    const unsigned char *q = u + i;
    unsigned shift = 0;
    if (w < BLOCK) {
        if (n >= BLOCK) {
            shift = (unsigned)(BLOCK - w);
            q = u + n - BLOCK;
        } else {
            memset(pad, 0, sizeof pad);
            q = memcpy(pad, q, w);
        }
    }
    uint32_t a0, d0, a1, d1;
    masks32(r, q, &a0, &d0);
    masks32(r, q + 32, &a1, &d1);
    *a = ((uint64_t)a1 << 32 | a0) >> shift & below_bit((unsigned)w);
    *d = ((uint64_t)d1 << 32 | d0) >> shift & below_bit((unsigned)w);
}

AVX2_TARGET static size_t runs_avx2(const ps_runscan *r, const unsigned char *u, size_t n, size_t from, size_t limit,
                                    size_t *rs, size_t *re, size_t cap)
{
    RUNSCAN_BODY(block_avx2, __builtin_popcountll);
}
#endif

size_t runscan_runs(const ps_runscan *r, const char *p, size_t n, size_t from, size_t limit, size_t *rs, size_t *re,
                    size_t cap)
{
    const unsigned char *u = (const unsigned char *)p;
    if (cap == 0)
        return 0;
#ifdef PS_HAVE_AVX2
    if (r->avx2)
        return runs_avx2(r, u, n, from, limit, rs, re, cap);
#endif
    return runs_scalar(r, u, n, from, limit, rs, re, cap);
}
