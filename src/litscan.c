/* litscan.c — see litscan.h. */
#include "litscan.h"

#include "byteset.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_TEDDY 1
#endif

void litscan_init(ps_litscan *t)
{
    memset(t, 0, sizeof *t);
#ifdef PS_HAVE_TEDDY
    __builtin_cpu_init();
    t->simd = __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3");
#endif
}

static void add_byte(ps_litscan *t, int k, unsigned c, uint8_t bit)
{
    t->lo[k][c & 15] |= bit;
    t->hi[k][c >> 4] |= bit;
    if (c >= 'a' && c <= 'z') /* the upper-case letter has the same low nibble */
        t->hi[k][(c - 32) >> 4] |= bit;
}

void litscan_add(ps_litscan *t, const char *w, size_t len)
{
    const unsigned char *u = (const unsigned char *)w;
    /* The bucket: words shorter than the fingerprint (whose last positions take any byte) get their own, so their
     * wildcards do not multiply with the nibbles of longer words; the others go by first byte. */
    uint8_t bit = (uint8_t)(1u << (len < LITSCAN_WIDTH ? 7 : u[0] % 7));
    t->n_words++;
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        if ((size_t)k < len) {
            add_byte(t, k, u[k], bit);
        } else { /* a short word: any byte may follow */
            for (int x = 0; x < 16; x++) {
                t->lo[k][x] |= bit;
                t->hi[k][x] |= bit;
            }
        }
    }
}

void litscan_merge(ps_litscan *into, const ps_litscan *from)
{
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        for (int x = 0; x < 16; x++) {
            into->lo[k][x] |= from->lo[k][x];
            into->hi[k][x] |= from->hi[k][x];
        }
    }
    into->n_words += from->n_words;
    if (!into->bigrams)
        into->bigrams = from->bigrams;
}

/* Is the bigram at u[i] one that starts a word (always, without a map)? */
static inline int bigram_ok(const ps_litscan *t, const unsigned char *u, size_t i)
{
    if (!t->bigrams)
        return 1;
    unsigned bg = ascii_lower(u[i]) << 8 | ascii_lower(u[i + 1]);
    return (t->bigrams[bg >> 6] >> (bg & 63)) & 1;
}

static inline unsigned at(const ps_litscan *t, const unsigned char *u, size_t i)
{
    unsigned m = 0xff;
    for (int k = 0; k < LITSCAN_WIDTH; k++)
        m &= (unsigned)(t->lo[k][u[i + (size_t)k] & 15] & t->hi[k][u[i + (size_t)k] >> 4]);
    return m;
}

#ifdef PS_HAVE_TEDDY
/* Hands the candidates of one step (bit k of `bits`: position i + k) to found(). @return non-zero to stop. */
static int report(const ps_litscan *t, const unsigned char *u, size_t i, unsigned bits, int (*found)(void *, size_t),
                  void *ctx)
{
    for (; bits; bits &= bits - 1) {
        size_t k = i + (size_t)__builtin_ctz(bits);
        if (bigram_ok(t, u, k) && found(ctx, k))
            return 1;
    }
    return 0;
}

__attribute__((target("ssse3"))) static size_t scan_ssse3(const ps_litscan *t, const unsigned char *u, size_t i,
                                                           size_t n, int (*found)(void *, size_t), void *ctx, int *stop)
{
    __m128i lo[LITSCAN_WIDTH], hi[LITSCAN_WIDTH];
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        lo[k] = _mm_loadu_si128((const __m128i *)t->lo[k]);
        hi[k] = _mm_loadu_si128((const __m128i *)t->hi[k]);
    }
    const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    for (; i + 16 <= n; i += 16) {
        __m128i m = _mm_set1_epi8(-1);
        for (int k = 0; k < LITSCAN_WIDTH; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(u + i + (size_t)k));
            __m128i l = _mm_and_si128(v, nib), h = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
            m = _mm_and_si128(m, _mm_and_si128(_mm_shuffle_epi8(lo[k], l), _mm_shuffle_epi8(hi[k], h)));
        }
        unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) & 0xffffu;
        if (bits && report(t, u, i, bits, found, ctx)) {
            *stop = 1;
            return n;
        }
    }
    return i;
}

/* The same, 32 positions per step (PSHUFB works within each 16-byte lane: the tables are in both). */
__attribute__((target("avx2"))) static size_t scan_avx2(const ps_litscan *t, const unsigned char *u, size_t i,
                                                         size_t n, int (*found)(void *, size_t), void *ctx, int *stop)
{
    __m256i lo[LITSCAN_WIDTH], hi[LITSCAN_WIDTH];
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->hi[k]));
    }
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    for (; i + 32 <= n; i += 32) {
        __m256i m = _mm256_set1_epi8(-1);
        for (int k = 0; k < LITSCAN_WIDTH; k++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(u + i + (size_t)k));
            __m256i l = _mm256_and_si256(v, nib), h = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
            m = _mm256_and_si256(m, _mm256_and_si256(_mm256_shuffle_epi8(lo[k], l), _mm256_shuffle_epi8(hi[k], h)));
        }
        unsigned bits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero));
        if (bits && report(t, u, i, bits, found, ctx)) {
            *stop = 1;
            return n;
        }
    }
    return i;
}
#endif

void litscan_scan(const ps_litscan *t, const char *p, size_t n, int (*found)(void *ctx, size_t i), void *ctx)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    if (!t->n_words)
        return;
#ifdef PS_HAVE_TEDDY
    if (t->simd) {
        int stop = 0;
        if (t->simd > 1)
            i = scan_avx2(t, u, 0, n, found, ctx, &stop);
        if (stop)
            return;
        i = scan_ssse3(t, u, i, n, found, ctx, &stop); /* (the tail of the AVX2 loop) */
        if (stop)
            return;
    }
#endif
    for (; i < n; i++)
        if (at(t, u, i) && bigram_ok(t, u, i) && found(ctx, i))
            return;
}
