/* digitruns.c — see digitruns.h. */
#include "digitruns.h"

#include "byteset.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_AVX2 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

void digitruns_init(ps_digitruns *d)
{
    memset(d, 0, sizeof *d);
#ifdef PS_HAVE_AVX2
    __builtin_cpu_init();
    d->avx2 = __builtin_cpu_supports("avx2");
#endif
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Puts byte c into lane a. */
static void lane_add(ps_digitruns *d, unsigned c, unsigned a)
{
    d->member[c][a] = 0xFF;
    d->digit[c][a] = is_digit((unsigned char)c);
}

int digitruns_add(ps_digitruns *d, const uint64_t alphabet[4])
{
    for (unsigned a = 0; a < d->n; a++) {
        unsigned c = 0;
        while (c < 256 && (d->member[c][a] != 0) == byteset_has(alphabet, c))
            c++;
        if (c == 256)
            return (int)a;
    }
    if (d->n == DIGITRUNS_MAX) {
        /* Full: the smallest lane that holds every byte of it, unchanged. Its runs are at least this alphabet's, so
         * the gate stays a necessary condition; widening a lane instead would weaken the gates of the rules that
         * already use it (a PEM body's 24 base64 bytes in the lane of "any printable byte": every log line). */
        int best = -1;
        unsigned best_size = 257;
        for (unsigned a = 0; a < d->n; a++) {
            unsigned size = 0;
            bool holds = true;
            for (unsigned c = 0; c < 256 && holds; c++) {
                holds = !byteset_has(alphabet, c) || d->member[c][a];
                size += d->member[c][a] != 0;
            }
            if (holds && size < best_size) {
                best = (int)a;
                best_size = size;
            }
        }
        return best;
    }
    for (unsigned c = 0; c < 256; c++)
        if (byteset_has(alphabet, c))
            lane_add(d, c, d->n);
    return (int)d->n++;
}

#ifndef __SSE2__
/* The fallback: one alphabet at a time. */
static void count_scalar(const ps_digitruns *d, const unsigned char *u, size_t n, uint8_t digits[DIGITRUNS_MAX],
                         uint8_t lens[DIGITRUNS_MAX], const uint32_t byte_bits[256], uint32_t *bits)
{
    for (size_t i = 0; i < n; i++)
        *bits |= byte_bits[u[i]];
    for (unsigned a = 0; a < d->n; a++) {
        unsigned dc = 0, lc = 0;
        for (size_t i = 0; i < n; i++) {
            bool in = d->member[u[i]][a] != 0;
            dc = in ? dc + is_digit(u[i]) : 0;
            lc = in ? lc + 1 : 0;
            dc = dc > 255 ? 255 : dc;
            lc = lc > 255 ? 255 : lc;
            digits[a] = dc > digits[a] ? (uint8_t)dc : digits[a];
            lens[a] = lc > lens[a] ? (uint8_t)lc : lens[a];
        }
    }
}
#endif

#ifdef __SSE2__
/* All 32 alphabets side by side in saturating byte counters, two 16-lane halves. */
static void count_sse2(const ps_digitruns *d, const unsigned char *u, size_t n, uint8_t digits[DIGITRUNS_MAX],
                       uint8_t lens[DIGITRUNS_MAX], const uint32_t byte_bits[256], uint32_t *bits)
{
    uint32_t b = 0;
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    __m128i c0 = zero, c1 = zero, b0 = zero, b1 = zero, l0 = zero, l1 = zero, m0 = zero, m1 = zero;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *row = d->member[u[i]], *dig = d->digit[u[i]];
        b |= byte_bits[u[i]];
        __m128i in0 = _mm_loadu_si128((const __m128i *)row), in1 = _mm_loadu_si128((const __m128i *)(row + 16));
        c0 = _mm_and_si128(_mm_adds_epu8(c0, _mm_loadu_si128((const __m128i *)dig)), in0);
        c1 = _mm_and_si128(_mm_adds_epu8(c1, _mm_loadu_si128((const __m128i *)(dig + 16))), in1);
        l0 = _mm_and_si128(_mm_adds_epu8(l0, one), in0);
        l1 = _mm_and_si128(_mm_adds_epu8(l1, one), in1);
        b0 = _mm_max_epu8(b0, c0);
        b1 = _mm_max_epu8(b1, c1);
        m0 = _mm_max_epu8(m0, l0);
        m1 = _mm_max_epu8(m1, l1);
    }
    _mm_storeu_si128((__m128i *)digits, b0);
    _mm_storeu_si128((__m128i *)(digits + 16), b1);
    _mm_storeu_si128((__m128i *)lens, m0);
    _mm_storeu_si128((__m128i *)(lens + 16), m1);
    *bits = b;
}
#endif

#ifdef PS_HAVE_AVX2
/* The same, the 32 lanes in one register: a byte costs two loads and six operations, in two independent chains (the
 * digit row is a load, not a broadcast of a test: four instructions fewer per byte). */
__attribute__((target("avx2"))) static void count_avx2(const ps_digitruns *d, const unsigned char *u, size_t n,
                                                        uint8_t digits[DIGITRUNS_MAX], uint8_t lens[DIGITRUNS_MAX],
                                                        const uint32_t byte_bits[256], uint32_t *bits)
{
    uint32_t b = 0;
    const __m256i one = _mm256_set1_epi8(1), zero = _mm256_setzero_si256();
    __m256i c = zero, best_c = zero, l = zero, best_l = zero;
    for (size_t i = 0; i < n; i++) {
        __m256i in = _mm256_loadu_si256((const __m256i *)d->member[u[i]]);
        b |= byte_bits[u[i]];
        __m256i add = _mm256_loadu_si256((const __m256i *)d->digit[u[i]]);
        c = _mm256_and_si256(_mm256_adds_epu8(c, add), in);
        l = _mm256_and_si256(_mm256_adds_epu8(l, one), in);
        best_c = _mm256_max_epu8(best_c, c);
        best_l = _mm256_max_epu8(best_l, l);
    }
    _mm256_storeu_si256((__m256i *)digits, best_c);
    _mm256_storeu_si256((__m256i *)lens, best_l);
    *bits = b;
}
#endif

void digitruns_count(const ps_digitruns *d, const char *p, size_t n, uint8_t digits[DIGITRUNS_MAX],
                     uint8_t lens[DIGITRUNS_MAX], const uint32_t byte_bits[256], uint32_t *bits)
{
    static const uint32_t no_bits[256];
    const unsigned char *u = (const unsigned char *)p;
    uint32_t ignored = 0;
    memset(digits, 0, DIGITRUNS_MAX);
    memset(lens, 0, DIGITRUNS_MAX);
    if (!byte_bits) {
        byte_bits = no_bits;
        bits = &ignored;
    }
    *bits = 0;
#ifdef PS_HAVE_AVX2
    if (d->avx2) {
        count_avx2(d, u, n, digits, lens, byte_bits, bits);
        return;
    }
#endif
#ifdef __SSE2__
    count_sse2(d, u, n, digits, lens, byte_bits, bits);
#else
    count_scalar(d, u, n, digits, lens, byte_bits, bits);
#endif
}
